package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.VerifierOps;
import org.junit.jupiter.api.Test;

/**
 * bpf_fastcall ({@link MarkFastcallPatterns}) against the live kernel's xlated images of
 * {@code differential/misc-fixups-xlated.py}: r1 and r2 spilled to the lowest stack offsets
 * around bpf_get_smp_processor_id. A struct_ops program keeps them (bpf_base_func_proto's
 * proto has no allow_fastcall), with and without a broken contract; with
 * bpf_get_smp_processor_id_proto (a raw_tp program on the live kernel) the spills and fills go.
 */
class FastcallTest {
    @Test
    void structOpsKeepsTheSpillsAndFillsAsTheKernelDoes() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = MiscFixupsXlatedTest.loadAndCompare(k, "fastcall", 12);
        assertEquals(16, r.prog().aux().stackDepths()[0]); // keep_fastcall_stack
        k.progs.free(r.prog().id());
        // r3 = *(u64 *)(r10 - 16) outside the pattern: check_fastcall_stack_contract() resets it
        r = MiscFixupsXlatedTest.loadAndCompare(k, "fastcall_contract_broken", 13);
        assertEquals(16, r.prog().aux().stackDepths()[0]);
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    /** An env on {@code insns} whose get_func_proto returns bpf_get_smp_processor_id_proto (tracing's). */
    private static VerifierEnv tracingEnv(TestKernel k, List<Insn> insns) {
        VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns),
                new BpfProgAux("t"), k.services);
        env.ops = new VerifierOps() {
            @Override
            public BpfFuncProto getFuncProto(int funcId, BpfProgInfo prog) {
                return funcId == 8 ? MarkFastcallPatterns.BPF_GET_SMP_PROCESSOR_ID_PROTO : null;
            }
        };
        env.subprogStarts.add(0);
        env.subprogStarts.add(insns.size());
        env.subprogStackDepth = new int[] {16}; // what do_check found
        java.util.Arrays.fill(env.seen, true);
        return env;
    }

    @Test
    void withTheFastcallProtoTheSpillsAndFillsGoAsInTheKernelsRawTpProgram() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        MiscFixupsXlatedTest.Golden g = MiscFixupsXlatedTest.golden("raw_tp_fastcall");
        VerifierEnv env = tracingEnv(k, g.insns());
        assertEquals(0, MarkFastcallPatterns.markFastcallPatterns(env));
        assertEquals(2, env.fastcallSpillsNum[4]);
        assertEquals(0, MarkFastcallPatterns.removeFastcallSpillsFills(env));
        assertEquals(0, env.subprogStackDepth[0]); // -fastcall_stack_off
        assertEquals(0, OptRemoveNops.run(env));
        assertEquals(0, DoMiscFixups.run(env), env.log()::toString);
        List<String> want = new ArrayList<>();
        for (String[] l : g.lines()) {
            String v = MiscFixupsXlatedTest.v612(l[0], l[1]);
            want.add(v.substring(v.indexOf(" | ") + 3));
        }
        List<String> got = env.insns.stream().map(i -> HexFormat.ofDelimiter(" ").formatHex(i.encode())).toList();
        assertEquals(String.join("\n", want), String.join("\n", got));
    }

    @Test
    void anAccessOutsideThePatternResetsItForTheSubprogram() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        MiscFixupsXlatedTest.Golden g = MiscFixupsXlatedTest.golden("fastcall_contract_broken");
        VerifierEnv env = tracingEnv(k, g.insns());
        MarkFastcallPatterns.markFastcallPatterns(env);
        assertTrue(env.fastcallPattern[3] && env.fastcallPattern[5]);
        assertEquals(0, env.fastcallStackOff[0]);
        // the pattern's own accesses do not reset it, nor one above fastcall_stack_off
        MarkFastcallPatterns.checkFastcallStackContract(env, 0, 3, -16);
        MarkFastcallPatterns.checkFastcallStackContract(env, 0, 7, 0);
        assertEquals(2, env.fastcallSpillsNum[4]);
        // insn 7, r3 = *(u64 *)(r10 - 16)
        MarkFastcallPatterns.checkFastcallStackContract(env, 0, 7, -16);
        assertEquals(Short.MIN_VALUE, env.fastcallStackOff[0]);
        assertEquals(0, env.fastcallSpillsNum[4]);
        assertFalse(env.fastcallPattern[3]);
        MarkFastcallPatterns.removeFastcallSpillsFills(env);
        assertEquals(g.insns(), env.insns);
        assertEquals(16, env.subprogStackDepth[0]);
    }

    @Test
    void aPatternSpillGetsNoRoomBelowMaxBpfStack() {
        // live 6.18 (struct_ops tcp and raw_tp alike): "invalid write to stack R10 off=-520 size=8",
        // -EACCES; v6.12 the same (d0b98f6a17a5, v6.12-rc6)
        TestKernel k = new TestKernel();
        k.loadTestmod();
        List<Insn> insns = List.of(org.bpfosgi.isa.Macros.BPF_MOV64_IMM(1, 1),
                org.bpfosgi.isa.Macros.BPF_STX_MEM(org.bpfosgi.isa.Bpf.BPF_DW, 10, 1, -520),
                org.bpfosgi.isa.Macros.BPF_EMIT_CALL(8),
                org.bpfosgi.isa.Macros.BPF_LDX_MEM(org.bpfosgi.isa.Bpf.BPF_DW, 1, 10, -520),
                new Insn(org.bpfosgi.isa.Bpf.BPF_ALU64 | org.bpfosgi.isa.Bpf.BPF_MOV | org.bpfosgi.isa.Bpf.BPF_X, 0, 1, 0, 0),
                new Insn(org.bpfosgi.isa.Bpf.BPF_JMP | org.bpfosgi.isa.Bpf.BPF_EXIT, 0, 0, 0, 0));
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns));
        assertFalse(r.ok());
        assertEquals(-13, r.err(), r.log());
        assertTrue(r.log().contains("1: (7b) *(u64 *)(r10 -520) = r1\ninvalid write to stack R10 off=-520 size=8\n"), r.log());
        k.assertNoReferencesLeft();
    }
}
