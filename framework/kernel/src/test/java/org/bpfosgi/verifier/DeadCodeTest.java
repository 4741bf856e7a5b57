package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/** Privileged loads lose the code do_check never reached (opt_hard_wire_dead_code_branches, opt_remove_dead_code, opt_remove_nops). */
class DeadCodeTest {
    private static List<String> xlated(TestKernel k, String body) {
        ProgLoadResult r = k.load(RejectionTest.prog(body));
        assertTrue(r.ok(), r.log());
        List<String> x = Disassembler.dump(r.prog().prepareDump(), Disassembler.Style.SELFTEST, Disassembler.NONE);
        k.progs.free(r.prog().id());
        return x;
    }

    @Test
    void aBranchDecidedByConstantsIsHardWiredAndTheDeadArmRemoved() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        assertEquals(List.of("0: r0 = 0", "1: exit"), xlated(k, "r0 = 0\nif r0 == 0 goto +1\nr0 = 1\nexit"));
        // both sides reached (the target also by falling through): the branch stays
        assertEquals(List.of("0: r0 = 0", "1: if r0 != 0x0 goto pc+1", "2: r0 = 1", "3: exit"),
                xlated(k, "r0 = 0\nif r0 != 0 goto +1\nr0 = 1\nexit"));
        // a jump over the removed code keeps landing on the same instruction
        assertEquals(List.of("0: r2 = *(u64 *)(r1 +0)", "1: r0 = 0", "2: r3 = 1", "3: if r2 == 0x0 goto pc+1", "4: r0 = 1", "5: exit"),
                xlated(k, "r2 = *(u64 *)(r1 +0)\nr0 = 0\nr3 = 1\nif r3 == 1 goto +1\nr0 = 2\nif r2 == 0 goto +1\nr0 = 1\nexit"));
        k.assertNoReferencesLeft();
    }

    @Test
    void aSubprogramOnlyCalledFromDeadCodeGoes() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        assertEquals(List.of("0: r0 = 0", "1: exit"), xlated(k, "r0 = 0\nif r0 != 0 goto +1\nexit\ncall f\nexit\nf:\nr0 = 1\nexit"));
        // a program's own goto +0 is a nop too
        assertEquals(List.of("0: r1 = 0", "1: call pc+1", "2: exit", "3: r0 = 1", "4: exit"),
                xlated(k, "r1 = 0\ncall f\ngoto +0\nexit\nf:\nr0 = 1\nexit"));
    }
}
