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

        /** {@code map->name} (empty if none). */
        default String name() {
            return "";
        }

        /** {@code map->key_size}. */
        default int keySize() {
            return 4;
        }

        /** {@code map->value_size}. */
        default int valueSize() {
            return 4;
        }

        /** {@code map->map_flags}. */
        default int mapFlags() {
            return 0;
        }

        /**
         * {@code map->bypass_spec_v1}: map_create() sets it from bpf_bypass_spec_v1() of the
         * creator; the model's maps are created with CAP_PERFMON (root), so true.
         */
        default boolean bypassSpecV1() {
            return true;
        }

        /** {@code map->frozen}. */
        default boolean frozen() {
            return false;
        }

        /** Whether {@code map->ops->map_direct_value_addr} exists. */
        default boolean hasDirectValueAddr() {
            return false;
        }

        /** {@code map->ops->map_direct_value_addr(map, &addr, off)}: 0, or a negative errno. */
        default int directValueAddr(int off) {
            return -22;
        }

        /** The address map_direct_value_addr() gives (for off 0). */
        default long directValueBase() {
            return 0;
        }

        /** Whether the map was created with BTF ({@code map->btf}). */
        default boolean hasBtf() {
            return false;
        }

        /** {@code map->record}: the value's kptr fields (null: none; an ERR record counts as none). */
        default BtfRecord record() {
            return null;
        }

        /** {@code size} bytes of the value at {@code off} from the direct value address (bpf_map_direct_read()). */
        default byte[] directRead(int off, int size) {
            throw new UnsupportedOperationException("no direct value access");
        }
    }

    /** BPF_MAP_TYPE_HASH. */
    int BPF_MAP_TYPE_HASH = 1;
    /** BPF_MAP_TYPE_ARRAY. */
    int BPF_MAP_TYPE_ARRAY = 2;
    /** BPF_F_RDONLY_PROG. */
    int BPF_F_RDONLY_PROG = 1 << 7;
    /** BPF_F_INNER_MAP (array_map_gen_lookup() does not inline an inner-map template). */
    int BPF_F_INNER_MAP = 1 << 12;
    /** BPF_F_WRONLY_PROG. */
    int BPF_F_WRONLY_PROG = 1 << 8;

    /** BPF_MAP_TYPE_PROG_ARRAY. */
    int BPF_MAP_TYPE_PROG_ARRAY = 3;
    /** BPF_MAP_TYPE_PERCPU_HASH. */
    int BPF_MAP_TYPE_PERCPU_HASH = 5;
    /** BPF_MAP_TYPE_PERCPU_ARRAY. */
    int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
    /** BPF_MAP_TYPE_LRU_HASH. */
    int BPF_MAP_TYPE_LRU_HASH = 9;
    /** BPF_MAP_TYPE_LRU_PERCPU_HASH. */
    int BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
    /** BPF_MAP_TYPE_QUEUE. */
    int BPF_MAP_TYPE_QUEUE = 22;
    /** BPF_MAP_TYPE_STACK. */
    int BPF_MAP_TYPE_STACK = 23;
    /** BPF_MAP_TYPE_BLOOM_FILTER. */
    int BPF_MAP_TYPE_BLOOM_FILTER = 30;
    /** BPF_MAP_TYPE_SK_STORAGE. */
    int BPF_MAP_TYPE_SK_STORAGE = 24;
    /** BPF_MAP_TYPE_STRUCT_OPS. */
    int BPF_MAP_TYPE_STRUCT_OPS = 26;

    /** No maps: every fd is a bad one. */
    VerifierMaps NONE = fd -> null;

    /** Models bpf_map_get(fd) followed by __add_used_map()'s bpf_map_inc(): the map with a reference, or null. */
    UsedMap get(int fd);
}
