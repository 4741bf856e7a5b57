package org.bpfosgi.btf;

import java.util.List;
import java.util.OptionalInt;

/**
 * A resolved {@code BTF_SET_START/END} ({@code struct btf_id_set}) or {@code BTF_SET8_START/END}
 * / {@code BTF_KFUNCS_START/END} ({@code struct btf_id_set8}, with per-id flags and, for kfunc
 * sets, the {@code BTF_SET8_KFUNCS} set flag). Entries are sorted by id, as resolve_btfids sorts
 * them so that btf_id_set_contains() / btf_id_set8_contains() can binary-search.
 */
public record BtfIdSet(String name, boolean set8, int setFlags, List<BtfIdRef> entries) {
    public BtfIdSet {
        entries = List.copyOf(entries);
    }

    /** A BTF_KFUNCS set (set8 with BTF_SET8_KFUNCS). */
    public boolean kfuncs() {
        return set8 && (setFlags & KfFlags.BTF_SET8_KFUNCS) != 0;
    }

    /** Models btf_id_set_contains() / btf_id_set8_contains(). */
    public boolean contains(int id) {
        return indexOf(id) >= 0;
    }

    /** The flags of {@code id} in a set8, if present. */
    public OptionalInt flags(int id) {
        int i = indexOf(id);
        return i < 0 ? OptionalInt.empty() : OptionalInt.of(entries.get(i).flags());
    }

    private int indexOf(int id) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = entries.get(mid).id();
            if (v < id) {
                lo = mid + 1;
            } else if (v > id) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** The sorted ids ({@code set->ids[]} / {@code set8->pairs[].id}). */
    public int[] ids() {
        return entries.stream().mapToInt(BtfIdRef::id).toArray();
    }
}
