package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.verifier.VerifierState.Checkpoint;

/**
 * Models kernel/bpf/verifier.c do_check() (with do_check_common() for the main program): the
 * abstract interpreter. One path is followed at a time; a conditional jump whose outcome is not
 * known pushes the other branch (push_stack()); a path ends at the main program's exit or when
 * is_state_visited() finds an explored state at a prune point that covers it.
 *
 * <p>The instruction classes are checked by {@link CheckAluOp}, {@link CheckMemAccess},
 * {@link CheckCondJmpOp}, {@link CheckHelperCall}, {@link CheckKfuncCall} (with
 * {@link CheckKfuncArgs}), {@link CheckFuncCall} and {@link PrepareFuncExit}; state pruning is {@link IsStateVisited}; the log is {@link VerifierLogPrinter}.
 */
final class DoCheck {
    /** CALLER_SAVED_REGS. */
    static final int CALLER_SAVED_REGS = 6;
    /** BPF_COMPLEXITY_LIMIT_INSNS. */
    static final int BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
    /** BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branches at most. */
    static final int BPF_COMPLEXITY_LIMIT_JMP_SEQ = 8192;

    /** A path ended (exit of the main program, or pruned). */
    static final int PATH_DONE = 1;

    final VerifierEnv env;
    final boolean[] prunePoint;
    final IsStateVisited visited;
    final VerifierLogPrinter printer;
    final ArrayDeque<VerifierState> pending = new ArrayDeque<>();
    VerifierState cur;
    final CheckMemAccess mem;
    final CheckMapAccess mapAccess;
    final CheckAluOp alu;
    final CheckCondJmpOp jmp;
    final CheckHelperCall helperCall;
    final CheckKfuncCall kfuncCall;
    final CheckKfuncArgs kfuncArgs;
    final CheckFuncCall funcCall;
    final PrepareFuncExit funcExit;
    int jmpsProcessed;
    /** env->insn_idx and env->prev_insn_idx of the instruction being checked. */
    int curInsnIdx;
    int prevInsnIdx;
    /** mark_jmp_point() marks. */
    final boolean[] jmpPoint;
    /** env->cur_hist_ent: the history entry the current instruction pushed (pushes merge into it). */
    VerifierState.HistEntry curHistEnt;
    final MarkChainPrecision precision;

    DoCheck(VerifierEnv env, boolean[] prunePoint) {
        this.env = env;
        this.prunePoint = prunePoint;
        this.visited = new IsStateVisited(this);
        this.jmpPoint = new boolean[env.insns.size()];
        CheckCfg.markJmpPoints(env.insns, jmpPoint);
        this.precision = new MarkChainPrecision(this);
        this.printer = new VerifierLogPrinter(this);
        this.mem = new CheckMemAccess(this);
        this.mapAccess = new CheckMapAccess(this);
        this.alu = new CheckAluOp(this);
        this.jmp = new CheckCondJmpOp(this);
        this.helperCall = new CheckHelperCall(this);
        this.kfuncCall = new CheckKfuncCall(this);
        this.kfuncArgs = new CheckKfuncArgs(this);
        this.funcCall = new CheckFuncCall(this);
        this.funcExit = new PrepareFuncExit(this);
    }

