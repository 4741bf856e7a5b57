package org.bpfosgi.vm;

/**
 * The run-time half of {@code struct bpf_map_ops} that the map helpers reach: what
 * {@code bpf_map_lookup_elem}, {@code bpf_map_update_elem} and {@code bpf_map_delete_elem}
 * (kernel/bpf/helpers.c) call through {@code map->ops}, and what do_misc_fixups() makes a
 * program call directly ({@code call htab_map_update_elem}, htab_map_gen_lookup()'s
 * {@code call __htab_map_lookup_elem}), for the map whose {@code struct bpf_map} address the
 * program passed in R1. Keys and values are read from the running program's memory; the callers
 * hold the kernel's lock (one program runs at a time).
 */
public interface BpfMapOps {
    /** The {@code struct bpf_map_ops} variable of the map's type ("array_map_ops", "htab_map_ops"). */
    String opsName();

    /** {@code map_lookup_elem}: the address of the value for the key at {@code keyAddr}, or 0 (NULL). */
    long lookupElem(Memory m, long keyAddr);

    /** {@code map_update_elem}: 0 or a negative errno. */
    long updateElem(Memory m, long keyAddr, long valueAddr, long flags);

    /** {@code map_delete_elem}: 0 or a negative errno. */
    long deleteElem(Memory m, long keyAddr);

    /**
     * kernel/bpf/hashtab.c __htab_map_lookup_elem(): the address of the key's {@code struct
     * htab_elem}, or 0. Only hash maps have it (htab_map_gen_lookup() calls it).
     */
    default long htabLookupElem(Memory m, long keyAddr) {
        throw new UnsupportedOperationException(opsName() + " has no __htab_map_lookup_elem");
    }

    /**
     * {@code map_push_elem}: the value at {@code valueAddr} pushed; 0 or a negative errno. Only
     * queue and stack maps have it (check_map_func_compatibility() lets no other map reach it).
     */
    default long pushElem(Memory m, long valueAddr, long flags) {
        throw new UnsupportedOperationException(opsName() + " has no map_push_elem");
    }

    /** {@code map_pop_elem}: the element written to {@code valueAddr}; 0 or a negative errno. Queue and stack maps. */
    default long popElem(Memory m, long valueAddr) {
        throw new UnsupportedOperationException(opsName() + " has no map_pop_elem");
    }

    /** {@code map_peek_elem}: as pop, the element left in place. Queue and stack maps. */
    default long peekElem(Memory m, long valueAddr) {
        throw new UnsupportedOperationException(opsName() + " has no map_peek_elem");
    }

    /** {@code map_lookup_percpu_elem}: the value of the key on {@code cpu}, or 0 (NULL). Per-cpu maps. */
    default long lookupPercpuElem(Memory m, long keyAddr, long cpu) {
        throw new UnsupportedOperationException(opsName() + " has no map_lookup_percpu_elem");
    }
}
