package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfObject;

/**
 * Models {@code insn_aux_data[].btf_var} (struct bpf_insn_aux_data): the register type
 * check_pseudo_btf_id() chose for a ksym ld_imm64, which check_ld_imm() gives the destination.
 *
 * @param type    the base type: PTR_TO_BTF_ID or PTR_TO_MEM
 * @param flags   MEM_RDONLY, MEM_PERCPU ({@link RegState} flag bits)
 * @param memSize {@code mem_size} of a PTR_TO_MEM
 * @param btf     {@code btf} of a PTR_TO_BTF_ID (the BTF object the VAR is in)
 * @param btfId   {@code btf_id} of a PTR_TO_BTF_ID: the VAR's type, modifiers not skipped
 */
record BtfVarAux(RegType type, int flags, int memSize, BtfObject btf, int btfId) {
}