    /** Models do_check_common(env, 0) followed by do_check(). */
    int run() {
        VerifierState st = new VerifierState();
        FuncState f = new FuncState(-1, 0, 0);
        f.regs[BPF_REG_1] = RegState.ctx();
        f.regs[BPF_REG_FP] = RegState.stack(0, 0);
        st.frame[0] = f;
        st.curframe = 0;
        // do_check_common() (v6.12): state->first_insn_idx = env->subprog_info[subprog].start (0),
        // state->last_insn_idx = -1; do_check() starts with its local prev_insn_idx = -1, which
        // the first instruction copies into env->prev_insn_idx and state->last_insn_idx (and a
        // jump history entry pushed there into prev_idx); do_print_state starts false, so no
        // "from -1 to 0" line is printed
        st.firstInsnIdx = 0;
        st.lastInsnIdx = -1;
        st.prevInsnIdx = -1;
        cur = st;
        // do_check_common() (v6.14): one reference per __ref argument of the struct_ops member
        if (env.aux.stOps != null) {
            for (int arg : new java.util.TreeSet<>(env.aux.stOps.stOps().refcountedArgs(env.aux.attachFuncName))) {
                if (arg >= 0 && arg < ctxArgRefObjId.length) {
                    ctxArgRefObjId[arg] = newId();
                    st.refs.add(new VerifierState.RefState(ctxArgRefObjId[arg], 0));
                }
            }
        }
        printer.scratchAll();
        return loop();
    }

    private int loop() {
        List<Insn> insns = env.insns;
        int n = insns.size();
        while (true) {
            int idx = cur.insnIdx;
            if (idx < 0 || idx >= n) {
                return env.err(Errno.EFAULT, "invalid insn idx %d insn_cnt %d\n", idx, n);
            }
            Insn insn = insns.get(idx);
            if (++env.insnProcessed > BPF_COMPLEXITY_LIMIT_INSNS) {
                return env.err(Errno.E2BIG, "BPF program is too large. Processed %d insn\n", env.insnProcessed);
            }
            env.seen[idx] = true;
            curInsnIdx = idx;
            prevInsnIdx = cur.prevInsnIdx;
            curHistEnt = null;
            cur.lastInsnIdx = cur.prevInsnIdx;
            if (prunePoint[idx]) {
                int r = visited.run(idx);
                if (r < 0) {
                    return r;
                }
                if (r == 1) {
                    printer.safe(idx);
                    int p = processPathEnd();
                    if (p <= 0) {
                        return p;
                    }
                    continue;
                }
            }
            if (jmpPoint[idx]) {
                pushJmpHistory();
            }
            printer.insn(idx, insn, insns);
            cur.prevInsnIdx = idx;
            int r = step(idx, insn);
            if (r < 0) {
                return r;
            }
            if (r == PATH_DONE) {
                int p = processPathEnd();
                if (p <= 0) {
                    return p;
                }
            }
        }
    }

    /** Models the process_bpf_exit label: update_branch_counts() and pop_stack(). 1 = continue, 0 = done. */
    private int processPathEnd() {
        // update_branch_counts(env, env->cur_state): the current state's own step
        if (cur.parent != null && cur.loopEntry != null) {
            UpdateLoopEntry.update(cur.parent.state, cur.loopEntry);
        }
        updateBranchCounts(cur.parent);
        VerifierState next = pending.pollLast();
        if (next == null) {
            return 0;
        }
        int from = next.prevInsnIdx;
        cur = next;
        printer.fromTo(from, cur.insnIdx);
        return 1;
    }

    /** Models push_jmp_history(): one entry per instruction, later pushes of the same one merge. */
    VerifierState.HistEntry pushJmpHistory() {
        if (curHistEnt == null) {
            curHistEnt = new VerifierState.HistEntry(curInsnIdx, prevInsnIdx);
            cur.jmpHistory.add(curHistEnt);
        } else if (curHistEnt.shared) {
            // a state pushed at this instruction shares the entry: this state changes its own copy
            curHistEnt = curHistEnt.copy();
            cur.jmpHistory.set(cur.jmpHistory.size() - 1, curHistEnt);
        }
        return curHistEnt;
    }

    /** Models update_branch_counts(). */
    static void updateBranchCounts(Checkpoint cp) {
        while (cp != null) {
            if (--cp.branches > 0) {
                break;
            }
            // finished: a loop this checkpoint turned out to be part of is its parent's too
            if (cp.parent != null && cp.state.loopEntry != null) {
                UpdateLoopEntry.update(cp.parent.state, cp.state.loopEntry);
            }
            cp = cp.parent;
        }
    }

