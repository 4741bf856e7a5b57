package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * {@code ops->gen_epilogue(insn_buf, prog, ctx_stack_off)} (include/linux/bpf.h, struct
 * bpf_verifier_ops, v6.12): writes the epilogue into {@code insnBuf} and returns how many
 * instructions it wrote; 0 means nothing to generate. The sequence must end with {@code exit};
 * the original ctx (R1) was saved at {@code r10 + ctxStackOff}. The dropped v2 6/8
 * {@code struct module **module} out-parameter is {@link InsnBuf#setThisModule()}.
 */
@ConsumerType
@FunctionalInterface
public interface GenEpilogue {
    int generate(InsnBuf insnBuf, BpfProgInfo prog, short ctxStackOff);
}
