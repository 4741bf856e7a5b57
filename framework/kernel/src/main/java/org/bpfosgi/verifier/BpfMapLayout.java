package org.bpfosgi.verifier;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfException;
import org.bpfosgi.btf.api.BtfKind;

/**
 * The kernel's layout of its map structs, as the running kernel's vmlinux BTF describes them:
 * what the kernel compiled in as {@code offsetof()} / {@code sizeof()} constants. The inlined
 * map lookups (array_map_gen_lookup(), htab_map_gen_lookup()) put two of them into the program,
 * and the model's maps place their values by the same figures, so the inlined code runs. The
 * model runs on the real /sys/kernel/btf/vmlinux (6.18: offsetof(struct bpf_array, value) is
 * 312) or on the built-in BTF, which declares v6.12's x86-64 layout (264). A BTF without the
 * struct (a --vmlinux file of another build) gives v6.12's x86-64 figure.
 */
public final class BpfMapLayout {
    /** v6.12 x86-64 offsetof(struct bpf_array, value): sizeof(struct bpf_map) 248 + elem_size, index_mask, aux. */
    static final int V612_ARRAY_VALUE = 264;
    /** v6.12 x86-64 offsetof(struct htab_elem, key) (= sizeof(struct htab_elem)). */
    static final int V612_HTAB_ELEM_KEY = 48;

    /** v6.12 x86-64 offsetof(struct htab_elem, lru_node). */
    static final int V612_HTAB_ELEM_LRU_NODE = 16;
    /** v6.12 x86-64 offsetof(struct bpf_lru_node, ref). */
    static final int V612_LRU_NODE_REF = 19;

    private final Btf btf;

    public BpfMapLayout(Btf vmlinux) {
        this.btf = vmlinux;
    }

    /** {@code offsetof(struct bpf_array, value)}: where element 0 of an array map's values starts. */
    public int arrayValueOffset() {
        return offsetOr("bpf_array", "value", V612_ARRAY_VALUE);
    }

    /** {@code offsetof(struct htab_elem, key)}: the key's place in a hash element (the value follows the rounded-up key). */
    public int htabElemKeyOffset() {
        return offsetOr("htab_elem", "key", V612_HTAB_ELEM_KEY);
    }

    /**
     * {@code offsetof(struct htab_elem, lru_node) + offsetof(struct bpf_lru_node, ref)}: the byte
     * htab_lru_map_gen_lookup()'s inlined code reads and sets (v6.12 x86-64: 16 + 19).
     */
    public int htabElemLruRefOffset() {
        int node = offsetOr("htab_elem", "lru_node", -1);
        int ref = offsetOr("bpf_lru_node", "ref", -1);
        return node < 0 || ref < 0 ? V612_HTAB_ELEM_LRU_NODE + V612_LRU_NODE_REF : node + ref;
    }

    /** The byte offset of {@code member} in {@code struct name}, or -1 when the BTF has no such member. */
    public int offset(String struct, String member) {
        return offsetOr(struct, member, -1);
    }

    /** {@code sizeof(struct name)}, or {@code fallback} when the BTF has no such struct. */
    public int structSize(String name, int fallback) {
        int id = btf.findByNameKind(name, BtfKind.STRUCT);
        return id > 0 ? (int) btf.resolveSize(id) : fallback;
    }

    private int offsetOr(String struct, String member, int fallback) {
        if (btf.findByNameKind(struct, BtfKind.STRUCT) <= 0) {
            return fallback;
        }
        try {
            return btf.offsetOf(struct, member);
        } catch (BtfException e) {
            return fallback;
        }
    }
}
