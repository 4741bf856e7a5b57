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
 * @param mapGenLookup    whether {@code .map_gen_lookup} is set
 * @param mapBtfStruct    the struct {@code *map_btf_id} is (BTF_ID(struct, ...)), null if none
 */
public record MapOps(String name, String mapLookupElem, String mapUpdateElem, String mapDeleteElem, boolean mapGenLookup,
                     String mapBtfStruct) {
    /** kernel/bpf/hashtab.c htab_map_ops (map_gen_lookup = htab_map_gen_lookup; htab_map_btf_ids: struct bpf_htab). */
    static final MapOps HTAB = new MapOps("htab_map_ops", "htab_map_lookup_elem", "htab_map_update_elem",
            "htab_map_delete_elem", true, "bpf_htab");
    /** kernel/bpf/arraymap.c array_map_ops (map_gen_lookup = array_map_gen_lookup; array_map_btf_ids: struct bpf_array). */
    static final MapOps ARRAY = new MapOps("array_map_ops", "array_map_lookup_elem", "array_map_update_elem",
            "array_map_delete_elem", true, "bpf_array");
    /** kernel/bpf/arraymap.c prog_array_map_ops (fd array: no map_update_elem, no map_gen_lookup). */
    static final MapOps PROG_ARRAY = new MapOps("prog_array_map_ops", "fd_array_map_lookup_elem", null,
            "fd_array_map_delete_elem", false, "bpf_array");
    /** kernel/bpf/bpf_struct_ops.c bpf_struct_ops_map_ops (bpf_struct_ops_map_btf_ids: struct bpf_struct_ops_map). */
    static final MapOps STRUCT_OPS = new MapOps("bpf_struct_ops_map_ops", "bpf_struct_ops_map_lookup_elem",
            "bpf_struct_ops_map_update_elem", "bpf_struct_ops_map_delete_elem", false, "bpf_struct_ops_map");

    /** {@code __htab_map_lookup_elem}: the call htab_map_gen_lookup() emits. */
    public static final String HTAB_LOOKUP = "__htab_map_lookup_elem";

    /** {@code map->ops} of a map of this uapi type, or null for a type the model does not have. */
    public static MapOps of(int mapType) {
        return switch (mapType) {
            case VerifierMaps.BPF_MAP_TYPE_HASH -> HTAB;
            case VerifierMaps.BPF_MAP_TYPE_ARRAY -> ARRAY;
            case VerifierMaps.BPF_MAP_TYPE_PROG_ARRAY -> PROG_ARRAY;
            case VerifierMaps.BPF_MAP_TYPE_STRUCT_OPS -> STRUCT_OPS;
            default -> null;
        };
    }

    /** The ops whose {@code .map_lookup_elem}/{@code .map_update_elem}/{@code .map_delete_elem} is {@code fn} (htab_map_ops for __htab_map_lookup_elem), or null. */
    public static MapOps byFunction(String fn) {
        if (HTAB_LOOKUP.equals(fn)) {
            return HTAB;
        }
        for (MapOps o : List.of(HTAB, ARRAY, PROG_ARRAY, STRUCT_OPS)) {
            if (fn.equals(o.mapLookupElem) || fn.equals(o.mapUpdateElem) || fn.equals(o.mapDeleteElem)) {
                return o;
            }
        }
        return null;
    }

    /** Every function symbol these ops name, for kallsyms. */
    static List<String> symbols() {
        List<String> out = new java.util.ArrayList<>();
        for (MapOps o : List.of(HTAB, ARRAY, PROG_ARRAY, STRUCT_OPS)) {
            for (String s : new String[] {o.mapLookupElem, o.mapUpdateElem, o.mapDeleteElem}) {
                if (s != null && !out.contains(s)) {
                    out.add(s);
                }
            }
        }
        out.add(HTAB_LOOKUP);
        return out;
    }
}
