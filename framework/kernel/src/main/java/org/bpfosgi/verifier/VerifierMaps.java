package org.bpfosgi.verifier;

import org.bpfosgi.subsystem.BpfProgType;

/**
 * The maps bpf_check() reaches through a {@code BPF_PSEUDO_MAP_FD} ld_imm64
 * (resolve_pseudo_ldimm64(); the model's map fds are map ids), and what it needs to know of
 * each. The map table implements it.
 */
@FunctionalInterface
public interface VerifierMaps {
    /** A map a program uses ({@code prog->aux->used_maps[]}). */
    interface UsedMap {
        int id();

        /** {@code map->map_type}'s uapi number (BPF_MAP_TYPE_PROG_ARRAY = 3). */
        int mapType();

        /** The map's kernel address: what the ld_imm64 loads and {@code bpf_tail_call} receives in R2. */
        long address();

        int maxEntries();

        /** Models __bpf_prog_map_compatible(): the first program sets the owner's type, later ones must match. */
        boolean progCompatible(BpfProgType type);

        /** bpf_map_put() of the reference the program held. */
        void put();
    }

    /** BPF_MAP_TYPE_PROG_ARRAY. */
    int BPF_MAP_TYPE_PROG_ARRAY = 3;
    /** BPF_MAP_TYPE_STRUCT_OPS. */
    int BPF_MAP_TYPE_STRUCT_OPS = 26;

    /** No maps: every fd is a bad one. */
    VerifierMaps NONE = fd -> null;

    /** Models bpf_map_get(fd) followed by __add_used_map()'s bpf_map_inc(): the map with a reference, or null. */
    UsedMap get(int fd);
}
