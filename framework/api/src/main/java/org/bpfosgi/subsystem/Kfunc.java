package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The Java body of a kfunc: bound by name to the BTF FUNC of the same name (the way kallsyms binds
 * a symbol to its address). Arguments arrive as the raw 64-bit register values R1..R5; pointers
 * are addresses in {@link KernelMemory}. The return value becomes R0.
 */
@ConsumerType
@FunctionalInterface
public interface Kfunc {
    long call(KernelMemory mem, long[] args);
}
