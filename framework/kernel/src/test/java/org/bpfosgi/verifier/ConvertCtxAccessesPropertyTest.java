package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.InsnValidator;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.GenEpilogue;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.InsnBuf;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.VerifierOps;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.Test;

/**
 * The property of the issue, with a seeded generator (QuickTheories is not in the offline
 * repository): random well-formed programs (InsnValidator-clean: several exits, conditional
 * jumps and gotol to exits and to insn 0, subprograms with their own exits, bpf-to-bpf calls,
 * ld_imm64) go through convert_ctx_accesses() with bpf_testmod's generators (landed, and the
 * test_kfunc_ variant) and with random generators (0..15 insns, internal jumps, ld_imm64).
 * Afterwards every original instruction is present in order, every jump and call lands on the
 * original instruction it targeted (insn 0: the original insn 0, past prologue and ctx save; a
 * main-program exit: its replacement, whose gotol leads to the epilogue start), subprogram exits
 * are untouched, the first main exit holds the epilogue, and subprogram starts (and the fake exit
 * entry) moved with their first instruction. The programs are not run through do_check (random
 * loops would not verify); convert_ctx_accesses() does not depend on it.
 */
class ConvertCtxAccessesPropertyTest {
    static final long SEED = 42;
    static final int PROGRAMS = 3000;

    private final TestKernel k = new TestKernel();

    ConvertCtxAccessesPropertyTest() {
        k.loadTestmod();
    }

    /** A random program: insns and subprogram starts. */
    record Prog(List<Insn> insns, List<Integer> starts) {
    }

