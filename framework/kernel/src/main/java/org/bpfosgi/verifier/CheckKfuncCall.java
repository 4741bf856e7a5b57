package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.KfFlags;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfProgType;

/**
 * Models kernel/bpf/verifier.c check_kfunc_call() with fetch_kfunc_meta(): the kfunc must be in a
 * set registered for the program type, its arguments pass {@link CheckKfuncArgs}, a KF_RELEASE
 * kfunc releases its reference (release_reference()), R0-R5 are clobbered and R0 set from the
 * BTF return type (acquire_reference_state() for KF_ACQUIRE).
 */
final class CheckKfuncCall {
    private final DoCheck dc;
    private final VerifierEnv env;

    CheckKfuncCall(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    static BtfObject kfuncBtf(VerifierEnv env, int offset) {
        if (offset == 0) {
            return env.btfs().vmlinux();
        }
        if (env.aux.kfuncBtfTab != null) {
            for (KfuncBtf b : env.aux.kfuncBtfTab) {
                if (b.offset() == offset) {
                    return b.btf();
                }
            }
        }
        return null;
    }

    /** The name disasm_kfunc_name() prints for a kfunc call. */
    static String kfuncName(VerifierEnv env, int funcId, int offset) {
        BtfObject b = kfuncBtf(env, offset);
        if (b == null || funcId <= 0 || funcId >= b.btf().nrTypes()) {
            return null;
        }
        return b.btf().name(funcId);
    }

    /** Models check_kfunc_call(). */
    int checkKfuncCall(int idx, Insn insn) {
        if (insn.imm() == 0) {
            // an unresolved weak kfunc: must be dead code (fixup_kfunc_call() rejects it otherwise)
            return 0;
        }
        BtfObject descBtf = kfuncBtf(env, insn.off());
        if (descBtf == null) {
            return env.err(Errno.EFAULT, "verifier internal error: kernel function descriptor not found for func_id %u\n", insn.imm());
        }
        Btf btf = descBtf.btf();
        int funcId = insn.imm();
        String funcName = btf.name(funcId);
        BtfType.FuncProto proto = btf.funcProto(funcId);
        // fetch_kfunc_meta(): the kfunc must be in a set registered for this program type
        OptionalInt flagsOpt = env.kernel.registry().kfuncFlags(descBtf, funcId, env.attr.progType(), new ProgInfo(env));
        if (flagsOpt.isEmpty()) {
            return env.err(Errno.EACCES, "calling kernel function %s is not allowed\n", funcName);
        }
        int flags = flagsOpt.getAsInt();
        if ((flags & KfFlags.KF_DESTRUCTIVE) != 0 && (env.attr.capabilities() & BpfProgLoadAttr.CAP_SYS_ADMIN) == 0) {
            return env.err(Errno.EACCES, "destructive kfunc calls require CAP_SYS_BOOT capability\n");
        }
        if ((flags & KfFlags.KF_SLEEPABLE) != 0 && !env.aux.sleepable) {
            return env.err(Errno.EACCES, "program must be sleepable to call sleepable kfunc %s\n", funcName);
        }
        int[] refObjId = {0};
        int r = dc.kfuncArgs.checkKfuncArgs(idx, funcName, btf, proto, flags, refObjId);
        if (r < 0) {
            return r;
        }
        boolean release = (flags & KfFlags.KF_RELEASE) != 0;
        if (release) {
            r = releaseReference(refObjId[0]);
            if (r < 0) {
                return r;
            }
        }
        dc.clobberCallerSaved();
        int ret = btf.resolve(proto.returnType());
        boolean acquire = (flags & KfFlags.KF_ACQUIRE) != 0;
        if (ret == 0) {
            if (acquire) {
                return env.err(Errno.EINVAL, "acquire kernel function does not return PTR_TO_BTF_ID\n");
            }
            return 0;
        }
        BtfKind rk = btf.kind(ret);
        if (rk == BtfKind.INT || rk == BtfKind.ENUM || rk == BtfKind.ENUM64) {
            if (acquire) {
                return env.err(Errno.EINVAL, "acquire kernel function does not return PTR_TO_BTF_ID\n");
            }
            dc.setReg(BPF_REG_0, RegState.UNKNOWN_SCALAR);
            return 0;
        }
        if (rk != BtfKind.PTR) {
            return env.err(Errno.EINVAL, "kernel function %s returns pointer type %s %s is not supported\n", funcName,
                    rk.name(), btf.name(ret));
        }
        int pointee = btf.resolve(((BtfType.Ref) btf.type(ret)).type());
        if (btf.kind(pointee) != BtfKind.STRUCT) {
            return env.err(Errno.EINVAL, "kernel function %s returns pointer type %s %s is not supported\n", funcName,
                    btf.kind(pointee).name(), btf.name(pointee));
        }
        int rflags = (flags & KfFlags.KF_RET_NULL) != 0 ? RegState.PTR_MAYBE_NULL : 0;
        int id = 0;
        int ref = 0;
        if (acquire) {
            // acquire_reference_state()
            id = dc.newId();
            ref = id;
            List<VerifierState.RefState> refs = new ArrayList<>(dc.cur.refs);
            refs.add(new VerifierState.RefState(id, idx));
            dc.cur.refs = refs;
        } else if (rflags != 0) {
            id = dc.newId();
        }
        dc.setReg(BPF_REG_0, RegState.btfPtr(descBtf, pointee, rflags, id, ref));
        return 0;
    }

    /** Models release_reference(): the reference goes, and every register carrying it is invalidated. */
    private int releaseReference(int refObjId) {
        List<VerifierState.RefState> refs = new ArrayList<>(dc.cur.refs);
        if (!refs.removeIf(rs -> rs.id() == refObjId)) {
            return env.err(Errno.EFAULT, "verifier internal error: release of unknown reference %d\n", refObjId);
        }
        dc.cur.refs = refs;
        // mark_reg_invalid(): unknown scalar for a privileged program (allow_ptr_leaks), else NOT_INIT
        RegState invalid = env.allowPtrLeaks ? RegState.UNKNOWN_SCALAR : RegState.NOT_INIT;
        dc.forEachReg(dc.cur, reg -> reg.refObjId() == refObjId ? invalid : reg);
        return 0;
    }

}
