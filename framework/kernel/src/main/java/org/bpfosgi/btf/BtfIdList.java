package org.bpfosgi.btf;

import java.util.List;

/**
 * A resolved {@code BTF_ID_LIST(name)} (or {@code BTF_ID_LIST_SINGLE}): ids in source order,
 * as the kernel's {@code u32 name[]} holds them. Models include/linux/btf_ids.h BTF_ID_LIST.
 */
public record BtfIdList(String name, List<BtfIdRef> entries) {
    public BtfIdList {
        entries = List.copyOf(entries);
    }

    /** The u32 array: {@code name[i]}. */
    public int[] ids() {
        return entries.stream().mapToInt(BtfIdRef::id).toArray();
    }

    public int id(int index) {
        return entries.get(index).id();
    }
}
