package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Models {@code gen_prologue(insn_buf, direct_write, prog)} (with the dropped v2 6/8 module
 * out-parameter carried by {@link InsnBuf}): writes the prologue into {@code insnBuf}, ending
 * with a copy of {@code prog->insnsi[0]}, and returns the count; 0 means no prologue.
 */
@ConsumerType
@FunctionalInterface
public interface GenPrologue {
    int generate(InsnBuf insnBuf, boolean directWrite, BpfProgInfo prog);
}
