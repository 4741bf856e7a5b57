package org.bpfosgi.subsystem.testmod;

import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.BtfRegInfo;
import org.bpfosgi.subsystem.GenEpilogue;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.VerifierLog;
import org.bpfosgi.subsystem.VerifierOps;

/** bpf_testmod.c {@code st_ops_verifier_ops}. */
final class StOpsVerifierOps implements VerifierOps {
    /** sizeof(struct st_ops_args). */
    static final int ST_OPS_ARGS_SIZE = 8;

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
    public void btfStructAccess(VerifierLog log, BtfRegInfo reg, int off, int size) {
        if (off < 0 || off + size > ST_OPS_ARGS_SIZE) {
            throw new KernelException(Errno.EACCES);
        }
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
