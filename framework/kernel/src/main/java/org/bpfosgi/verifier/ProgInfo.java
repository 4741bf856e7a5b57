package org.bpfosgi.verifier;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.KfuncPolicy;

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

    @Override
    public KfuncPolicy kfuncPolicy() {
        return env.aux.kfuncPolicy;
    }

    /** The struct_ops owner's .BTF_ids (its module BTF, or vmlinux's for a built-in subsystem). */
    @Override
    public int[] btfIdList(String listName) {
        if (env.aux.stOps == null) {
            throw new IllegalArgumentException("no struct_ops owner for BTF_ID_LIST " + listName);
        }
        return env.aux.stOps.btf().compiled().ids(listName);
    }

    /** bpf_find_btf_id() on vmlinux: btf_find_by_name_kind(btf_vmlinux, name, kind). */
    @Override
    public int findBtfId(String name, BtfKind kind) {
        return env.btfs().vmlinux().btf().findByNameKind(name, kind);
    }

    @Override
    public int bpfCallImm(String function) {
        long addr = env.kernel.kallsyms().lookupName(function);
        if (addr == 0) {
            throw new IllegalArgumentException("kallsyms has no " + function);
        }
        return (int) Kallsyms.callImm(addr);
    }
}
