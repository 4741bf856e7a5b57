package org.bpfosgi.btf;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.bpfosgi.btf.api.BtfIdLists;

/**
 * What compiling a module header produces (pahole + resolve_btfids for one {@code .ko}): the
 * module's BTF (split on top of the base, or stand-alone with no base) and its
 * {@code .BTF_ids} content, resolved, by name.
 */
public record CompiledBtf(Btf btf, Map<String, BtfIdList> idLists, Map<String, BtfIdSet> sets) implements BtfIdLists {
    public CompiledBtf {
        idLists = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(idLists));
        sets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sets));
    }

    public Optional<BtfIdList> idList(String name) {
        return Optional.ofNullable(idLists.get(name));
    }

    /** A BTF_SET, BTF_SET8 or BTF_KFUNCS set by name. */
    public Optional<BtfIdSet> set(String name) {
        return Optional.ofNullable(sets.get(name));
    }

    @Override
    public Set<String> listNames() {
        return idLists.keySet();
    }

    @Override
    public Set<String> setNames() {
        return sets.keySet();
    }

    @Override
    public int[] ids(String listName) {
        return idList(listName).orElseThrow(() -> new BtfException("no BTF_ID_LIST named '" + listName + "'")).ids();
    }

    @Override
    public boolean setContains(String setName, int id) {
        return set(setName).map(s -> s.contains(id)).orElse(false);
    }

    @Override
    public OptionalInt kfuncFlags(String setName, int id) {
        return set(setName).map(s -> s.flags(id)).orElse(OptionalInt.empty());
    }

    /** The text {@code btf compile} prints after the raw dump. */
    public String describeIds() {
        StringBuilder sb = new StringBuilder();
        for (BtfIdList l : idLists.values()) {
            sb.append("BTF_ID_LIST ").append(l.name()).append(" cnt=").append(l.entries().size()).append('\n');
            for (BtfIdRef r : l.entries()) {
                sb.append('\t').append(r.unused() ? "(unused)" : r.kind() + " " + r.name()).append(" id=")
                        .append(r.id()).append('\n');
            }
        }
        for (BtfIdSet s : sets.values()) {
            sb.append(s.kfuncs() ? "BTF_KFUNCS " : s.set8() ? "BTF_SET8 " : "BTF_SET ").append(s.name())
                    .append(" cnt=").append(s.entries().size());
            if (s.set8()) {
                sb.append(" flags=").append(s.setFlags());
            }
            sb.append('\n');
            for (BtfIdRef r : s.entries()) {
                sb.append('\t').append(r.kind()).append(' ').append(r.name()).append(" id=").append(r.id());
                if (s.set8()) {
                    sb.append(" flags=").append(KfFlags.toString(r.flags()));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
