package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/**
 * bpf_fastcall ({@link MarkFastcallPatterns}): spills/fills of r1, r2 around an inlined
 * bpf_get_smp_processor_id, programs recorded by {@code differential/misc-fixups-xlated.py}.
 * The contract-broken program's image equals the live kernel's (the spills stay). The intact
 * pattern is removed by v6.12's remove_fastcall_spills_fills(); the live 6.18 kernel of this
 * machine kept it (see the golden file), which is not explained yet: the test checks the v6.12
 * source's result (8 instructions, stack depth 0), not the golden image.
 */
class FastcallTest {
    private static boolean isStackSpillOrFill(Insn i) {
        return (i.code() == (Bpf.BPF_STX | Bpf.BPF_MEM | Bpf.BPF_DW) && i.dst() == 10)
                || (i.code() == (Bpf.BPF_LDX | Bpf.BPF_MEM | Bpf.BPF_DW) && i.src() == 10);
    }

    @Test
    void contractBrokenKeepsTheSpillsAndFillsAsTheKernelDoes() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        // r3 = *(u64 *)(r10 - 16) outside the pattern: check_fastcall_stack_contract() resets it
        ProgLoadResult r = MiscFixupsXlatedTest.loadAndCompare(k, "fastcall_contract_broken", 13);
        assertEquals(16, r.prog().aux().stackDepths()[0]);
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void intactPatternLosesItsSpillsAndFillsAndItsStack() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        MiscFixupsXlatedTest.Golden g = MiscFixupsXlatedTest.golden("fastcall");
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(g.insns()));
        assertTrue(r.ok(), r.log());
        List<Insn> x = r.prog().insns();
        assertEquals(12 - 4, x.size(), x.toString()); // the golden (6.18) image keeps 4 spills/fills
        assertTrue(x.stream().noneMatch(FastcallTest::isStackSpillOrFill), x.toString());
        assertEquals(0, r.prog().aux().stackDepths()[0]); // -fastcall_stack_off
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }
}
