package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/** The verifier log at levels 1 and 2, in the kernel's format (kernel/bpf/log.c, do_check()). */
class VerifierLogTest {
    @Test
    void levelOneShowsEachInstructionWithTheStateItChanged() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = k.load(RejectionTest.prog("r1 = *(u64 *)(r1 +0)\nr2 = 5\n*(u64 *)(r10 -8) = r2\nr0 = 0\nexit"), 1);
        assertTrue(r.ok(), r.log());
        int argsId = k.testmodBtf.btf().findByNameKind("st_ops_args", org.bpfosgi.btf.api.BtfKind.STRUCT);
        List<String> lines = List.of(r.log().split("\n"));
        assertEquals(List.of(
                "0: R1=ctx() R10=fp0",
                "0: (79) r1 = *(u64 *)(r1 +0)",
                "func 'test_prologue' arg0 has btf_id " + argsId + " type STRUCT 'st_ops_args'",
                "1: R1=trusted_ptr_st_ops_args()",
                "1: (b7) r2 = 5                        ; R2=5",
                "2: (7b) *(u64 *)(r10 -8) = r2         ; R2=5 R10=fp0 fp-8=5",
                "3: (b7) r0 = 0                        ; R0=0",
                "4: (95) exit",
                "processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0"),
                lines);
        k.progs.free(r.prog().id());
    }

    @Test
    void levelTwoAddsSubprogramsAndBranchStates() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = k.load(RejectionTest.prog("r1 = *(u64 *)(r1 +0)\nr2 = *(u64 *)(r1 +0)\nr0 = 0\n"
                + "if r2 == 0 goto +1\nr0 = 1\nexit"), 2);
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().startsWith("func#0 @0\n0: R1=ctx() R10=fp0\n"), r.log());
        assertTrue(r.log().contains("\nfrom 3 to 5: R0=0 R1=trusted_ptr_st_ops_args() R2=0 R10=fp0\n"), r.log());
        // is_state_visited(): no checkpoint before 2 jumps and 8 instructions (the kernel's 9.1 example)
        assertTrue(r.log().endsWith("processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n"),
                r.log());
        k.progs.free(r.prog().id());
    }

    @Test
    void levelZeroKeepsNothing() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = k.load(RejectionTest.prog("r0 = r2\nexit"), 0);
        assertEquals("", r.log());
        assertEquals(org.bpfosgi.errno.Errno.EACCES, r.errno().orElseThrow());
    }
}
