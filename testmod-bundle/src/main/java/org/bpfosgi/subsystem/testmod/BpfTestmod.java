package org.bpfosgi.subsystem.testmod;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.BtfRegInfo;
import org.bpfosgi.subsystem.GenEpilogue;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.Kfunc;
import org.bpfosgi.subsystem.KfuncSetRegistration;
import org.bpfosgi.subsystem.VerifierLog;
import org.bpfosgi.subsystem.VerifierOps;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The bpf_testmod module (tools/testing/selftests/bpf/test_kmods/bpf_testmod.c, spec §6.1–6.3):
 * activate is its module_init, deactivate its module_exit, and the service it publishes is its
 * verifier ops — {@code st_ops_verifier_ops} with the struct_ops type {@code bpf_testmod_st_ops}
 * and the kfunc set {@code bpf_testmod_check_kfunc_ids} (declared in its BTF header
 * {@code bpf/bpf_testmod.h}).
 *
 * <p>Not modelled: struct_ops map registration (bpf_testmod_st_ops {@code reg}/{@code unreg}); no
 * {@code bpf_testmod_st_ops} is ever registered, so the {@code bpf_kfunc_st_ops_test_*} kfuncs return -1 as the kernel's do then.
 */
@Component(service = VerifierOps.class, immediate = true, property = "bpf.module=bpf_testmod")
public class BpfTestmod implements VerifierOps {
    /** sizeof(struct st_ops_args). */
    static final int ST_OPS_ARGS_SIZE = 8;

    /** module_init: the registrations themselves are made by the kernel from this service. */
    @Activate
    void init() {
    }

    /** module_exit. */
    @Deactivate
    void exit() {
    }

    @Override
    public List<String> structOpsTypes() {
        return List.of("bpf_testmod_st_ops");
    }

    /** register_btf_kfunc_id_set() for SCHED_CLS, TRACING, SYSCALL and STRUCT_OPS. */
    @Override
    public List<KfuncSetRegistration> kfuncSets() {
        return List.of(new KfuncSetRegistration("bpf_testmod_check_kfunc_ids",
                List.of(BpfProgType.SCHED_CLS, BpfProgType.TRACING, BpfProgType.SYSCALL, BpfProgType.STRUCT_OPS)));
    }

    @Override
    public Map<String, Kfunc> kfuncs() {
        return Map.of(
                "bpf_kfunc_st_ops_test_prologue", TestmodKfuncs::testStOpsMember,
                "bpf_kfunc_st_ops_test_epilogue", TestmodKfuncs::testStOpsMember,
                "bpf_kfunc_st_ops_test_pro_epilogue", TestmodKfuncs::testStOpsMember,
                "bpf_kfunc_st_ops_inc10", TestmodKfuncs::inc10,
                "bpf_kfunc_st_ops_inc100", TestmodKfuncs::inc100);
    }

    /** {@code .is_valid_access = bpf_tracing_btf_ctx_access}. */
    @Override
    public boolean isValidAccess(int off, int size, BpfAccessType type, BpfProgInfo prog, InsnAccessAux info) {
        return prog.tracingBtfCtxAccess(off, size, type, info);
    }

    /**
     * Models st_ops_btf_struct_access(): a write is allowed only inside {@code struct st_ops_args}
     * (the only writable pointer a program gets); no log message, -EACCES.
     */
    @Override
    public int btfStructAccess(VerifierLog log, BtfRegInfo reg, int off, int size) {
        if (off < 0 || off + size > ST_OPS_ARGS_SIZE) {
            return -13; // -EACCES
        }
        return 0;
    }

    /** {@code .gen_prologue = st_ops_gen_prologue} ({@link TestmodGenerators}). */
    @Override
    public Optional<GenPrologue> genPrologue() {
        return Optional.of(TestmodGenerators::genPrologue);
    }

    /** {@code .gen_epilogue = st_ops_gen_epilogue} ({@link TestmodGenerators}). */
    @Override
    public Optional<GenEpilogue> genEpilogue() {
        return Optional.of(TestmodGenerators::genEpilogue);
    }

    /** {@code .get_func_proto = bpf_base_func_proto}. */
    @Override
    public BpfFuncProto getFuncProto(int funcId, BpfProgInfo prog) {
        return prog.baseFuncProto(funcId);
    }
}
