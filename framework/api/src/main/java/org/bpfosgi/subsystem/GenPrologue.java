package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * {@code ops->gen_prologue(insn_buf, direct_write, prog)} (include/linux/bpf.h, struct
 * bpf_verifier_ops): writes the prologue into {@code insnBuf} and returns how many instructions
 * it wrote; 0 means nothing to generate. The last instruction must be a copy of
 * {@code prog->insnsi[0]} ({@link BpfProgInfo#firstInsn()}): the whole sequence replaces it.
 * The dropped v2 6/8 {@code struct module **module} out-parameter is
 * {@link InsnBuf#setThisModule()}.
 */
@ConsumerType
@FunctionalInterface
public interface GenPrologue {
    int generate(InsnBuf insnBuf, boolean directWrite, BpfProgInfo prog);
}
