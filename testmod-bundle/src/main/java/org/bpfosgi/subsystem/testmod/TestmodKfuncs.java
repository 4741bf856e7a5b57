package org.bpfosgi.subsystem.testmod;

import org.bpfosgi.subsystem.KernelMemory;

/** The Java bodies of bpf_testmod's kfuncs (bpf_testmod.c), bound by name to their BTF FUNCs. */
final class TestmodKfuncs {
    private TestmodKfuncs() {
    }

    /** {@code int bpf_kfunc_st_ops_inc10(struct st_ops_args *args)}: {@code args->a += 10; return args->a;}. */
    static long inc10(KernelMemory mem, long[] args) {
        return add(mem, args[0], 10);
    }

    /** {@code int bpf_kfunc_st_ops_inc100(struct st_ops_args *args)} (dropped v2 8/8). */
    static long inc100(KernelMemory mem, long[] args) {
        return add(mem, args[0], 100);
    }

    private static long add(KernelMemory mem, long addr, long n) {
        long a = mem.readU64(addr) + n;
        mem.writeU64(addr, a);
        return (int) a; // the kfunc returns int
    }

    /**
     * bpf_kfunc_st_ops_test_{prologue,epilogue,pro_epilogue}: call the registered
     * bpf_testmod_st_ops member, or -1 when none is registered — always: not modelled, struct_ops
     * map registration (bpf_struct_ops_map_update_elem, st_ops reg).
     */
    static long testStOpsMember(KernelMemory mem, long[] args) {
        return -1;
    }
}
