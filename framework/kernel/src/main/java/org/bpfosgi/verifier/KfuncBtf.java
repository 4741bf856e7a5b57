package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.module.Module;

/**
 * Models {@code struct bpf_kfunc_btf}: a module BTF named by fd_array[offset], holding one BTF
 * reference and one module reference (under {@code holder}) until the program is freed.
 */
public record KfuncBtf(BtfObject btf, Module module, int offset, String holder) {
}
