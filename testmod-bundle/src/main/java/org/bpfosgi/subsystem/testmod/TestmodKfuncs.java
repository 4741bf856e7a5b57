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

    /** Byte offsets of the members in {@code struct bpf_testmod_st_ops} (bpf_testmod.h). */
    static final int TEST_PROLOGUE = 0;
    static final int TEST_EPILOGUE = 8;
    static final int TEST_PRO_EPILOGUE = 16;

    /**
     * bpf_kfunc_st_ops_test_{prologue,epilogue,pro_epilogue}(args): under {@code st_ops_mutex},
     * if a bpf_testmod_st_ops is registered and has the member, call it with {@code args} and
     * return its (int) result; -1 otherwise:
     * <pre>
     *   mutex_lock(&amp;st_ops_mutex);
     *   if (st_ops &amp;&amp; st_ops-&gt;test_prologue)
     *       ret = st_ops-&gt;test_prologue(args);
     *   mutex_unlock(&amp;st_ops_mutex);
     * </pre>
     * The member is a pointer in the registered kdata: a struct_ops map's trampoline, which runs
     * the member's BPF program.
     */
    static long testStOpsMember(TestmodStOps stOps, int memberOff, KernelMemory mem, long[] args) {
        synchronized (stOps) {
            long kdata = stOps.registered();
            if (kdata == 0) {
                return -1;
            }
            long fn = mem.readU64(kdata + memberOff);
            if (fn == 0) {
                return -1;
            }
            return (int) mem.indirectCall(fn, args[0]);
        }
    }
}