    /** Models push_stack(): the other branch continues later from {@code insnIdx}. */
    VerifierState pushStack(int insnIdx, int prevIdx) {
        if (pending.size() > BPF_COMPLEXITY_LIMIT_JMP_SEQ) {
            env.verbose("The sequence of %d jumps is too complex.\n", pending.size());
            return null;
        }
        VerifierState s = cur.copy();
        if (curHistEnt != null) {
            curHistEnt.shared = true;
        }
        s.insnIdx = insnIdx;
        s.prevInsnIdx = prevIdx;
        if (cur.parent != null) {
            cur.parent.branches++;
        }
        pending.addLast(s);
        return s;
    }

    private int step(int idx, Insn insn) {
        int cls = insn.cls();
        switch (cls) {
            case BPF_ALU, BPF_ALU64 -> {
                int r = alu.run(insn);
                if (r < 0) {
                    return r;
                }
                cur.insnIdx = idx + 1;
                return 0;
            }
            case BPF_LDX -> {
                int r = mem.checkLdx(idx, insn);
                if (r < 0) {
                    return r;
                }
                cur.insnIdx = idx + 1;
                return 0;
            }
            case BPF_STX -> {
                int r = insn.mode() == BPF_ATOMIC ? mem.checkAtomic(idx, insn) : mem.checkStx(idx, insn);
                if (r < 0) {
                    return r;
                }
                cur.insnIdx = idx + 1;
                return 0;
            }
            case BPF_ST -> {
                int r = mem.checkSt(idx, insn);
                if (r < 0) {
                    return r;
                }
                cur.insnIdx = idx + 1;
                return 0;
            }
            case BPF_LD -> {
                if (insn.isLdImm64()) {
                    int r = CheckLdImm.run(this, idx, insn, env.insns.get(idx + 1));
                    if (r < 0) {
                        return r;
                    }
                    // env->insn_idx++; sanitize_mark_insn_seen(): the second half is seen too, or
                    // opt_remove_dead_code() would remove it
                    env.seen[idx + 1] = true;
                    cur.insnIdx = idx + 2;
                    return 0;
                }
                // BPF_LD_[ABS|IND]: may_access_skb() is false for struct_ops
                return env.err(Errno.EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type\n");
            }
            case BPF_JMP, BPF_JMP32 -> {
                jmpsProcessed++;
                int op = insn.op();
                if (op == BPF_CALL) {
                    if (insn.isPseudoCall()) {
                        return funcCall.checkFuncCall(idx, insn);
                    }
                    int r = insn.isKfuncCall() ? kfuncCall.checkKfuncCall(idx, insn) : helperCall.checkHelperCall(idx, insn);
                    if (r < 0) {
                        return r;
                    }
                    cur.insnIdx = idx + 1;
                    return 0;
                }
                if (op == BPF_JA) {
                    cur.insnIdx = idx + (insn.isGotol() ? insn.imm() : insn.off()) + 1;
                    return 0;
                }
                if (op == BPF_EXIT) {
                    return funcExit.checkExit(idx);
                }
                return jmp.run(idx, insn);
            }
            default -> {
                return env.err(Errno.EINVAL, "unknown insn class %d\n", cls);
            }
        }
    }

    // ------------------------------------------------------------------ registers

    /** R0-R5 become NOT_INIT after every call (the loop over caller_saved[] in the call checks). */
    void clobberCallerSaved() {
        for (int i = 0; i < CALLER_SAVED_REGS; i++) {
            setReg(i, RegState.NOT_INIT);
            cur.cur().regLive[i] |= FuncState.REG_LIVE_WRITTEN;
        }
    }

    /**
     * Models mark_reg_read() for register {@code regno} of the current frame: the read is
     * recorded on the register's parent (the same register of the checkpoint above, or for a
     * callee's argument the caller's), and on up the parent links, until a register written in
     * its own segment (REG_LIVE_WRITTEN screens the read) or one already marked. R10 is never marked.
     */
    void markRegRead(int regno) {
        if (regno == BPF_REG_FP) {
            return;
        }
        FuncState f = cur.cur();
        markRead(f, regno, false, f.regParent[regno], true);
    }

    /** Models mark_reg_read() of the spilled_ptr of stack slot {@code spi} of frame {@code frameno}. */
    void markSlotRead(int frameno, int spi) {
        FuncState f = cur.frame[frameno];
        markRead(f, spi, true, f.slotParent[spi], true);
    }

    /**
     * Models the walk of mark_reg_read(env, state, parent, flag): {@code writes} (parent ==
     * state->parent) observes the write mark of {@code state} at the first step, every later step
     * does; a parent already marked ends the walk.
     */
    static void markRead(FuncState state, int i, boolean slot, FuncState parent, boolean writes) {
        while (parent != null) {
            byte[] live = slot ? state.slotLive : state.regLive;
            // if read wasn't screened by an earlier write ...
            if (writes && (live[i] & FuncState.REG_LIVE_WRITTEN) != 0) {
                return;
            }
            byte[] plive = slot ? parent.slotLive : parent.regLive;
            if ((plive[i] & FuncState.REG_LIVE_READ) != 0) {
                return;
            }
            // ... then we depend on parent's value
            plive[i] |= FuncState.REG_LIVE_READ;
            state = parent;
            parent = slot ? state.slotParent[i] : state.regParent[i];
            writes = true;
        }
    }

    RegState reg(int regno) {
        return cur.regs()[regno];
    }

    void setReg(int regno, RegState r) {
        cur.regs()[regno] = r;
        printer.scratchReg(regno);
    }

    /**
     * Models check_reg_arg(): a source register must be initialised ("R%d !read_ok"); a
     * destination must not be the frame pointer ("frame pointer is read only").
     */
    int checkRegArg(int regno, boolean src) {
        if (regno >= MAX_BPF_REG) {
            return env.err(Errno.EINVAL, "R%d is invalid\n", regno);
        }
        printer.scratchReg(regno);
        if (src) {
            if (reg(regno).type() == RegType.NOT_INIT) {
                return env.err(Errno.EACCES, "R%d !read_ok\n", regno);
            }
            markRegRead(regno);
            return 0;
        }
        if (regno == BPF_REG_FP) {
            return env.err(Errno.EACCES, "frame pointer is read only\n");
        }
        cur.cur().regLive[regno] |= FuncState.REG_LIVE_WRITTEN;
        return 0;
    }

    /** Models __is_pointer_value(env->allow_ptr_leaks, reg). */
    boolean isPointerValue(RegState r) {
        return !env.allowPtrLeaks && r.isPointer();
    }

    /** {@code ctx_arg_info[arg].ref_obj_id}: the reference of each __ref argument, 0 for the others. */
    final int[] ctxArgRefObjId = new int[BtfCtxAccess.MAX_BPF_FUNC_ARGS];

    int newId() {
        return ++env.idGen;
    }

    /** Every register and spilled register of every frame, for mark_ptr_or_null_regs()/release_reference(). */
    interface RegVisitor {
        RegState visit(RegState r);
    }

    void forEachReg(VerifierState st, RegVisitor v) {
        for (int i = 0; i <= st.curframe; i++) {
            FuncState f = st.frame[i];
            for (int r = 0; r < MAX_BPF_REG; r++) {
                f.regs[r] = v.visit(f.regs[r]);
            }
            for (int s = 0; s < f.allocatedStack / 8; s++) {
                if (f.spilled[s] != null) {
                    f.spilled[s] = v.visit(f.spilled[s]);
                }
            }
        }
    }

    String disasm(Insn insn, Insn next) {
        return Disassembler.print(insn, next, printer.callbacks(), env.allowPtrLeaks);
    }

    List<VerifierState> pendingStates() {
        return new ArrayList<>(pending);
    }
}
