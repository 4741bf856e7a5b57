package org.bpfosgi.verifier;

import java.util.List;

/**
 * Models the {@code struct bpf_map_ops} instances (v6.12) of the map types the model has: the
 * functions do_misc_fixups() patches a map helper call into ({@code BPF_CALL_IMM(ops->map_...)}),
 * whether {@code map_gen_lookup} exists, and the struct {@code map_btf_id} names
 * (check_ptr_to_map_access()). Names are the kernel's symbols, as kallsyms (and so bpftool's
 * xlated dump) shows them. A null function is one the ops leave unset.
 *
 * @param name            the ops variable
 * @param mapLookupElem   {@code .map_lookup_elem}
 * @param mapUpdateElem   {@code .map_update_elem}
 * @param mapDeleteElem   {@code .map_delete_elem}
 * @param mapPushElem     {@code .map_push_elem}
 * @param mapPopElem      {@code .map_pop_elem}
 * @param mapPeekElem     {@code .map_peek_elem}
 * @param mapLookupPercpuElem {@code .map_lookup_percpu_elem}
 * @param mapGenLookup    whether {@code .map_gen_lookup} is set
 * @param mapBtfStruct    the struct {@code *map_btf_id} is (BTF_ID(struct, ...)), null if none
 */
public record MapOps(String name, String mapLookupElem, String mapUpdateElem, String mapDeleteElem, String mapPushElem,
                     String mapPopElem, String mapPeekElem, String mapLookupPercpuElem, boolean mapGenLookup,
                     String mapBtfStruct) {
    /** kernel/bpf/hashtab.c htab_map_ops (map_gen_lookup = htab_map_gen_lookup; htab_map_btf_ids: struct bpf_htab). */
    static final MapOps HTAB = new MapOps("htab_map_ops", "htab_map_lookup_elem", "htab_map_update_elem",
            "htab_map_delete_elem", null, null, null, null, true, "bpf_htab");
    /** kernel/bpf/arraymap.c array_map_ops (map_gen_lookup = array_map_gen_lookup; array_map_btf_ids: struct bpf_array). */
    static final MapOps ARRAY = new MapOps("array_map_ops", "array_map_lookup_elem", "array_map_update_elem",
            "array_map_delete_elem", null, null, null, null, true, "bpf_array");
    /** kernel/bpf/arraymap.c prog_array_map_ops (fd array: no map_update_elem, no map_gen_lookup). */
    static final MapOps PROG_ARRAY = new MapOps("prog_array_map_ops", "fd_array_map_lookup_elem", null,
            "fd_array_map_delete_elem", null, null, null, null, false, "bpf_array");
    /**
     * kernel/bpf/hashtab.c htab_percpu_map_ops (v6.12): map_gen_lookup = htab_percpu_map_gen_lookup,
     * update htab_percpu_map_update_elem, delete shared with htab_map_ops,
     * map_lookup_percpu_elem = htab_percpu_map_lookup_percpu_elem; htab_map_btf_ids.
     */
    static final MapOps PERCPU_HASH = new MapOps("htab_percpu_map_ops", "htab_percpu_map_lookup_elem",
            "htab_percpu_map_update_elem", "htab_map_delete_elem", null, null, null, "htab_percpu_map_lookup_percpu_elem", true,
            "bpf_htab");
    /**
     * kernel/bpf/hashtab.c htab_lru_map_ops (v6.12): map_gen_lookup = htab_lru_map_gen_lookup,
     * lookup htab_lru_map_lookup_elem (sets the ref bit), update htab_lru_map_update_elem, delete
     * htab_lru_map_delete_elem; htab_map_btf_ids.
     */
    static final MapOps LRU_HASH = new MapOps("htab_lru_map_ops", "htab_lru_map_lookup_elem", "htab_lru_map_update_elem",
            "htab_lru_map_delete_elem", null, null, null, null, true, "bpf_htab");
    /**
     * kernel/bpf/hashtab.c htab_lru_percpu_map_ops (v6.12): no map_gen_lookup; lookup
     * htab_lru_percpu_map_lookup_elem (sets the ref bit), update htab_lru_percpu_map_update_elem,
     * delete shared with htab_lru_map_ops, map_lookup_percpu_elem =
     * htab_lru_percpu_map_lookup_percpu_elem; htab_map_btf_ids.
     */
    static final MapOps LRU_PERCPU_HASH = new MapOps("htab_lru_percpu_map_ops", "htab_lru_percpu_map_lookup_elem",
            "htab_lru_percpu_map_update_elem", "htab_lru_map_delete_elem", null, null, null,
            "htab_lru_percpu_map_lookup_percpu_elem", false, "bpf_htab");
    /**
     * kernel/bpf/arraymap.c percpu_array_map_ops (v6.12): lookup percpu_array_map_lookup_elem
     * (map_gen_lookup = percpu_array_map_gen_lookup), update and delete shared with arrays,
     * map_lookup_percpu_elem = percpu_array_map_lookup_percpu_elem; array_map_btf_ids.
     */
    static final MapOps PERCPU_ARRAY = new MapOps("percpu_array_map_ops", "percpu_array_map_lookup_elem",
            "array_map_update_elem", "array_map_delete_elem", null, null, null, "percpu_array_map_lookup_percpu_elem", true,
            "bpf_array");
    /**
     * kernel/bpf/queue_stack_maps.c queue_map_ops (queue_map_btf_ids: struct bpf_queue_stack):
     * lookup NULL, update and delete -EINVAL, push shared with stacks, pop/peek at the tail.
     */
    static final MapOps QUEUE = new MapOps("queue_map_ops", "queue_stack_map_lookup_elem", "queue_stack_map_update_elem",
            "queue_stack_map_delete_elem", "queue_stack_map_push_elem", "queue_map_pop_elem", "queue_map_peek_elem", null, false,
            "bpf_queue_stack");
    /** kernel/bpf/queue_stack_maps.c stack_map_ops (map_btf_id: queue_map_btf_ids too): pop/peek at head - 1. */
    static final MapOps STACK = new MapOps("stack_map_ops", "queue_stack_map_lookup_elem", "queue_stack_map_update_elem",
            "queue_stack_map_delete_elem", "queue_stack_map_push_elem", "stack_map_pop_elem", "stack_map_peek_elem", null, false,
            "bpf_queue_stack");
    /** kernel/bpf/bpf_struct_ops.c bpf_struct_ops_map_ops (bpf_struct_ops_map_btf_ids: struct bpf_struct_ops_map). */
    static final MapOps STRUCT_OPS = new MapOps("bpf_struct_ops_map_ops", "bpf_struct_ops_map_lookup_elem",
            "bpf_struct_ops_map_update_elem", "bpf_struct_ops_map_delete_elem", null, null, null, null, false, "bpf_struct_ops_map");

    private static final List<MapOps> ALL = List.of(HTAB, ARRAY, PROG_ARRAY, PERCPU_HASH, PERCPU_ARRAY, LRU_HASH, LRU_PERCPU_HASH, QUEUE, STACK, STRUCT_OPS);

    /** {@code __htab_map_lookup_elem}: the call htab_map_gen_lookup() emits. */
    public static final String HTAB_LOOKUP = "__htab_map_lookup_elem";

    /** {@code map->ops} of a map of this uapi type, or null for a type the model does not have. */
    public static MapOps of(int mapType) {
        return switch (mapType) {
            case VerifierMaps.BPF_MAP_TYPE_HASH -> HTAB;
            case VerifierMaps.BPF_MAP_TYPE_ARRAY -> ARRAY;
            case VerifierMaps.BPF_MAP_TYPE_PROG_ARRAY -> PROG_ARRAY;
            case VerifierMaps.BPF_MAP_TYPE_PERCPU_HASH -> PERCPU_HASH;
            case VerifierMaps.BPF_MAP_TYPE_PERCPU_ARRAY -> PERCPU_ARRAY;
            case VerifierMaps.BPF_MAP_TYPE_LRU_HASH -> LRU_HASH;
            case VerifierMaps.BPF_MAP_TYPE_LRU_PERCPU_HASH -> LRU_PERCPU_HASH;
            case VerifierMaps.BPF_MAP_TYPE_QUEUE -> QUEUE;
            case VerifierMaps.BPF_MAP_TYPE_STACK -> STACK;
            case VerifierMaps.BPF_MAP_TYPE_STRUCT_OPS -> STRUCT_OPS;
            default -> null;
        };
    }

    /** Every function of these ops, in the order of struct bpf_map_ops. */
    List<String> functions() {
        return java.util.Arrays.asList(mapLookupElem, mapUpdateElem, mapDeleteElem, mapPushElem, mapPopElem, mapPeekElem,
                mapLookupPercpuElem);
    }

    /**
     * Whether {@code fn} is one of this ops' functions ({@code __htab_map_lookup_elem} counts as
     * htab_map_ops', htab_percpu_map_ops' and htab_lru_map_ops'). A function two ops share (queue_stack_map_push_elem)
     * belongs to both.
     */
    public boolean hasFunction(String fn) {
        return functions().contains(fn) || ((this == HTAB || this == PERCPU_HASH || this == LRU_HASH) && HTAB_LOOKUP.equals(fn));
    }

    /** The first ops whose functions include {@code fn} (htab_map_ops for __htab_map_lookup_elem), or null. */
    public static MapOps byFunction(String fn) {
        for (MapOps o : ALL) {
            if (o.hasFunction(fn)) {
                return o;
            }
        }
        return null;
    }

    /** The ops of the uapi map type's name ("queue_map_ops") , or null. */
    public static MapOps byName(String opsName) {
        for (MapOps o : ALL) {
            if (o.name.equals(opsName)) {
                return o;
            }
        }
        return null;
    }

    /** Every function symbol these ops name, for kallsyms. */
    static List<String> symbols() {
        List<String> out = new java.util.ArrayList<>();
        for (MapOps o : ALL) {
            for (String s : o.functions()) {
                if (s != null && !out.contains(s)) {
                    out.add(s);
                }
            }
        }
        out.add(HTAB_LOOKUP);
        return out;
    }
}
