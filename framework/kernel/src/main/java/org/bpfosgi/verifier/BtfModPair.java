package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.module.Module;

/**
 * Models {@code struct btf_mod_pair} (include/linux/bpf.h), an entry of {@code used_btfs}: a BTF
 * object a program's ld_imm64 BPF_PSEUDO_BTF_ID named (one BTF reference), and for a module's BTF
 * the module (one module reference, under {@code holder}; null for vmlinux). Both are held until
 * the program is freed (__bpf_free_used_btfs()).
 */
public record BtfModPair(BtfObject btf, Module module, String holder) {
}
