package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Models {@code gen_epilogue(insn_buf, prog, ctx_stack_off)}: writes the epilogue into
 * {@code insnBuf}, ending with {@code exit}, and returns the count; 0 means no epilogue.
 * {@code ctxStackOff} is where the verifier saved the context pointer (R1) on the stack.
 */
@ConsumerType
@FunctionalInterface
public interface GenEpilogue {
    int generate(InsnBuf insnBuf, BpfProgInfo prog, short ctxStackOff);
}
