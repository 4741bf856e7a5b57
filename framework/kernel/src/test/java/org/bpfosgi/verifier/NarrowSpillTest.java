package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/**
 * Narrow spills of scalars (v6.12 check_stack_write_fixed_off() / save_register_state() /
 * check_stack_read_fixed_off()): a 4-byte aligned store of a bounded scalar is a spill that
 * shares the register's id, and a 4-byte fill restores it; the read slot is printed too
 * (mark_stack_slot_scratched()). The expected lines are the live kernel's (6.18, loaded with
 * generate.py's loader at log level 2), which prints no liveness suffixes, like the model.
 */
class NarrowSpillTest {
    @Test
    void aFourByteSpillKeepsTheScalarAndItsId() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog(
                "call bpf_get_prandom_u32\nr6 = r0\nr6 &= 63\n*(u32 *)(r10 -8) = r6\nr7 = *(u32 *)(r10 -8)\nr0 = 0\nexit"), 2));
        assertTrue(r.ok(), r.log());
        String v = "scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=63,var_off=(0x0; 0x3f))";
        assertTrue(r.log().contains("R6=" + v + " R10=fp0 fp-8=????" + v + "\n"), r.log());
        assertTrue(r.log().contains("; R7=" + v + " R10=fp0 fp-8=????" + v + "\n"), r.log());
        k.progs.free(r.prog().id());
    }
}
