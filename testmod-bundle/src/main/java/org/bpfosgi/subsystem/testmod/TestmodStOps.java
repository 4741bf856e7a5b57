package org.bpfosgi.subsystem.testmod;

import java.util.Set;

import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * bpf_testmod.c {@code testmod_st_ops}: the struct_ops type
 * {@code bpf_testmod_st_ops}, registered once at a time ({@code st_ops_reg}/{@code st_ops_unreg}
 * under {@code st_ops_mutex}).
 */
final class TestmodStOps implements StructOps {
    private final VerifierOps verifierOps = new StOpsVerifierOps();
    /** {@code st_ops}: the kdata address of the registered struct, 0 when none ({@code st_ops_mutex} is this). */
    private long registered;

    @Override
    public String name() {
        return "bpf_testmod_st_ops";
    }

    @Override
    public VerifierOps verifierOps() {
        return verifierOps;
    }

    /** {@code .cfi_stubs = &st_ops_cfi_stubs}: all three members have a stub. */
    @Override
    public Set<String> cfiStubs() {
        return Set.of("test_prologue", "test_epilogue", "test_pro_epilogue");
    }

    /** {@code st_ops_init()}: nothing to resolve in the 2024 module. */
    @Override
    public void init(BtfTypes btf) {
    }

    /** {@code st_ops_init_member()}: returns 0, the generic code handles every member. */
    @Override
    public boolean initMember(StructOpsMember member, KernelMemory mem, long kdata, long udata) {
        return false;
    }

    /** {@code st_ops_reg()}: one registration at a time. */
    @Override
    public synchronized void reg(KernelMemory mem, long kdata) {
        if (registered != 0) {
            // pr_err() in the kernel
            throw new KernelException(Errno.EEXIST, "st_ops has already been registered");
        }
        registered = kdata;
    }

    /** {@code st_ops_unreg()}. */
    @Override
    public synchronized void unreg(KernelMemory mem, long kdata) {
        registered = 0;
    }

    /** The kdata of the registered struct, 0 when none: what the bpf_kfunc_st_ops_test_* kfuncs look up. */
    synchronized long registered() {
        return registered;
    }
}
