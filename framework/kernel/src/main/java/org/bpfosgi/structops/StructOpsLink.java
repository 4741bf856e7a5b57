package org.bpfosgi.structops;

/**
 * Models {@code struct bpf_struct_ops_link} (BPF_LINK_TYPE_STRUCT_OPS): it holds a reference to
 * its map and keeps the map registered ({@code reg} at link create, {@code unreg} when the link
 * goes).
 */
public final class StructOpsLink {
    private final int id;
    private final StructOpsMap map;

    StructOpsLink(int id, StructOpsMap map) {
        this.id = id;
        this.map = map;
    }

    public int id() {
        return id;
    }

    public StructOpsMap map() {
        return map;
    }
}
