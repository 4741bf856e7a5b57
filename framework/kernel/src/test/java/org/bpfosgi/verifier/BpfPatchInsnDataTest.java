package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.junit.jupiter.api.Test;

/**
 * bpf_patch_insn_data() and what runs under it: bpf_patch_insn_single()'s branch rule,
 * the -ERANGE log, adjust_insn_aux_data(), adjust_subprog_starts() with the fake exit entry,
 * bpf_adj_linfo(), adjust_poke_descs(), and adjust_jmp_off().
 */
class BpfPatchInsnDataTest {
    private final TestKernel k = new TestKernel();

    BpfPatchInsnDataTest() {
        k.loadTestmod();
    }

    /** An env over {@code insns} with subprograms starting at {@code starts} (plus the fake exit entry). */
    private VerifierEnv env(List<Insn> insns, int... starts) {
        VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns),
                new BpfProgAux("t"), k.services);
        for (int s : starts) {
            env.subprogStarts.add(s);
        }
        env.subprogStarts.add(insns.size());
        env.subprogStackDepth = new int[starts.length];
        java.util.Arrays.fill(env.seen, true);
        return env;
    }

    private static List<Insn> movs(int n) {
        List<Insn> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(BPF_MOV64_IMM(BPF_REG_0, i));
        }
        return l;
    }

    @Test
    void jumpsToThePatchedInsnLandOnThePatchStartFromBothSides() {
        List<Insn> p = new ArrayList<>(List.of(
                BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 2),   // 0 -> 3 (the patched insn)
                BPF_JMP_A(3),                            // 1 -> 5 (after it)
                BPF_JMP32_A(0),                          // 2 -> 3 via imm
                BPF_MOV64_IMM(BPF_REG_0, 7),             // 3 patched
                BPF_JMP_A(-2),                           // 4 -> 3 (backward)
                BPF_CALL_REL(-6),                        // 5 -> 0 bpf-to-bpf
                new Insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 1, 5), // 6 kfunc: untouched
                BPF_EMIT_CALL(12),                       // 7 helper: untouched
                BPF_EXIT_INSN()));
        VerifierEnv env = env(p, 0);
        List<Insn> patch = List.of(BPF_JMP_A(1), BPF_MOV64_IMM(BPF_REG_0, 1), BPF_MOV64_IMM(BPF_REG_0, 2));
        assertEquals(0, BpfPatchInsnData.run(env, 3, patch));
        List<Insn> n = env.insns;
        assertEquals(11, n.size());
        assertEquals(2, n.get(0).off(), "forward to the patched insn: the patch start");
        assertEquals(5, n.get(1).off(), "over the patch: +2");
        assertEquals(0, n.get(2).imm(), "gotol to the patched insn: the patch start, through imm");
        assertEquals(BPF_JMP_A(1), n.get(3), "inside the patch: never adjusted");
        assertEquals(-4, n.get(6).off(), "backward to the patched insn: the patch start");
        assertEquals(-8, n.get(7).imm(), "bpf-to-bpf call back over the patch");
        assertEquals(p.get(6), n.get(8));
        assertEquals(p.get(7), n.get(9));
    }

    @Test
    void auxDataSubprogStartsLinfoAndPokeDescs() {
        List<Insn> p = new ArrayList<>(movs(3));
        p.add(BPF_EXIT_INSN());
        p.addAll(movs(2));
        p.add(BPF_EXIT_INSN());
        VerifierEnv env = env(p, 0, 4);
        env.seen[2] = false;
        env.linfoInsnOff.addAll(List.of(0, 2, 3, 4));
        env.pokeInsnIdx.addAll(List.of(2, 5));
        assertEquals(0, BpfPatchInsnData.run(env, 2, movs(3)));
        assertArrayEquals(new int[] {0, 1, 0, 0, 2, 3, 4, 5, 6}, env.origIdx, "orig_idx moves to the patch's last insn");
        assertEquals(List.of(true, true, false, false, false, true, true, true, true), toList(env.seen),
                "seen copied from the patched insn");
        assertEquals(List.of(0, 6, 9), env.subprogStarts, "subprog 1 and the fake exit entry move");
        assertEquals(List.of(0, 2, 5, 6), env.linfoInsnOff, "bpf_adj_linfo: entries after off");
        assertEquals(List.of(2, 7), env.pokeInsnIdx);

        // patching the first insn of a subprogram keeps its start at the patch
        assertEquals(0, BpfPatchInsnData.run(env, 6, movs(2)));
        assertEquals(List.of(0, 6, 10), env.subprogStarts);
        // a one-insn patch relocates nothing
        assertEquals(0, BpfPatchInsnData.run(env, 0, movs(1)));
        assertEquals(List.of(0, 6, 10), env.subprogStarts);
    }

    private static List<Boolean> toList(boolean[] a) {
        List<Boolean> l = new ArrayList<>();
        for (boolean b : a) {
            l.add(b);
        }
        return l;
    }

    /** Past S16_MAX a jump over the patch no longer fits: -ERANGE, logged with orig_idx, -ENOMEM to the caller. */
    @Test
    void aDisplacementOutOfSixteenBitsIsEnomemWithTheKernelsLine() {
        List<Insn> p = new ArrayList<>();
        p.add(BPF_MOV64_IMM(BPF_REG_0, 0));
        p.addAll(movs(Short.MAX_VALUE - 2));
        p.add(BPF_JMP_A(-Short.MAX_VALUE)); // back to insn 0
        p.add(BPF_EXIT_INSN());
        VerifierEnv env = env(p, 0);
        env.origIdx[0] = 0;
        assertEquals(Errno.ENOMEM.negative(), BpfPatchInsnData.run(env, 0, movs(3)));
        assertEquals("insn 0 cannot be patched due to 16-bit range\n", env.log.toString());
        assertEquals(p, env.insns, "nothing changed");
    }

    @Test
    void adjustJmpOffMovesJumpsToTheTargetOutsideTheRange() {
        List<Insn> p = new ArrayList<>(List.of(BPF_JMP_A(-1), BPF_MOV64_IMM(0, 0), BPF_MOV64_IMM(0, 0), BPF_JMP_A(-4),
                BPF_JMP32_A(-5), BPF_CALL_REL(-6), BPF_EXIT_INSN()));
        VerifierEnv env = env(p, 0);
        assertEquals(0, AdjustJmpOff.run(env, 0, 2));
        assertEquals(-1, env.insns.get(0).off(), "inside [0, 2): skipped");
        assertEquals(-2, env.insns.get(3).off());
        assertEquals(-3, env.insns.get(4).imm(), "gotol through imm");
        assertEquals(-6, env.insns.get(5).imm(), "calls are not jumps here");
        // with tgt_idx 0 no jump can overflow: a jump at i >= delta reaching 0 has off <= -(delta + 1)
    }
}
