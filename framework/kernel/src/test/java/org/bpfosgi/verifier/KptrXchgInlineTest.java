package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.isa.HelperIds;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Program;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Vm;
import org.junit.jupiter.api.Test;

/**
 * do_misc_fixups()'s "Implement bpf_kptr_xchg inline" block (kernel/bpf/verifier.c v6.12) on
 * instructions alone (no verification: {@link DoMiscFixups#run} over a prepared env): with the JIT
 * requested every bpf_kptr_xchg call becomes {@code r0 = r2; r0 = atomic64_xchg((u64 *)(r1 +0), r0)},
 * jumps over it and subprogram starts move by one per call, and the pair does what the helper's
 * xchg(kptr, ptr) does when the interpreter runs it. Without the JIT the call stays a call
 * (patch_call_imm). The live kernel's xlated text of the same rewrite is compared in
 * qdisc-bundle's QdiscKptrXchgXlatedTest.
 */
class KptrXchgInlineTest {
    private static final Insn XCHG_CALL = BPF_EMIT_CALL(HelperIds.BPF_FUNC_kptr_xchg);
    private final TestKernel k = new TestKernel();

    KptrXchgInlineTest() {
        k.loadTestmod(); // RejectionTest.prog()'s struct_ops member
    }

    private VerifierEnv env(List<Insn> insns, KernelServices services, int... starts) {
        VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns),
                new BpfProgAux("t"), services);
        for (int s : starts) {
            env.subprogStarts.add(s);
        }
        env.subprogStarts.add(insns.size());
        env.subprogStackDepth = new int[starts.length];
        java.util.Arrays.fill(env.seen, true);
        return env;
    }

    /**
     * fp-8 = old; r1 = fp-8; r2 = new; bpf_kptr_xchg; then r0 = (returned) * 1000 + slot, through a
     * jump over the call and a bpf-to-bpf call into a subprogram that xchg()es again.
     */
    private static List<Insn> prog(int old, int neu) {
        return new ArrayList<>(List.of(
                BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, old),   // 0
                BPF_JMP_IMM(BPF_JEQ, BPF_REG_10, 0, 4),    // 1 -> 6 (never taken: over the call)
                BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),      // 2
                BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),     // 3
                BPF_MOV64_IMM(BPF_REG_2, neu),             // 4
                XCHG_CALL,                                 // 5
                BPF_ALU64_IMM(BPF_MUL, BPF_REG_0, 1000),   // 6
                BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -8), // 7
                BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1),   // 8
                BPF_MOV64_REG(BPF_REG_6, BPF_REG_0),       // 9
                BPF_CALL_REL(3),                           // 10 -> 14
                BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_6), // 11
                BPF_EXIT_INSN(),                           // 12
                BPF_EXIT_INSN(),                           // 13 (unreached)
                // subprogram: its own slot, xchg()ed from 3 to 4; returns the old value * 1000000
                BPF_ST_MEM(BPF_DW, BPF_REG_10, -8, 3),     // 14
                BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),      // 15
                BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),     // 16
                BPF_MOV64_IMM(BPF_REG_2, 4),               // 17
                XCHG_CALL,                                 // 18
                BPF_ALU64_IMM(BPF_MUL, BPF_REG_0, 1000000), // 19
                BPF_EXIT_INSN()));                         // 20
    }

    @Test
    void everyCallBecomesMovAndAtomicXchg() {
        VerifierEnv env = env(prog(5, 9), k.services, 0, 14);
        assertEquals(0, DoMiscFixups.run(env), env.log()::toString);
        List<Insn> x = env.insns;
        assertEquals(23, x.size());
        assertEquals(BPF_MOV64_REG(BPF_REG_0, BPF_REG_2), x.get(5));
        assertEquals(BPF_ATOMIC_OP(BPF_DW, BPF_XCHG, BPF_REG_1, BPF_REG_0, 0), x.get(6));
        assertEquals(new Insn(0xdb, 1, 0, 0, 0xe1), x.get(6), "bpftool's opcodes: db 01 00 00 e1 00 00 00");
        assertEquals(5, x.get(1).off(), "the jump over the call lands past the pair");
        assertEquals(3, x.get(11).imm(), "the bpf-to-bpf call still reaches the subprogram");
        assertEquals(List.of(0, 15, 23), env.subprogStarts, "the subprogram (and the fake exit) moved");
        assertEquals(BPF_MOV64_REG(BPF_REG_0, BPF_REG_2), x.get(19));
        assertEquals(BPF_ATOMIC_OP(BPF_DW, BPF_XCHG, BPF_REG_1, BPF_REG_0, 0), x.get(20));
        assertEquals(0, x.stream().filter(Insn::isHelperCall).count());
    }

    @Test
    void theInlinedPairRunsAsTheHelper() {
        // xchg(kptr, ptr): the old value returned, the new one stored, in both frames
        for (int[] c : new int[][] {{5, 9}, {0, 7}, {8, 0}}) {
            VerifierEnv env = env(prog(c[0], c[1]), k.services, 0, 14);
            assertEquals(0, DoMiscFixups.run(env), env.log()::toString);
            Memory mem = new Memory();
            Outcome o = new Vm(mem, Bindings.NONE).run(LoadedProgram.load(Program.of(env.insns), Bindings.NONE), 0);
            assertEquals(c[0] * 1000L + c[1] + 3_000_000L, assertInstanceOf(Exit.class, o, o::toString).r0());
        }
    }

    @Test
    void withoutTheJitTheCallIsPatchedToTheHelper() {
        KernelServices s = k.services;
        KernelServices interp = new KernelServices(s.modules(), s.btfs(), s.registry(), false, s.jitSupportsKfuncCall(),
                s.jitSupportsFarKfuncCall(), s.maps());
        VerifierEnv env = env(prog(5, 9), interp, 0, 14);
        assertEquals(0, DoMiscFixups.run(env), env.log()::toString);
        assertEquals(21, env.insns.size());
        long addr = s.kallsyms().lookupName("bpf_kptr_xchg");
        assertEquals(XCHG_CALL.withImm((int) Kallsyms.callImm(addr)), env.insns.get(5));
        assertEquals(List.of(0, 14, 21), env.subprogStarts);
    }
}