    static Prog randomProgram(Random rnd) {
        int nsub = 1 + rnd.nextInt(3);
        int[] lens = new int[nsub];
        for (int s = 0; s < nsub; s++) {
            lens[s] = 3 + rnd.nextInt(18);
        }
        // layout: slot kinds first (an ld_imm64 takes two slots), then the jumps' targets
        List<Integer> starts = new ArrayList<>();
        List<int[]> kinds = new ArrayList<>(); // {kind, subprog}
        for (int s = 0; s < nsub; s++) {
            starts.add(kinds.size());
            for (int i = 0; i < lens[s] - 1; i++) {
                int kind = rnd.nextInt(10);
                if (kind == 9 && nsub == 1) {
                    kind = 0;
                }
                if (kind == 5 && i == lens[s] - 2) {
                    kind = 0; // no ld_imm64 right before the last slot check
                }
                kinds.add(new int[] {kind, s});
                if (kind == 5) {
                    kinds.add(new int[] {-1, s}); // second slot
                }
            }
            kinds.add(new int[] {4, s}); // every subprogram ends with exit
        }
        int n = kinds.size();
        List<Integer> ends = new ArrayList<>(starts.subList(1, starts.size()));
        ends.add(n);
        List<Insn> insns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = kinds.get(i)[0];
            int s = kinds.get(i)[1];
            int lo = starts.get(s);
            int hi = ends.get(s);
            switch (kind) {
                case -1 -> insns.add(new Insn(0, 0, 0, 0, rnd.nextInt()));
                case 4 -> insns.add(BPF_EXIT_INSN());
                case 5 -> insns.add(new Insn(BPF_LD | BPF_IMM | BPF_DW, rnd.nextInt(6), 0, 0, rnd.nextInt()));
                case 6, 7, 8 -> {
                    int t = target(rnd, kinds, lo, hi);
                    if (kind == 8) {
                        insns.add(BPF_JMP32_A(t - i - 1));
                    } else {
                        insns.add(BPF_JMP_IMM(BPF_JEQ, BPF_REG_2, rnd.nextInt(4), t - i - 1));
                    }
                }
                case 9 -> {
                    int callee = 1 + rnd.nextInt(nsub - 1);
                    insns.add(BPF_CALL_REL(starts.get(callee) - i - 1));
                }
                default -> insns.add(BPF_MOV64_IMM(rnd.nextInt(6), rnd.nextInt(100)));
            }
        }
        return new Prog(insns, starts);
    }

    /** A jump target in [lo, hi): often insn 0 of the subprogram or an exit, never a second slot. */
    private static int target(Random rnd, List<int[]> kinds, int lo, int hi) {
        while (true) {
            int t;
            int r = rnd.nextInt(4);
            if (r == 0) {
                t = lo;
            } else if (r == 1) {
                List<Integer> exits = new ArrayList<>();
                for (int j = lo; j < hi; j++) {
                    if (kinds.get(j)[0] == 4) {
                        exits.add(j);
                    }
                }
                t = exits.get(rnd.nextInt(exits.size()));
            } else {
                t = lo + rnd.nextInt(hi - lo);
            }
            if (kinds.get(t)[0] != -1) {
                return t;
            }
        }
    }

    /** Random generators: a prologue of 0..14 generated insns (+ the copy) and an epilogue of 0..15. */
    static final class RandomGen implements VerifierOps {
        final Random rnd;
        final int pro;
        final int epi;

        RandomGen(Random rnd) {
            this.rnd = rnd;
            this.pro = rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(15);
            this.epi = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(15);
        }

        private void body(InsnBuf buf, int n) {
            while (buf.written() < n) {
                int left = n - buf.written();
                int r = rnd.nextInt(4);
                if (r == 0 && left >= 2) {
                    buf.add(BPF_LD_IMM64_RAW_FULL(rnd.nextInt(6), rnd.nextInt(), rnd.nextInt())[0]);
                    buf.add(new Insn(0, 0, 0, 0, 7));
                } else if (r == 1 && left >= 2) {
                    buf.add(BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, rnd.nextInt(left - 1))); // stays inside
                } else {
                    buf.add(BPF_MOV64_IMM(BPF_REG_0, rnd.nextInt(9)));
                }
            }
        }

        @Override
        public Optional<GenPrologue> genPrologue() {
            if (pro < 0) {
                return Optional.empty();
            }
            return Optional.of((buf, dw, prog) -> {
                if (pro == 0) {
                    return 0;
                }
                body(buf, pro);
                buf.add(prog.firstInsn());
                return buf.written();
            });
        }

        @Override
        public Optional<GenEpilogue> genEpilogue() {
            return Optional.of((buf, prog, off) -> {
                if (epi == 0) {
                    return 0;
                }
                body(buf, epi - 1);
                buf.add(BPF_EXIT_INSN());
                return buf.written();
            });
        }
    }

    private static Insn[] BPF_LD_IMM64_RAW_FULL(int dst, int lo, int hi) {
        return new Insn[] {new Insn(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, lo), new Insn(0, 0, 0, 0, hi)};
    }

    /** Records what the generators returned. */
    static final class Recording implements VerifierOps {
        final VerifierOps ops;
        List<Insn> prologue = List.of();
        List<Insn> epilogue = List.of();

        Recording(VerifierOps ops) {
            this.ops = ops;
        }

        @Override
        public Optional<GenPrologue> genPrologue() {
            return ops.genPrologue().map(g -> (InsnBuf buf, boolean dw, BpfProgInfo prog) -> {
                int n = g.generate(buf, dw, prog);
                prologue = buf.insns().subList(0, n);
                return n;
            });
        }

        @Override
        public Optional<GenEpilogue> genEpilogue() {
            return ops.genEpilogue().map(g -> (InsnBuf buf, BpfProgInfo prog, short off) -> {
                int n = g.generate(buf, prog, off);
                epilogue = buf.insns().subList(0, n);
                return n;
            });
        }
    }

    @Test
    void everyInstructionAndJumpSurvivesTheRewrite() {
        Random rnd = new Random(SEED);
        String[] members = {"test_prologue", "test_epilogue", "test_pro_epilogue"};
        long insns = 0;
        long exits = 0;
        long jumpsToExits = 0;
        long jumpsToZero = 0;
        long calls = 0;
        long ldImm64 = 0;
        long subprogs = 0;
        long withEpilogue = 0;
        long withPrologue = 0;
        for (int n = 0; n < PROGRAMS; n++) {
            Prog p = randomProgram(rnd);
            assertTrue(InsnValidator.validate(p.insns(), false).isEmpty(),
                    InsnValidator.validate(p.insns(), false) + " " + p.insns());
            int g = n % 3;
            String name = g == 1 ? "test_kfunc_prop" : "prop";
            VerifierOps base = g == 2 ? new RandomGen(rnd) : new BpfTestmod().structOps().get(0).verifierOps();
            Recording ops = new Recording(base);
            VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(p.insns()),
                    new BpfProgAux(name), k.services);
            env.aux.gplCompatible = true;
            env.aux.kfuncPolicy = KfuncPolicy.UPSTREAM;
            env.aux.attachFuncName = members[rnd.nextInt(3)];
            env.ops = ops;
            env.subprogStarts.addAll(p.starts());
            env.subprogStarts.add(p.insns().size());
            env.subprogStackDepth = new int[p.starts().size()];
            int depth = 8 * rnd.nextInt(9);
            env.subprogStackDepth[0] = depth;
            Arrays.fill(env.seen, true);
            int r = ConvertCtxAccesses.run(env);
            assertEquals(0, r, env.log.toString());
            Stats st = check(p, env, ops, depth);
            insns += p.insns().size();
            exits += st.exits;
            jumpsToExits += st.jumpsToExits;
            jumpsToZero += st.jumpsToZero;
            calls += st.calls;
            ldImm64 += st.ldImm64;
            subprogs += p.starts().size() - 1;
            withEpilogue += ops.epilogue.isEmpty() ? 0 : 1;
            withPrologue += ops.prologue.isEmpty() ? 0 : 1;
        }
        System.out.printf("convert_ctx_accesses property (seed %d): %d programs, %d insns, %d exits, %d jumps to exits, "
                + "%d jumps to a subprogram's insn 0, %d bpf-to-bpf calls, %d ld_imm64, %d subprograms, "
                + "%d with a prologue, %d with an epilogue%n", SEED, PROGRAMS, insns, exits, jumpsToExits, jumpsToZero,
                calls, ldImm64, subprogs, withPrologue, withEpilogue);
        assertTrue(jumpsToExits > 1000 && jumpsToZero > 1000 && calls > 500 && ldImm64 > 500, "the generator covers the cases");
    }

    record Stats(int exits, int jumpsToExits, int jumpsToZero, int calls, int ldImm64) {
    }

    private static boolean isJump(Insn insn) {
        int cls = insn.cls();
        return (cls == BPF_JMP || cls == BPF_JMP32) && !insn.isExit() && !(insn.isCall() && !insn.isPseudoCall());
    }

    private static int disp(Insn insn) {
        return insn.isGotol() || insn.isPseudoCall() ? insn.imm() : insn.off();
    }

    private Stats check(Prog p, VerifierEnv env, Recording ops, int depth) {
        List<Insn> orig = p.insns();
        List<Insn> out = env.insns;
        int n = orig.size();
        int c = ops.prologue.size();
        int e = ops.epilogue.size();
        int save = e > 0 ? 1 : 0;
        int mainEnd = p.starts().size() > 1 ? p.starts().get(1) : n;
        // the expected position of every original instruction
        int[] map = new int[n];
        int shift = (c > 0 ? c - 1 : 0) + save;
        boolean second = false;
        int firstExit = -1;
        for (int o = 0; o < n; o++) {
            map[o] = o + shift;
            boolean isSecond = second;
            second = !second && orig.get(o).isLdImm64();
            if (!isSecond && orig.get(o).isExit() && o < mainEnd && e > 0 && firstExit < 0) {
                firstExit = o;
                shift += e - 1;
            }
        }
        int epiStart = firstExit < 0 ? -1 : map[firstExit];
        assertEquals(n + (c > 0 ? c - 1 : 0) + save + (firstExit >= 0 ? e - 1 : 0), out.size());
        if (c > 0) {
            assertEquals(ops.prologue.subList(0, c - 1), out.subList(0, c - 1), "the prologue, unadjusted");
        }
        if (save == 1) {
            assertEquals(BPF_STX_MEM(BPF_DW, BPF_REG_FP, BPF_REG_1, -(depth + 8)), out.get(c > 0 ? c - 1 : 0));
            assertEquals(depth + 8, env.subprogStackDepth[0]);
        }
        if (firstExit >= 0) {
            assertEquals(ops.epilogue, out.subList(epiStart, epiStart + e), "the epilogue at the first main exit");
        }
        int exits = 0;
        int jumpsToExits = 0;
        int jumpsToZero = 0;
        int calls = 0;
        int ld = 0;
        second = false;
        for (int o = 0; o < n; o++) {
            Insn a = orig.get(o);
            boolean isSecond = second;
            second = !second && a.isLdImm64();
            Insn b = out.get(map[o]);
            if (isSecond) {
                assertEquals(a, b, "second slot of an ld_imm64");
                continue;
            }
            if (a.isLdImm64()) {
                ld++;
            }
            if (a.isExit()) {
                exits++;
                if (o < mainEnd && e > 0) {
                    if (o != firstExit) {
                        assertTrue(b.isGotol(), b.toString());
                        assertEquals(epiStart, map[o] + 1 + b.imm(), "a later main exit jumps back to the epilogue");
                    }
                } else {
                    assertEquals(a, b, "an untouched exit");
                }
                continue;
            }
            if (!isJump(a)) {
                assertEquals(a, b, "insn " + o);
                continue;
            }
            assertEquals(a.code(), b.code());
            int t = o + 1 + disp(a);
            int nt = map[o] + 1 + disp(b);
            assertEquals(map[t], nt, "jump at " + o + " to " + t);
            if (a.isPseudoCall()) {
                calls++;
            } else if (orig.get(t).isExit()) {
                jumpsToExits++;
            } else if (p.starts().contains(t)) {
                jumpsToZero++;
            }
        }
        for (int s = 1; s < p.starts().size(); s++) {
            assertEquals(map[p.starts().get(s)], env.subprogStarts.get(s), "subprog " + s);
        }
        assertEquals(0, env.subprogStarts.get(0));
        assertEquals(out.size(), env.subprogStarts.get(env.subprogStarts.size() - 1), "the fake exit entry");
        return new Stats(exits, jumpsToExits, jumpsToZero, calls, ld);
    }
}
