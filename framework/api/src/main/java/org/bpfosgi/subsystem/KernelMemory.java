package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Kernel memory as a kfunc implementation sees it: the model's addresses of the objects the
 * program passed (its argument structs, its stack). An access the kernel would fault on throws
 * the interpreter's fault (an oops), never silently succeeds.
 */
@ProviderType
public interface KernelMemory {
    long readU64(long addr);

    int readU32(long addr);

    void writeU64(long addr, long value);

    void writeU32(long addr, int value);
}
