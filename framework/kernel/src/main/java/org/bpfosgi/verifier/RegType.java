package org.bpfosgi.verifier;

/** Models include/linux/bpf.h {@code enum bpf_reg_type} (the base types the model tracks). */
public enum RegType {
    NOT_INIT(""),
    SCALAR_VALUE("scalar"),
    PTR_TO_CTX("ctx"),
    PTR_TO_STACK("fp"),
    PTR_TO_BTF_ID("ptr_"),
    PTR_TO_MEM("mem"),
    /** A map pointer from a BPF_PSEUDO_MAP_FD ld_imm64; {@link RegState#btfId()} carries the map's id. */
    CONST_PTR_TO_MAP("map_ptr"),
    /**
     * A pointer into a map value (bpf_map_lookup_elem()'s result, a BPF_PSEUDO_MAP_VALUE load);
     * {@link RegState#btfId()} carries the map's id, {@link RegState#memSize()} its value_size.
     */
    PTR_TO_MAP_VALUE("map_value"),
    /** A pointer to a map key (callbacks of bpf_for_each_map_elem()); btfId the map id, memSize key_size. */
    PTR_TO_MAP_KEY("map_key");

    /** The name reg_type_str() prints (include/linux/bpf.h str[] in verifier.c). */
    final String str;

    RegType(String str) {
        this.str = str;
    }
}
