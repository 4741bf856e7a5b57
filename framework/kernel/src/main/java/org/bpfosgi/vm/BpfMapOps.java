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
}
