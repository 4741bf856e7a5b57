package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c check_func_call() with setup_func_entry() for a static
 * subprogram: R1-R5 are passed to the callee's frame, the caller's R0-R5 become NOT_INIT.
 */
final class CheckFuncCall {
    private final DoCheck dc;
    private final VerifierEnv env;

    CheckFuncCall(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    /** Models check_func_call() with setup_func_entry() for a static subprogram. */
    int checkFuncCall(int idx, Insn insn) {
        VerifierState st = dc.cur;
        if (st.curframe + 1 >= MAX_CALL_FRAMES) {
            return env.err(Errno.E2BIG, "the call stack of %d frames is too deep\n", st.curframe + 2);
        }
        int target = idx + insn.imm() + 1;
        int subprog = env.findSubprog(target);
        if (subprog < 0) {
            return env.err(Errno.EFAULT, "verifier bug. No program starts at insn %d\n", target);
        }
        FuncState caller = st.cur();
        FuncState callee = new FuncState(idx, st.curframe + 1, subprog);
        // set_callee_state(): copy r1 - r5 args that callee can access. The copy includes parent
        // pointers (and the live marks), which connects us up to the liveness chain: a read of an
        // argument before the callee's first checkpoint marks the caller's checkpoint register
        for (int i = BPF_REG_1; i <= BPF_REG_5; i++) {
            callee.regs[i] = caller.regs[i];
            callee.regLive[i] = caller.regLive[i];
            callee.regParent[i] = caller.regParent[i];
        }
        callee.regs[BPF_REG_FP] = RegState.stack(callee.frameno, 0);
        // clear_caller_saved_regs(): mark_reg_not_init() and __check_reg_arg(DST_OP_NO_MARK), written
        for (int i = 0; i < DoCheck.CALLER_SAVED_REGS; i++) {
            caller.regs[i] = RegState.NOT_INIT;
            caller.regLive[i] |= FuncState.REG_LIVE_WRITTEN;
        }
        st.curframe++;
        st.frame[st.curframe] = callee;
        if (dc.printer.on()) {
            dc.printer.text("caller:\n");
            dc.printer.printVerifierState(caller, true);
            dc.printer.text("callee:\n");
            dc.printer.printVerifierState(callee, true);
        }
        dc.printer.scratchAll();
        st.insnIdx = target;
        return 0;
    }

}
