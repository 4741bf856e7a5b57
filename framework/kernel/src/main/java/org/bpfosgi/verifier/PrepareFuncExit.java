package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.List;

import org.bpfosgi.btf.BtfType;
import org.bpfosgi.errno.Errno;

/**
 * The BPF_EXIT of do_check(): models kernel/bpf/verifier.c prepare_func_exit() for a subprogram,
 * and for the main program check_reference_leak() and check_return_code().
 */
final class PrepareFuncExit {
    private final DoCheck dc;
    private final VerifierEnv env;

    PrepareFuncExit(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    /** The BPF_EXIT of do_check(): prepare_func_exit() for a subprogram, the exit checks for main. */
    int checkExit(int idx) {
        VerifierState st = dc.cur;
        if (st.curframe > 0) {
            return prepareFuncExit();
        }
        int r = checkReferenceLeak();
        if (r < 0) {
            return r;
        }
        r = checkReturnCode();
        if (r < 0) {
            return r;
        }
        return DoCheck.PATH_DONE;
    }

    /** Models prepare_func_exit(). */
    private int prepareFuncExit() {
        VerifierState st = dc.cur;
        FuncState callee = st.cur();
        RegState r0 = callee.regs[BPF_REG_0];
        // a static subprogram may return nothing (void): the caller fails only if it reads R0
        // any stack pointer, the caller's too: the kernel is conservative here
        if (r0.type() == RegType.PTR_TO_STACK) {
            return env.err(Errno.EINVAL, "cannot return stack pointer to the caller\n");
        }
        FuncState caller = st.frame[st.curframe - 1];
        // return to the caller whatever r0 had in the callee: the whole bpf_reg_state, its live
        // marks and parent link too, so a read in the caller marks the callee's checkpoints
        caller.regs[BPF_REG_0] = r0;
        caller.regLive[BPF_REG_0] = callee.regLive[BPF_REG_0];
        caller.regParent[BPF_REG_0] = callee.regParent[BPF_REG_0];
        if (dc.printer.on()) {
            dc.printer.text("returning from callee:\n");
            dc.printer.printVerifierState(callee, true);
            dc.printer.text("to caller at %d:\n", callee.callsite + 1);
            dc.printer.printVerifierState(caller, true);
        }
        st.frame[st.curframe] = null;
        st.curframe--;
        dc.printer.scratchAll();
        st.insnIdx = callee.callsite + 1;
        return 0;
    }

    /**
     * Models check_reference_leak(), with v6.15's "bpf: Allow struct_ops prog to return
     * referenced kptr" (Qdisc_ops.dequeue): the reference R0 holds is not a leak in a struct_ops
     * program; check_return_code() checks its type.
     */
    private int checkReferenceLeak() {
        List<VerifierState.RefState> refs = dc.cur.refs;
        boolean lingering = false;
        int r0Ref = dc.reg(BPF_REG_0).refObjId();
        for (VerifierState.RefState rs : refs) {
            if (env.aux.stOps != null && r0Ref == rs.id()) {
                continue;
            }
            env.verbose("Unreleased reference id=%d alloc_insn=%d\n", rs.id(), rs.insnIdx());
            lingering = true;
        }
        return lingering ? Errno.EINVAL.negative() : 0;
    }

    /** Models check_return_code() for BPF_PROG_TYPE_STRUCT_OPS. */
    private int checkReturnCode() {
        BtfType.FuncProto proto = env.aux.attachFuncProto;
        if (proto != null && proto.returnType() == 0) {
            // a void member: the program's return value is ignored
            return 0;
        }
        RegState r0 = dc.reg(BPF_REG_0);
        // v6.15: a referenced kptr of the member's return type, unmodified, goes back to the kernel
        int retType = proto == null ? -1 : CheckReturnCodeKptr.btfTypeResolvePtr(env.aux.attachBtf, proto.returnType());
        if (retType > 0 && CheckReturnCodeKptr.sameType(r0, env.aux.attachBtf, retType) && r0.refObjId() != 0) {
            return CheckReturnCodeKptr.checkPtrOffReg(env, r0, BPF_REG_0);
        }
        if (r0.type() != RegType.NOT_INIT) {
            // check_reg_arg(BPF_REG_0, SRC_OP) of the exit
            dc.markRegRead(BPF_REG_0);
        }
        if (r0.type() == RegType.NOT_INIT) {
            return env.err(Errno.EACCES, "R0 !read_ok\n");
        }
        if (dc.isPointerValue(r0)) {
            return env.err(Errno.EACCES, "R0 leaks addr as return value\n");
        }
        if (retType <= 0) {
            return 0;
        }
        // v6.15: otherwise a pointer-returning member's program returns NULL: retval_range(0, 0)
        return CheckReturnCodeKptr.checkRetvalZero(dc, env, r0);
    }
}
