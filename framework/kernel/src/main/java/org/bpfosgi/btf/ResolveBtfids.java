package org.bpfosgi.btf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpfosgi.btf.api.BtfKind;

/**
 * Models tools/bpf/resolve_btfids for one header: the {@code .BTF_ids} containers that the
 * macros of include/linux/btf_ids.h declare ({@code BTF_ID_LIST}, {@code BTF_ID_LIST_SINGLE},
 * {@code BTF_SET_START/END}, {@code BTF_SET8_START/END}, {@code BTF_KFUNCS_START/END}) with their
 * entries ({@code BTF_ID}, {@code BTF_ID_UNUSED}, {@code BTF_ID_FLAGS}), and their resolution
 * against the built BTF: each entry's id by kind and name (the lowest id, base first, as
 * btf_find_by_name_kind), sets sorted by id as resolve_btfids sorts them.
 *
 * <p>One decision differs from the tool: an unresolvable name is an error naming the symbol with
 * file:line:col (resolve_btfids warns and writes 0, which turns a typo into a kfunc set that
 * silently lacks a function).
 */
final class ResolveBtfids {
    /** One entry: kind ("func", "struct", "union", "typedef" or "unused"), symbol, BTF_ID_FLAGS flags. */
    private record Entry(String kind, String sym, int flags, CToken at) {
    }

    private static final class Container {
        final String macro;
        final String name;
        final CToken start;
        final boolean set;
        final boolean set8;
        final boolean kfuncs;
        final List<Entry> entries = new ArrayList<>();

        Container(String macro, String name, CToken start) {
            this.macro = macro;
            this.name = name;
            this.start = start;
            this.set = macro.startsWith("BTF_SET") || macro.startsWith("BTF_KFUNCS");
            this.set8 = macro.startsWith("BTF_SET8") || macro.startsWith("BTF_KFUNCS");
            this.kfuncs = macro.startsWith("BTF_KFUNCS");
        }
    }

    private final List<Container> containers = new ArrayList<>();
    private Container open;

    /** A declaration that is not a BTF_ID macro ends an open BTF_ID_LIST (sets need their _END). */
    void closeList() {
        if (open != null && !open.set) {
            open = null;
        }
    }

    /** BTF_ID_LIST(name), BTF_SET_START(name), BTF_SET8_START(name), BTF_KFUNCS_START(name). */
    void start(String macro, CToken at, String name) {
        if (open != null && open.set) {
            throw CDeclCompiler.err(at, macro + " inside " + open.macro + "(" + open.name + ")");
        }
        for (Container c : containers) {
            if (c.name.equals(name)) {
                throw CDeclCompiler.err(at, "redefinition of '" + name + "'");
            }
        }
        Container c = new Container(macro, name, at);
        containers.add(c);
        open = c;
    }

    /** BTF_SET_END(name), BTF_SET8_END(name), BTF_KFUNCS_END(name). */
    void end(String macro, CToken at, String name) {
        String startMacro = macro.replace("_END", "_START");
        if (open == null || !open.macro.equals(startMacro) || !open.name.equals(name)) {
            throw CDeclCompiler.err(at, macro + "(" + name + ") without a matching " + startMacro + "(" + name + ")");
        }
        open = null;
    }

    /** BTF_ID_LIST_SINGLE(name, kind, sym): a list of one, closed at once. */
    void single(CToken at, String name, CToken kind, CToken sym) {
        start("BTF_ID_LIST_SINGLE", at, name);
        open.entries.add(new Entry(checkKind(kind), sym.text(), 0, sym));
        open = null;
    }

    /** BTF_ID(kind, sym), or BTF_ID_FLAGS(kind, sym, flags...) when {@code flagsMacro}. */
    void id(CToken macro, CToken kind, CToken sym, int flags, boolean flagsMacro) {
        requireOpen(macro, flagsMacro).entries.add(new Entry(checkKind(kind), sym.text(), flags, sym));
    }

    /** BTF_ID_UNUSED: a 0 in a list. */
    void unused(CToken macro) {
        requireOpen(macro, false).entries.add(new Entry("unused", "", 0, macro));
    }

    /** At the end of the header: every set must have been closed. */
    void checkClosed() {
        if (open != null) {
            throw CDeclCompiler.err(open.start, open.macro + "(" + open.name + ") without its _END");
        }
    }

    private Container requireOpen(CToken m, boolean set8) {
        if (open == null) {
            throw CDeclCompiler.err(m, m.text() + " outside a BTF_ID_LIST or BTF_SET");
        }
        if (set8 && !open.set8) {
            throw CDeclCompiler.err(m, m.text() + " is only valid in a BTF_SET8 or BTF_KFUNCS set");
        }
        return open;
    }

    private static String checkKind(CToken k) {
        switch (k.text()) {
            case "func": case "struct": case "union": case "typedef":
                return k.text();
            default:
                throw CDeclCompiler.err(k, "unknown BTF_ID kind '" + k.text() + "' (expected func, struct, union or typedef)");
        }
    }

    /** Resolves every container against {@code btf}: ids by kind+name, sets sorted by id. */
    CompiledBtf resolve(Btf btf) {
        Map<String, BtfIdList> lists = new LinkedHashMap<>();
        Map<String, BtfIdSet> sets = new LinkedHashMap<>();
        for (Container c : containers) {
            List<BtfIdRef> refs = new ArrayList<>();
            for (Entry e : c.entries) {
                if (e.kind().equals("unused")) {
                    refs.add(new BtfIdRef(e.kind(), "", 0, 0, e.at().where()));
                    continue;
                }
                BtfKind k = BtfKind.valueOf(e.kind().equals("func") ? "FUNC" : e.kind().toUpperCase());
                int id = btf.findByNameKind(e.sym(), k);
                if (id < 0) {
                    throw CDeclCompiler.err(e.at(), "unresolved symbol '" + e.sym() + "' in " + c.macro + "(" + c.name
                            + "): no " + k + " named '" + e.sym() + "' in the module's BTF or its base (resolve_btfids"
                            + " would warn and write 0)");
                }
                refs.add(new BtfIdRef(e.kind(), e.sym(), id, e.flags(), e.at().where()));
            }
            if (c.set) {
                refs.sort(Comparator.comparingInt(BtfIdRef::id));
                sets.put(c.name, new BtfIdSet(c.name, c.set8, c.kfuncs ? KfFlags.BTF_SET8_KFUNCS : 0, refs));
            } else {
                lists.put(c.name, new BtfIdList(c.name, refs));
            }
        }
        return new CompiledBtf(btf, lists, sets);
    }
}
