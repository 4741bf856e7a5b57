package org.bpfosgi.verifier;

/**
 * Models {@code struct bpf_kfunc_desc}: BTF func id, the call immediate, the fd_array offset of
 * the BTF it was found in, and the address kallsyms gave. The name is kept for the log.
 */
public record KfuncDesc(int funcId, int imm, int offset, long addr, String name) {
}
