package org.bpfosgi.structops;

import java.util.Locale;

/** The {@code enum bpf_map_type} values (include/uapi/linux/bpf.h) the model creates. */
public enum BpfMapType {
    HASH(1), ARRAY(2), PROG_ARRAY(3), PERCPU_HASH(5), PERCPU_ARRAY(6), LRU_HASH(9), LRU_PERCPU_HASH(10), QUEUE(22), STACK(23), STRUCT_OPS(26);

    private final int value;

    BpfMapType(int value) {
        this.value = value;
    }

    /** The uapi number. */
    public int value() {
        return value;
    }

    /** The name bpftool prints ({@code hash}, {@code array}, {@code prog_array}, {@code percpu_hash}, {@code percpu_array}, {@code lru_hash}, {@code lru_percpu_hash}, {@code queue}, {@code stack}, {@code struct_ops}). */
    public String bpftoolName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
