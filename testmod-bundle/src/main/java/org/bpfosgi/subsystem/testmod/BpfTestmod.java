package org.bpfosgi.subsystem.testmod;

import java.util.List;
import java.util.Map;

import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.Kfunc;
import org.bpfosgi.subsystem.KfuncSet;
import org.bpfosgi.subsystem.StructOps;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The bpf_testmod module (tools/testing/selftests/bpf/test_kmods/bpf_testmod.c):
 * activate is its module_init, deactivate its module_exit, and the service it publishes is what
 * bpf_testmod_init() registers — the kfunc set {@code bpf_testmod_check_kfunc_ids} (declared in
 * its BTF header {@code bpf/bpf_testmod.h}) and the struct_ops type {@code bpf_testmod_st_ops}.
 *
 * <p>Not modelled: bpf_testmod's other struct_ops types ({@code bpf_testmod_ops},
 * {@code bpf_testmod_ops2}, {@code bpf_testmod_multi_st_ops}) and kfunc sets, which the seed's
 * programs do not use.
 */
@Component(service = BpfSubsystem.class, immediate = true, property = "bpf.module=bpf_testmod")
public class BpfTestmod implements BpfSubsystem {
    private final TestmodStOps stOps = new TestmodStOps();

    /** module_init: the registrations themselves are made by the kernel from this service. */
    @Activate
    void init() {
    }

    /** module_exit. */
    @Deactivate
    void exit() {
    }

    @Override
    public List<StructOps> structOps() {
        return List.of(stOps);
    }

    /** register_btf_kfunc_id_set() for SCHED_CLS, TRACING, SYSCALL and STRUCT_OPS. */
    @Override
    public List<KfuncSet> kfuncSets() {
        return List.of(new KfuncSet("bpf_testmod_check_kfunc_ids",
                List.of(BpfProgType.SCHED_CLS, BpfProgType.TRACING, BpfProgType.SYSCALL, BpfProgType.STRUCT_OPS)));
    }

    @Override
    public Map<String, Kfunc> functions() {
        return Map.of(
                "bpf_kfunc_st_ops_test_prologue",
                (mem, args) -> TestmodKfuncs.testStOpsMember(stOps, TestmodKfuncs.TEST_PROLOGUE, mem, args),
                "bpf_kfunc_st_ops_test_epilogue",
                (mem, args) -> TestmodKfuncs.testStOpsMember(stOps, TestmodKfuncs.TEST_EPILOGUE, mem, args),
                "bpf_kfunc_st_ops_test_pro_epilogue",
                (mem, args) -> TestmodKfuncs.testStOpsMember(stOps, TestmodKfuncs.TEST_PRO_EPILOGUE, mem, args),
                "bpf_kfunc_st_ops_inc10", TestmodKfuncs::inc10,
                "bpf_kfunc_st_ops_inc100", TestmodKfuncs::inc100);
    }
}
