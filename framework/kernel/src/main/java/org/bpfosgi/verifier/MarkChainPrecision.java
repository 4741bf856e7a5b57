package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c (v6.12) __mark_chain_precision() with struct backtrack_state,
 * backtrack_insn(), get_prev_insn_idx(), bt_sync_linked_regs(), bt_subprog_enter() /
 * bt_subprog_exit(), mark_all_scalars_precise(), mark_all_scalars_imprecise() and
 * propagate_precision(): when a check depends on a scalar's exact value, the instructions of the
 * current path are walked backwards (through the jump history) to find which registers and
 * spilled stack slots of which frames of which explored states that value came from, and those
 * are marked precise. Explored states compare imprecise scalars as equal to anything
 * (regsafe()), so precision decides pruning.
 *
 * <p>Frames: the backtracking state keeps a register mask and a stack-slot mask per frame and
 * the frame it is in. Going backwards over a subprogram's BPF_EXIT enters the callee (frame + 1;
 * R0 stays wanted only when the instruction before the one after the exit is a bpf-to-bpf call);
 * going backwards over the call instruction leaves it (R1-R5 move to the caller's frame, frame - 1).
 * A spill or fill records its slot and frame in the jump history (INSN_F_STACK_ACCESS), so a slot
 * written through a pointer to a caller's stack is followed in the caller's frame.
 *
 * <p>The kernel's "BUG ..." consistency checks ("BUG regs %x" when R1-R5 are still wanted before
 * a helper call, "BUG stack slots %llx", "BUG subprog exit from frame 0", "BUG subprog enter from
 * frame %d", "BUG backtracking idx %d", "BUG backtracking (stack slot %d, total slots %d)", "BUG
 * backtracking func entry subprog %d reg_mask %x stack_mask %llx") print their line and make
 * __mark_chain_precision() return -EFAULT, as does a request for a register that is not a scalar
 * (WARN_ONCE "backtracing misuse", no log line). Every caller returns that error, so the load
 * fails -EFAULT at that instruction (see {@link #markChainPrecision} and
 * {@link #propagatePrecision}). These are invariant checks: no program the model verifies reaches
 * them (MarkChainPrecisionTest crafts the inconsistent states directly). Not modelled: global
 * subprograms and callbacks (the model has neither).
 */
final class MarkChainPrecision {
    /** -ENOTSUPP of backtrack_insn(): fall back to all scalars precise. */
    private static final int NOTSUPP = -524;
    /** -EFAULT after a "BUG" line (backtrack_insn(), __mark_chain_precision()). */
    private static final int BUG = Errno.EFAULT.negative();
    /** -ENOENT of get_prev_insn_idx(): the start of the state's segment. */
    private static final int ENOENT = -2;
    /** BPF_REGMASK_ARGS: R1-R5. */
    private static final int REGMASK_ARGS = 0x3e;

    private final DoCheck dc;
    private final VerifierEnv env;

    MarkChainPrecision(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    /** Models struct backtrack_state: the frame being walked and a register and slot mask per frame. */
    private static final class Bt {
        int frame;
        final int[] regMasks = new int[MAX_CALL_FRAMES];
        final long[] stackMasks = new long[MAX_CALL_FRAMES];

        Bt(int frame) {
            this.frame = frame;
        }

        /** bt_empty(): nothing wanted in frames 0..frame. */
        boolean empty() {
            long m = 0;
            for (int i = 0; i <= frame; i++) {
                m |= regMasks[i] | stackMasks[i];
            }
            return m == 0;
        }

        boolean isReg(int r) {
            return r < 32 && (regMasks[frame] & (1 << r)) != 0;
        }

        void setReg(int r) {
            regMasks[frame] |= 1 << r;
        }

        void clearReg(int r) {
            regMasks[frame] &= ~(1 << r);
        }

        boolean isSlot(int fr, int spi) {
            return (stackMasks[fr] & (1L << spi)) != 0;
        }
    }

    /**
     * Models mark_chain_precision(env, regno): a register of the current frame. 0, or -EFAULT
     * after a "BUG" line (or, with no line, for a register that is not a scalar: WARN_ONCE
     * "backtracing misuse"), which the caller returns. A negative {@code regno} is the kernel's
     * batch call with nothing in the mask: 0.
     */
    int markChainPrecision(int regno) {
        if (regno < 0) {
            return 0;
        }
        if (regno >= MAX_BPF_REG || !dc.reg(regno).isScalar()) {
            return BUG;
        }
        Bt bt = new Bt(dc.cur.curframe);
        bt.setReg(regno);
        return run(bt);
    }

    /** Models __mark_chain_precision() (regno -1: the batch propagate_precision() set up); 0 or -EFAULT. */
    private int run(Bt bt) {
        VerifierState st = dc.cur;
        int lastIdx = dc.curInsnIdx;
        int firstIdx = st.firstInsnIdx;
        int subseqIdx = -1;
        boolean skipFirst = true;
        if (bt.empty()) {
            return 0;
        }
        while (true) {
            if (dc.printer.level2()) {
                dc.printer.text("mark_precise: frame%d: last_idx %d first_idx %d subseq_idx %d \n", bt.frame, lastIdx,
                        firstIdx, subseqIdx);
            }
            if (lastIdx < 0) {
                // the entry of the main program (a global subprogram's entry is not modelled)
                env.verbose("BUG backtracking func entry subprog %d reg_mask %x stack_mask %llx\n",
                        st.frame[0].subprogno, bt.regMasks[bt.frame], bt.stackMasks[bt.frame]);
                return BUG;
            }
            int[] history = {st.jmpHistory.size()};
            int i = lastIdx;
            while (true) {
                if (skipFirst) {
                    skipFirst = false;
                } else {
                    VerifierState.HistEntry hist = history[0] > 0 && st.jmpHistory.get(history[0] - 1).idx == i
                            ? st.jmpHistory.get(history[0] - 1) : null;
                    int r = backtrackInsn(i, subseqIdx, hist, bt);
                    if (r == NOTSUPP) {
                        markAllScalarsPrecise(dc.cur);
                        return 0;
                    }
                    if (r < 0) {
                        return r;
                    }
                }
                if (bt.empty()) {
                    // found assignment(s) into the tracked registers in this state
                    return 0;
                }
                subseqIdx = i;
                i = getPrevInsnIdx(st, i, history);
                if (i == ENOENT) {
                    break;
                }
                if (i < 0 || i >= env.insns.size()) {
                    // backtracking reached insn 0 (i - 1 = -1, compared unsigned with prog->len)
                    // with registers or slots still wanted: the spot that set them was missed
                    env.verbose("BUG backtracking idx %d\n", i);
                    return BUG;
                }
            }
            VerifierState.Checkpoint p = st.parent;
            if (p == null) {
                break;
            }
            st = p.state;
            for (int fr = bt.frame; fr >= 0; fr--) {
                FuncState func = st.frame[fr];
                for (int r = 0; r < 32; r++) {
                    if ((bt.regMasks[fr] & (1 << r)) == 0) {
                        continue;
                    }
                    RegState reg = func.regs[r];
                    if (!reg.isScalar() || reg.precise()) {
                        bt.regMasks[fr] &= ~(1 << r);
                    } else {
                        func.regs[r] = reg.withPrecise(true);
                    }
                }
                for (int s = 0; s < 64; s++) {
                    if (!bt.isSlot(fr, s)) {
                        continue;
                    }
                    if (s >= func.allocatedStack / 8) {
                        env.verbose("BUG backtracking (stack slot %d, total slots %d)\n", s, func.allocatedStack / 8);
                        return BUG;
                    }
                    RegState reg = CheckMemAccess.isSpilledReg(func, s) ? func.spilled[s] : null;
                    if (reg == null || !reg.isScalar() || reg.precise()) {
                        bt.stackMasks[fr] &= ~(1L << s);
                    } else {
                        func.spilled[s] = reg.withPrecise(true);
                    }
                }
                if (dc.printer.level2()) {
                    dc.printer.text("mark_precise: frame%d: parent state regs=%s stack=%s: ", fr, regMask(bt.regMasks[fr]),
                            stackMask(bt.stackMasks[fr]));
                    dc.printer.printVerifierState(func, true);
                }
            }
            if (bt.empty()) {
                return 0;
            }
            subseqIdx = firstIdx;
            lastIdx = st.lastInsnIdx;
            firstIdx = st.firstInsnIdx;
        }
        // still wanted registers or slots: something was missed (e.g. a stack access through a
        // register other than r10), fall back to all precise
        if (!bt.empty()) {
            markAllScalarsPrecise(dc.cur);
        }
        return 0;
    }

    /**
     * Models get_prev_insn_idx(): through the jump history, else the previous instruction;
     * {@link #ENOENT} at the segment's start.
     */
    private static int getPrevInsnIdx(VerifierState st, int i, int[] history) {
        int cnt = history[0];
        if (i == st.firstInsnIdx) {
            if (cnt == 0) {
                return ENOENT;
            }
            if (cnt == 1 && st.jmpHistory.get(0).idx == i) {
                return ENOENT;
            }
        }
        if (cnt > 0 && st.jmpHistory.get(cnt - 1).idx == i) {
            history[0]--;
            return st.jmpHistory.get(cnt - 1).prevIdx;
        }
        return i - 1;
    }

    /** fmt_reg_mask(): "r1,r4". */
    private static String regMask(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 32; r++) {
            if ((mask & (1 << r)) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append('r').append(r);
            }
        }
        return sb.toString();
    }

    /** fmt_stack_mask(): "-8,-24". */
    private static String stackMask(long mask) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            if ((mask & (1L << i)) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(-(i + 1) * 8);
            }
        }
        return sb.toString();
    }

    /**
     * Models bt_sync_linked_regs(): if any register or slot linked at this jump is wanted, all of
     * them are.
     */
    private static void syncLinked(VerifierState.HistEntry hist, Bt bt) {
        if (hist == null || hist.linked == null || hist.linked.isEmpty()) {
            return;
        }
        List<int[]> linked = hist.linked;
        boolean somePrecise = false;
        for (int[] e : linked) {
            if (e[1] == 1 ? (bt.regMasks[e[0]] & (1 << e[2])) != 0 : bt.isSlot(e[0], e[2])) {
                somePrecise = true;
                break;
            }
        }
        if (!somePrecise) {
            return;
        }
        for (int[] e : linked) {
            if (e[1] == 1) {
                bt.regMasks[e[0]] |= 1 << e[2];
            } else {
                bt.stackMasks[e[0]] |= 1L << e[2];
            }
        }
    }

    /** Models backtrack_insn(): updates {@code bt} to what is wanted before instruction {@code idx}; 0, NOTSUPP or BUG. */
    private int backtrackInsn(int idx, int subseqIdx, VerifierState.HistEntry hist, Bt bt) {
        Insn insn = env.insns.get(idx);
        if (insn.code() == 0) {
            return 0;
        }
        if (dc.printer.level2()) {
            Insn next = idx + 1 < env.insns.size() ? env.insns.get(idx + 1) : null;
            dc.printer.text("mark_precise: frame%d: regs=%s stack=%s before %d: %s\n", bt.frame,
                    regMask(bt.regMasks[bt.frame]), stackMask(bt.stackMasks[bt.frame]), idx, dc.disasm(insn, next));
        }
        // registers that gained range at this instruction together are wanted together
        syncLinked(hist, bt);
        int cls = insn.cls();
        int dreg = insn.dst();
        int sreg = insn.src();
        int op = insn.op();
        if (cls == BPF_ALU || cls == BPF_ALU64) {
            if (!bt.isReg(dreg)) {
                return 0;
            }
            if (op == BPF_END || op == BPF_NEG) {
                // dreg still needs precision before this insn
                return 0;
            }
            if (op == BPF_MOV) {
                bt.clearReg(dreg);
                if (insn.source() == BPF_X && sreg != BPF_REG_FP) {
                    bt.setReg(sreg);
                }
            } else if (insn.source() == BPF_X && sreg != BPF_REG_FP) {
                bt.setReg(sreg);
            }
        } else if (cls == BPF_LDX) {
            if (!bt.isReg(dreg)) {
                return 0;
            }
            bt.clearReg(dreg);
            // only a fill from the stack keeps the scalar's precision to track
            if (hist == null || !hist.stackAccess) {
                return 0;
            }
            bt.stackMasks[hist.frameno] |= 1L << hist.spi;
        } else if (cls == BPF_STX || cls == BPF_ST) {
            if (bt.isReg(dreg)) {
                // stx & st shouldn't be using a scalar dst_reg to access memory: pointer subtraction
                return NOTSUPP;
            }
            // scalars can only be spilled into stack
            if (hist == null || !hist.stackAccess) {
                return 0;
            }
            if (!bt.isSlot(hist.frameno, hist.spi)) {
                return 0;
            }
            bt.stackMasks[hist.frameno] &= ~(1L << hist.spi);
            if (cls == BPF_STX) {
                bt.setReg(sreg);
            }
        } else if (cls == BPF_JMP || cls == BPF_JMP32) {
            if (insn.isPseudoCall()) {
                // a static subprogram's call instruction: leaving the callee backwards
                if ((bt.regMasks[bt.frame] & ~REGMASK_ARGS) != 0) {
                    env.verbose("BUG regs %x\n", bt.regMasks[bt.frame]);
                    return BUG;
                }
                if (bt.stackMasks[bt.frame] != 0) {
                    env.verbose("BUG stack slots %llx\n", bt.stackMasks[bt.frame]);
                    return BUG;
                }
                if (bt.frame == 0) {
                    env.verbose("BUG subprog exit from frame 0\n");
                    return BUG;
                }
                // propagate r1-r5 to the caller
                for (int i = BPF_REG_1; i <= BPF_REG_5; i++) {
                    if (bt.isReg(i)) {
                        bt.clearReg(i);
                        bt.regMasks[bt.frame - 1] |= 1 << i;
                    }
                }
                bt.frame--;
                return 0;
            }
            if (op == BPF_CALL) {
                // kfunc with imm==0 is invalid (fixup_kfunc_call() refuses it later): conservative
                if (insn.isKfuncCall() && insn.imm() == 0) {
                    return NOTSUPP;
                }
                // regular helper call sets R0
                bt.clearReg(BPF_REG_0);
                if ((bt.regMasks[bt.frame] & REGMASK_ARGS) != 0) {
                    // if backtracking was looking for registers R1-R5 they should have been found already
                    env.verbose("BUG regs %x\n", bt.regMasks[bt.frame]);
                    return BUG;
                }
            } else if (op == BPF_EXIT) {
                // backtracking into a callee: idx is in the inner frame, subseq_idx in the outer one
                if ((bt.regMasks[bt.frame] & REGMASK_ARGS) != 0) {
                    env.verbose("BUG regs %x\n", bt.regMasks[bt.frame]);
                    return BUG;
                }
                // an exit from a subprogram returns right after its call: R0 carries precision back
                boolean r0Precise = subseqIdx - 1 >= 0 && env.insns.get(subseqIdx - 1).isPseudoCall()
                        && bt.isReg(BPF_REG_0);
                bt.clearReg(BPF_REG_0);
                // bt_subprog_enter()
                if (bt.frame == MAX_CALL_FRAMES - 1) {
                    env.verbose("BUG subprog enter from frame %d\n", bt.frame);
                    return BUG;
                }
                bt.frame++;
                if (r0Precise) {
                    bt.setReg(BPF_REG_0);
                }
                // r6-r9 and stack slots stay set in the caller frame's masks until we return from the callee
                return 0;
            } else if (insn.source() == BPF_X) {
                if (!bt.isReg(dreg) && !bt.isReg(sreg)) {
                    return 0;
                }
                // dreg <cond> sreg: both need precision before this insn
                bt.setReg(dreg);
                bt.setReg(sreg);
            }
            // dreg <cond> K: nothing new to be marked
        } else if (cls == BPF_LD) {
            if (!bt.isReg(dreg)) {
                return 0;
            }
            bt.clearReg(dreg);
            // ld_imm64: no further tracking; ld_abs/ld_ind: to be analyzed
            if (insn.mode() == BPF_IND || insn.mode() == BPF_ABS) {
                return NOTSUPP;
            }
        }
        // propagate precision marks to linked registers, for registers marked precise in this function
        syncLinked(hist, bt);
        return 0;
    }

    /**
     * Models mark_all_scalars_precise(): every scalar of every parent state (registers and
     * spilled slots of every frame), logged at level 2.
     */
    void markAllScalarsPrecise(VerifierState cur) {
        if (dc.printer.level2()) {
            dc.printer.text("mark_precise: frame%d: falling back to forcing all scalars precise\n", cur.curframe);
        }
        VerifierState.Checkpoint p = cur.parent;
        while (p != null) {
            VerifierState st = p.state;
            for (int i = 0; i <= st.curframe; i++) {
                FuncState f = st.frame[i];
                for (int r = 0; r < BPF_REG_FP; r++) {
                    if (f.regs[r].isScalar() && !f.regs[r].precise()) {
                        f.regs[r] = f.regs[r].withPrecise(true);
                        if (dc.printer.level2()) {
                            dc.printer.text("force_precise: frame%d: forcing r%d to be precise\n", i, r);
                        }
                    }
                }
                for (int s = 0; s < f.allocatedStack / 8; s++) {
                    if (!CheckMemAccess.isSpilledReg(f, s) || f.spilled[s] == null || !f.spilled[s].isScalar()
                            || f.spilled[s].precise()) {
                        continue;
                    }
                    f.spilled[s] = f.spilled[s].withPrecise(true);
                    if (dc.printer.level2()) {
                        dc.printer.text("force_precise: frame%d: forcing fp%d to be precise\n", i, -(s + 1) * 8);
                    }
                }
            }
            p = st.parent;
        }
    }

    /** Models mark_all_scalars_imprecise(): before a new checkpoint, the current state forgets. */
    static void markAllScalarsImprecise(VerifierState st) {
        for (int i = 0; i <= st.curframe; i++) {
            FuncState f = st.frame[i];
            for (int r = 0; r < BPF_REG_FP; r++) {
                if (f.regs[r].isScalar()) {
                    f.regs[r] = f.regs[r].withPrecise(false);
                }
            }
            for (int s = 0; s < f.allocatedStack / 8; s++) {
                if (f.spilled[s] != null && f.spilled[s].isScalar()) {
                    f.spilled[s] = f.spilled[s].withPrecise(false);
                }
            }
        }
    }

    /**
     * Models propagate_precision() at a pruning hit: the explored state's scalars (registers and
     * spilled slots, every frame) that are precise and read must be precise in the current
     * state's parents too: one batch of __mark_chain_precision() from the current frame. 0 or
     * -EFAULT, which is_state_visited() returns.
     */
    int propagatePrecision(VerifierState old) {
        Bt bt = null;
        for (int fr = old.curframe; fr >= 0; fr--) {
            FuncState f = old.frame[fr];
            StringBuilder line = null;
            for (int r = 0; r < BPF_REG_FP; r++) {
                RegState reg = f.regs[r];
                if (!reg.isScalar() || !reg.precise() || (f.regLive[r] & FuncState.REG_LIVE_READ) == 0) {
                    continue;
                }
                line = propagating(line, fr, "r" + r);
                bt = bt != null ? bt : new Bt(dc.cur.curframe);
                bt.regMasks[fr] |= 1 << r;
            }
            for (int s = 0; s < f.allocatedStack / 8; s++) {
                if (!CheckMemAccess.isSpilledReg(f, s)) {
                    continue;
                }
                RegState reg = f.spilled[s];
                if (reg == null || !reg.isScalar() || !reg.precise() || (f.slotLive[s] & FuncState.REG_LIVE_READ) == 0) {
                    continue;
                }
                int fp = -(s + 1) * 8;
                line = propagating(line, fr, "fp" + fp);
                bt = bt != null ? bt : new Bt(dc.cur.curframe);
                bt.stackMasks[fr] |= 1L << s;
            }
            if (line != null && dc.printer.level2()) {
                dc.printer.text("%s\n", line);
            }
        }
        if (bt == null) {
            // __mark_chain_precision() returns at once on an empty batch (bt_empty())
            return 0;
        }
        return run(bt);
    }

    /** The "frame %d: propagating r%d" line of propagate_precision(), one name more. */
    private static StringBuilder propagating(StringBuilder line, int fr, String name) {
        if (line == null) {
            return new StringBuilder("frame ").append(fr).append(": propagating ").append(name);
        }
        return line.append(',').append(name);
    }
}
