package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;

import org.bpfosgi.isa.Insn;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The main state as v6.12 do_check_common() / do_check() start it: first_insn_idx = the
 * subprogram's start (0), last_insn_idx = -1, and do_check()'s local prev_insn_idx = -1, which the
 * first instruction copies into env->prev_insn_idx and state->last_insn_idx (and into the
 * prev_idx of a jump history entry pushed there, push_jmp_history()). do_print_state starts false:
 * no "from -1 to 0" line at level 2.
 */
class DoCheckEntryTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
    }

    private DoCheck dc(List<Insn> insns, int logLevel) {
        VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), logLevel).withInsns(insns),
                new BpfProgAux("t"), k.services);
        env.subprogStarts.add(0);
        env.subprogStarts.add(insns.size());
        env.subprogStackDepth = new int[1];
        boolean[] prune = new boolean[insns.size()];
        CheckCfg.run(env, prune);
        return new DoCheck(env, prune);
    }

    /** "0: exit" with R0 unset: the state that fails at insn 0 has last_insn_idx -1, prev_insn_idx -1. */
    @Test
    void firstInstructionSeesPrevInsnIdxMinusOne() {
        DoCheck dc = dc(List.of(BPF_EXIT_INSN()), 1);
        assertEquals(-13, dc.run(), dc.env.log.toString()); // R0 !read_ok, -EACCES
        assertEquals(0, dc.curInsnIdx);
        assertEquals(-1, dc.prevInsnIdx);
        assertEquals(-1, dc.cur.lastInsnIdx);
        assertEquals(0, dc.cur.firstInsnIdx);
    }

    /**
     * Insn 0 a jump target (a jmp point): its history entry records prev_idx -1. The branch back
     * (R0 = 0 against 0, JNE) is decided not taken, so the program ends after three instructions
     * with the entry still in the state's history; the level-2 log has no "from -1 to 0".
     */
    @Test
    void jumpHistoryEntryAtInsnZeroHasPrevIdxMinusOne() {
        List<Insn> insns = List.of(BPF_MOV64_IMM(BPF_REG_0, 0), BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, -2), BPF_EXIT_INSN());
        DoCheck dc = dc(insns, 2);
        assertEquals(0, dc.run(), dc.env.log.toString());
        dc.printer.flush();
        VerifierState.HistEntry first = dc.cur.jmpHistory.get(0);
        assertEquals(0, first.idx);
        assertEquals(-1, first.prevIdx);
        assertFalse(dc.env.log.toString().contains("from -1"), dc.env.log.toString());
    }
}
