package org.bpfosgi.verifier;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.InsnAccessAux;

/** The program under verification as the subsystem's callbacks see it ({@code const struct bpf_prog *}). */
final class ProgInfo implements BpfProgInfo {
    private final VerifierEnv env;

    ProgInfo(VerifierEnv env) {
        this.env = env;
    }

    @Override
    public String name() {
        return env.aux.name;
    }

    @Override
    public String attachFuncName() {
        return env.aux.attachFuncName;
    }

    @Override
    public int attachStOpsMemberOff() {
        return env.aux.attachStOpsMemberOff;
    }

    @Override
    public org.bpfosgi.btf.api.BtfTypes attachBtf() {
        return env.aux.attachBtf.btf();
    }

    @Override
    public org.bpfosgi.subsystem.StructOps stOps() {
        return env.aux.stOps == null ? null : env.aux.stOps.stOps();
    }

    @Override
    public Insn firstInsn() {
        return env.insns.get(0);
    }

    @Override
    public boolean tracingBtfCtxAccess(int off, int size, BpfAccessType type, InsnAccessAux info) {
        return BtfCtxAccess.bpfTracingBtfCtxAccess(env, off, size, type, info);
    }

    @Override
    public BpfFuncProto baseFuncProto(int funcId) {
        return BaseFuncProtos.bpfBaseFuncProto(funcId);
    }
}
