package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds BTF the way libbpf's btf__add_*() API does (what pahole uses to emit a module's BTF):
 * types are appended and numbered after the base's, strings are interned into a string section
 * that continues the base's. Ids can be reserved before the type is known, because C allows
 * a struct to point to itself or to a struct defined later.
 */
public final class BtfBuilder {
    private final Btf base;
    private final int startId;
    private final int startStrOff;
    private final List<BtfType> types = new ArrayList<>();
    private final ByteArrayOutputStream strs = new ByteArrayOutputStream();
    private final Map<String, Integer> strIndex = new HashMap<>();
    private final Map<Integer, String> strByOff = new HashMap<>();

    /** @param base the base BTF for split output, or null for a stand-alone (vmlinux-like) BTF */
    public BtfBuilder(Btf base) {
        this.base = base;
        this.startId = base == null ? 1 : base.nrTypes();
        this.startStrOff = base == null ? 0 : base.strTotal();
        if (base == null) {
            strs.write(0); // offset 0 is the empty name
        }
        strIndex.put("", 0);
    }

    public Btf base() {
        return base;
    }

    /** The id the next added type gets. */
    public int nextId() {
        return startId + types.size();
    }

    /** Interns {@code s}, returning its string offset (0 for the empty string). */
    public int str(String s) {
        Integer off = strIndex.get(s);
        if (off != null) {
            return off;
        }
        int o = startStrOff + strs.size();
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        strs.write(b, 0, b.length);
        strs.write(0);
        strIndex.put(s, o);
        strByOff.put(o, s);
        return o;
    }

    /** The string at {@code off}: the base's below its string total, else one interned here. */
    public String strAt(int off) {
        if (off == 0) {
            return "";
        }
        if (off < startStrOff) {
            return base.str(off);
        }
        String s = strByOff.get(off);
        if (s == null) {
            throw new BtfException("string offset " + off + " was not interned");
        }
        return s;
    }

    /** Appends a type; returns its id. */
    public int add(BtfType t) {
        types.add(t);
        return nextId() - 1;
    }

    /** Reserves an id to be filled by {@link #set}. */
    public int reserve() {
        return add(null);
    }

    public void set(int id, BtfType t) {
        types.set(id - startId, t);
    }

    /** The type added under {@code id} (own ids only), or null while reserved. */
    public BtfType get(int id) {
        return types.get(id - startId);
    }

    /**
     * Drops the anonymous derived types (pointers, modifiers, arrays, prototypes) that nothing
     * named refers to, and renumbers the rest: what BTF dedup leaves of a module's copies of
     * types its base already has (a reused kfunc's prototype, say).
     */
    public Map<Integer, Integer> dropUnreferencedAnonymous(Map<Integer, Integer> alignByOldId) {
        int n = types.size();
        boolean[] keep = new boolean[n];
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            BtfType t = types.get(i);
            boolean anonDerived = t != null && t.nameOff() == 0 && (t.kind() == BtfKind.PTR || t.kind().isModifier()
                    || t.kind() == BtfKind.ARRAY || t.kind() == BtfKind.FUNC_PROTO);
            if (!anonDerived) {
                keep[i] = true;
                work.add(i);
            }
        }
        while (!work.isEmpty()) {
            for (int ref : refs(types.get(work.poll()))) {
                int j = ref - startId;
                if (j >= 0 && !keep[j]) {
                    keep[j] = true;
                    work.add(j);
                }
            }
        }
        int[] map = new int[n];
        int next = startId;
        for (int i = 0; i < n; i++) {
            map[i] = keep[i] ? next++ : 0;
        }
        java.util.function.IntUnaryOperator m = id -> id < startId ? id : map[id - startId];
        List<BtfType> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                out.add(remap(types.get(i), m));
            }
        }
        types.clear();
        types.addAll(out);
        Map<Integer, Integer> hints = new HashMap<>();
        alignByOldId.forEach((id, a) -> {
            if (id >= startId && keep[id - startId]) {
                hints.put(map[id - startId], a);
            }
        });
        return hints;
    }

    private static List<Integer> refs(BtfType t) {
        List<Integer> r = new ArrayList<>();
        remap(t, id -> {
            r.add(id);
            return id;
        });
        return r;
    }

    private static BtfType remap(BtfType t, java.util.function.IntUnaryOperator m) {
        if (t == null) {
            return null;
        }
        if (t instanceof BtfType.Ref r) {
            return new BtfType.Ref(r.kind(), r.nameOff(), r.kindFlag(), m.applyAsInt(r.type()));
        } else if (t instanceof BtfType.Array a) {
            return new BtfType.Array(a.nameOff(), m.applyAsInt(a.type()), m.applyAsInt(a.indexType()), a.nelems());
        } else if (t instanceof BtfType.Composite c) {
            List<BtfType.Member> ms = new ArrayList<>();
            for (BtfType.Member x : c.members()) {
                ms.add(new BtfType.Member(x.nameOff(), m.applyAsInt(x.type()), x.offset()));
            }
            return new BtfType.Composite(c.kind(), c.nameOff(), c.kindFlag(), c.size(), ms);
        } else if (t instanceof BtfType.Func f) {
            return new BtfType.Func(f.nameOff(), m.applyAsInt(f.type()), f.linkage());
        } else if (t instanceof BtfType.FuncProto fp) {
            List<BtfType.Param> ps = new ArrayList<>();
            for (BtfType.Param x : fp.params()) {
                ps.add(new BtfType.Param(x.nameOff(), m.applyAsInt(x.type())));
            }
            return new BtfType.FuncProto(fp.nameOff(), m.applyAsInt(fp.returnType()), ps);
        } else if (t instanceof BtfType.Var v) {
            return new BtfType.Var(v.nameOff(), m.applyAsInt(v.type()), v.linkage());
        } else if (t instanceof BtfType.DataSec ds) {
            List<BtfType.VarSecInfo> vs = new ArrayList<>();
            for (BtfType.VarSecInfo x : ds.vars()) {
                vs.add(new BtfType.VarSecInfo(m.applyAsInt(x.type()), x.offset(), x.size()));
            }
            return new BtfType.DataSec(ds.nameOff(), ds.size(), vs);
        } else if (t instanceof BtfType.DeclTag dt) {
            return new BtfType.DeclTag(dt.nameOff(), dt.kindFlag(), m.applyAsInt(dt.type()), dt.componentIdx());
        }
        return t;
    }

    /** Encodes and parses the result (so it gets the same validation as loaded BTF). */
    public Btf build() {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i) == null) {
                throw new BtfException("BTF builder: type id " + (startId + i) + " was reserved but never defined");
            }
            BtfWriter.encode(types.get(i), t);
        }
        return Btf.parse(BtfWriter.assemble(Btf.HEADER_SIZE, 0, t.toByteArray(), strs.toByteArray(), true), base);
    }
}
