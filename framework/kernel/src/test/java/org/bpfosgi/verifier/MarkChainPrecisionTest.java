package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The "BUG ..." consistency checks of v6.12 __mark_chain_precision() / backtrack_insn() /
 * bt_subprog_enter() / bt_subprog_exit(): each prints its line and the walk returns -EFAULT, which
 * the callers (check_cond_jmp_op(), adjust_reg_min_max_vals(), propagate_precision() in
 * is_state_visited()) return.
 *
 * <p>No program the model verifies reaches these checks: they guard invariants of the verifier's
 * own bookkeeping (a register the jump history says was set, a slot inside the parent's stack, a
 * walk that stops at the state's first instruction). So each test crafts the inconsistent
 * verifier state directly on a {@link DoCheck} — a scalar where the instruction stream says a
 * call clobbered it, a first_insn_idx past the instructions walked, a stack slot the parent never
 * allocated — and runs the walk (or the calling check) on it.
 */
class MarkChainPrecisionTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
    }

    /** A DoCheck over {@code insns}, at {@code curIdx} in frame {@code curframe}, its segment starting at {@code firstIdx}. */
    private DoCheck dc(List<Insn> insns, int curframe, int firstIdx, int curIdx) {
        VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns),
                new BpfProgAux("t"), k.services);
        env.subprogStarts.add(0);
        env.subprogStarts.add(insns.size());
        env.subprogStackDepth = new int[1];
        DoCheck dc = new DoCheck(env, new boolean[insns.size()]);
        VerifierState st = new VerifierState();
        for (int fr = 0; fr <= curframe; fr++) {
            FuncState f = new FuncState(fr == 0 ? -1 : 0, fr, 0);
            f.regs[BPF_REG_FP] = RegState.stack(fr, 0);
            st.frame[fr] = f;
        }
        st.curframe = curframe;
        st.firstInsnIdx = firstIdx;
        st.insnIdx = curIdx;
        dc.cur = st;
        dc.curInsnIdx = curIdx;
        return dc;
    }

    private static String log(DoCheck dc) {
        return dc.env.log.toString();
    }

    private static final int EFAULT = Errno.EFAULT.negative();

    /** mark_chain_precision(regno) fails -EFAULT having logged exactly {@code line}. */
    private static void assertBug(DoCheck dc, int regno, String line) {
        assertEquals(EFAULT, dc.precision.markChainPrecision(regno));
        assertEquals(line, log(dc));
    }

    /**
     * backtrack_insn(), helper call: R1-R5 are clobbered by a call, so a walk that still wants
     * R1 before the call has missed where it was set: "BUG regs %x". Crafted: R1 is a scalar
     * after the call (a real state has it NOT_INIT, and a non-scalar is never walked).
     */
    @Test
    void helperCallWithArgumentStillWantedIsBugRegs() {
        DoCheck dc = dc(List.of(BPF_MOV64_IMM(BPF_REG_1, 1), BPF_EMIT_CALL(7), BPF_EXIT_INSN()), 0, 0, 2);
        dc.setReg(BPF_REG_1, RegState.scalar(1));
        assertBug(dc, BPF_REG_1, "BUG regs 2\n");
    }

    /**
     * backtrack_insn(), BPF_EXIT (entering a callee backwards): R1-R5 wanted after a subprogram
     * returned: "BUG regs %x".
     */
    @Test
    void exitWithArgumentStillWantedIsBugRegs() {
        DoCheck dc = dc(List.of(BPF_EXIT_INSN(), BPF_MOV64_IMM(BPF_REG_0, 0)), 0, 0, 1);
        dc.setReg(BPF_REG_3, RegState.UNKNOWN_SCALAR);
        assertBug(dc, BPF_REG_3, "BUG regs 8\n");
    }

    /**
     * backtrack_insn(), a static subprogram's call instruction (leaving the callee backwards):
     * a register other than R1-R5 still wanted in the callee's frame: "BUG regs %x".
     */
    @Test
    void subprogCallWithCalleeSavedStillWantedIsBugRegs() {
        DoCheck dc = dc(List.of(BPF_CALL_REL(0), BPF_MOV64_REG(BPF_REG_0, BPF_REG_6), BPF_EXIT_INSN()), 1, 0, 2);
        dc.setReg(BPF_REG_0, RegState.UNKNOWN_SCALAR);
        // r0 = r6 moves the mark to r6, which the call instruction does not pass
        assertBug(dc, BPF_REG_0, "BUG regs 40\n");
    }

    /**
     * backtrack_insn(), a static subprogram's call instruction: a stack slot of the callee's
     * frame still wanted there ("we are now tracking register spills correctly, so any instance
     * of leftover slots is a bug"): "BUG stack slots %llx". The fill at insn 1 records slot 0 of
     * frame 1 in the jump history (INSN_F_STACK_ACCESS); nothing spilled it inside the callee.
     */
    @Test
    void subprogCallWithCalleeSlotStillWantedIsBugStackSlots() {
        DoCheck dc = dc(List.of(BPF_CALL_REL(0), BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10, -8), BPF_EXIT_INSN()), 1, 0, 2);
        VerifierState.HistEntry fill = new VerifierState.HistEntry(1, 0);
        fill.stackAccess(1, 0);
        dc.cur.jmpHistory.add(fill);
        dc.setReg(BPF_REG_2, RegState.UNKNOWN_SCALAR);
        assertBug(dc, BPF_REG_2, "BUG stack slots 1\n");
    }

    /** bt_subprog_exit(): a subprogram's call instruction walked in frame 0: "BUG subprog exit from frame 0". */
    @Test
    void subprogCallInFrameZeroIsBugSubprogExit() {
        DoCheck dc = dc(List.of(BPF_MOV64_IMM(BPF_REG_1, 1), BPF_CALL_REL(0), BPF_EXIT_INSN()), 0, 0, 2);
        dc.setReg(BPF_REG_1, RegState.scalar(1));
        assertBug(dc, BPF_REG_1, "BUG subprog exit from frame 0\n");
    }

    /** bt_subprog_enter(): a BPF_EXIT walked in the deepest frame: "BUG subprog enter from frame %d". */
    @Test
    void exitInDeepestFrameIsBugSubprogEnter() {
        DoCheck dc = dc(List.of(BPF_EXIT_INSN(), BPF_MOV64_REG(BPF_REG_1, BPF_REG_0), BPF_EXIT_INSN()),
                MAX_CALL_FRAMES - 1, 0, 2);
        dc.setReg(BPF_REG_1, RegState.UNKNOWN_SCALAR);
        assertBug(dc, BPF_REG_1, "BUG subprog enter from frame 7\n");
    }

    /**
     * __mark_chain_precision(): get_prev_insn_idx() went below instruction 0 (-1, compared
     * unsigned with prog->len) with the register still wanted — the segment's first_insn_idx
     * (crafted: 5) was never met: "BUG backtracking idx %d".
     */
    @Test
    void walkPastInstructionZeroIsBugBacktrackingIdx() {
        DoCheck dc = dc(List.of(BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1), BPF_EXIT_INSN()), 0, 5, 1);
        dc.setReg(BPF_REG_1, RegState.UNKNOWN_SCALAR);
        assertBug(dc, BPF_REG_1, "BUG backtracking idx -1\n");
    }

    /**
     * __mark_chain_precision(), parent state: a wanted slot beyond the parent's allocated stack:
     * "BUG backtracking (stack slot %d, total slots %d)". The fill at insn 0 says slot 1 (fp-16);
     * the crafted parent has 8 bytes of stack.
     */
    @Test
    void slotBeyondParentsStackIsBugStackSlot() {
        DoCheck dc = dc(List.of(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -16), BPF_EXIT_INSN()), 0, 0, 1);
        VerifierState.HistEntry fill = new VerifierState.HistEntry(0, -1);
        fill.stackAccess(0, 1);
        dc.cur.jmpHistory.add(fill);
        dc.setReg(BPF_REG_1, RegState.UNKNOWN_SCALAR);
        VerifierState parent = dc.cur.copy();
        parent.jmpHistory.clear();
        parent.frame[0].allocatedStack = 8;
        dc.cur.parent = new VerifierState.Checkpoint(parent, null);
        assertBug(dc, BPF_REG_1, "BUG backtracking (stack slot 1, total slots 1)\n");
    }

    /**
     * __mark_chain_precision(): a parent whose last_insn_idx is -1 (the entry of a subprogram)
     * with R1 still wanted, which only a global subprogram's arguments may be (the model has
     * none): "BUG backtracking func entry subprog %d reg_mask %x stack_mask %llx". The parent's R1
     * is a scalar, so it is marked precise on the way.
     */
    @Test
    void subprogEntryReachedIsBugFuncEntry() {
        DoCheck dc = dc(List.of(BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1), BPF_EXIT_INSN()), 0, 0, 1);
        dc.setReg(BPF_REG_1, RegState.UNKNOWN_SCALAR);
        VerifierState parent = dc.cur.copy();
        parent.lastInsnIdx = -1;
        dc.cur.parent = new VerifierState.Checkpoint(parent, null);
        assertBug(dc, BPF_REG_1, "BUG backtracking func entry subprog 0 reg_mask 2 stack_mask 0\n");
        assertTrue(parent.frame[0].regs[BPF_REG_1].precise());
    }

    /** mark_chain_precision() of a register that is not a scalar: WARN_ONCE "backtracing misuse", -EFAULT, no log line. */
    @Test
    void nonScalarRegisterIsEfaultWithoutLine() {
        DoCheck dc = dc(List.of(BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN()), 0, 0, 1);
        assertEquals(EFAULT, dc.precision.markChainPrecision(BPF_REG_FP));
        assertEquals(EFAULT, dc.precision.markChainPrecision(BPF_REG_2)); // NOT_INIT
        assertEquals("", log(dc));
    }

    /** The consistent walk: found the assignment, 0, nothing logged at level 1. */
    @Test
    void consistentWalkSucceeds() {
        DoCheck dc = dc(List.of(BPF_MOV64_IMM(BPF_REG_1, 1), BPF_EMIT_CALL(7), BPF_EXIT_INSN()), 0, 0, 2);
        dc.setReg(BPF_REG_0, RegState.UNKNOWN_SCALAR);
        assertEquals(0, dc.precision.markChainPrecision(BPF_REG_0));
        assertEquals(0, dc.precision.markChainPrecision(-1));
        assertEquals("", log(dc));
    }

    /**
     * propagate_precision() at a pruning hit: the old state's precise, read R1 is walked in the
     * current state; the walk's -EFAULT is returned (is_state_visited() then returns it).
     */
    @Test
    void propagatePrecisionReturnsTheWalksError() {
        DoCheck dc = dc(List.of(BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1), BPF_EXIT_INSN()), 0, 5, 1);
        dc.setReg(BPF_REG_1, RegState.UNKNOWN_SCALAR);
        VerifierState old = dc.cur.copy();
        old.frame[0].regs[BPF_REG_1] = RegState.UNKNOWN_SCALAR.withPrecise(true);
        old.frame[0].regLive[BPF_REG_1] = FuncState.REG_LIVE_READ;
        assertEquals(EFAULT, dc.precision.propagatePrecision(old));
        assertEquals("BUG backtracking idx -1\n", log(dc));
    }

    /**
     * check_cond_jmp_op(): a branch decided on a constant asks for the register's precision; the
     * walk's -EFAULT is the instruction's error, and the branch is not followed.
     */
    @Test
    void decidedBranchReturnsTheWalksError() {
        Insn jeq = BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0);
        DoCheck dc = dc(List.of(BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1), jeq, BPF_EXIT_INSN()), 0, 5, 1);
        dc.setReg(BPF_REG_1, RegState.scalar(3));
        assertEquals(EFAULT, dc.jmp.run(1, jeq));
        assertEquals("BUG backtracking idx -1\n", log(dc));
        assertEquals(1, dc.cur.insnIdx);
    }

    /** adjust_reg_min_max_vals(), pointer += scalar: the scalar's walk fails first, so the sum is never made. */
    @Test
    void pointerArithmeticReturnsTheWalksError() {
        Insn add = BPF_ALU64_REG(BPF_ADD, BPF_REG_2, BPF_REG_1);
        DoCheck dc = dc(List.of(BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1), add, BPF_EXIT_INSN()), 0, 5, 1);
        dc.setReg(BPF_REG_1, RegState.scalar(3));
        dc.setReg(BPF_REG_2, RegState.stack(0, -8));
        assertEquals(EFAULT, dc.alu.run(add));
        assertEquals("BUG backtracking idx -1\n", log(dc));
        assertEquals(-8, dc.reg(BPF_REG_2).off());
        assertFalse(dc.reg(BPF_REG_1).precise());
    }
}
