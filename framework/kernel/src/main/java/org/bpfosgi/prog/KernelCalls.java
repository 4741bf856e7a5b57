package org.bpfosgi.prog;

import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.MemoryFault;
import org.bpfosgi.vm.Oops;

/**
 * The functions module code can reach through a function pointer read from kernel memory that
 * are not kallsyms symbols: the BPF trampolines of struct_ops maps
 * ({@code bpf_struct_ops_prepare_trampoline()}). What {@link org.bpfosgi.subsystem.KernelMemory#indirectCall}
 * calls.
 */
@FunctionalInterface
public interface KernelCalls {
    /**
     * Calls the function at {@code fn}. Throws {@link MemoryFault} (an oops of the running
     * program) when nothing callable is there.
     */
    long call(long fn, long[] args, Memory mem);

    /** No function at any address: every indirect call faults. */
    KernelCalls NONE = (fn, args, mem) -> {
        throw new MemoryFault(Oops.Kind.PAGE_FAULT, fn, 0,
                "unable to handle page fault: indirect call to 0x" + Long.toHexString(fn) + ", no function there");
    };
}
