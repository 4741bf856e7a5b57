package org.bpfosgi.btf;

/**
 * One slot of a {@code .BTF_ids} list or set after resolve_btfids: what the source named
 * ({@code BTF_ID(kind, name)}), the type id written into the slot, the kfunc flags of a
 * {@code BTF_ID_FLAGS} entry, and the source location. {@code BTF_ID_UNUSED} has kind
 * "unused", an empty name and id 0.
 */
public record BtfIdRef(String kind, String name, int id, int flags, String location) {
    public boolean unused() {
        return kind.equals("unused");
    }
}
