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

    /**
     * Models a C indirect call {@code (*fn)(args...)} from module code through a function pointer
     * the kernel stored in kernel memory — for a struct_ops member, the BPF trampoline that
     * bpf_struct_ops_map_update_elem() prepared for the member's program
     * (bpf_struct_ops_prepare_trampoline(): it stores the arguments as the {@code u64} array the
     * program sees as its context, runs the program, and returns its R0). E.g. bpf_testmod's
     * {@code st_ops->test_prologue(args)}.
     *
     * <p>An address that holds no function (NULL, garbage, a trampoline whose map was freed)
     * faults like any bad access: the running program oopses, and the oops reaches the caller.
     *
     * @param fn   the function pointer's value, as read from kernel memory
     * @param args the C arguments (at most {@code MAX_BPF_FUNC_ARGS} = 12), each as a 64-bit value
     * @return the function's return value (R0)
     * @since 2.1
     */
    long indirectCall(long fn, long... args);
}
