package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * reg_set_min_max() (v6.12) sanity-checks all four registers it refined, env->fake_reg[] of a
 * BPF_K comparison included: "true_reg1", "true_reg2", "false_reg1", "false_reg2", in that order.
 * v6.12's is_scalar_branch_taken() decides BPF_JEQ on ranges only, so an odd r6 in [1, 15]
 * compared with 2 is not decided; on the jump side regs_refine_cond_op() intersects both tnums
 * into the constant 3 while the ranges say 2, and reg_bounds_sync() then raises umin to 3 above
 * umax 2: both the register and the fake register fail ("range bounds violation") and both
 * violations are logged. (Later
 * kernels decide the branch from the tnums, so the live 6.18 kernel cannot show this.)
 */
class FakeRegSanityCheckTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
    }

    @AfterEach
    void noLeaks() {
        k.progs.list().forEach(p -> k.progs.free(p.id()));
        k.assertNoReferencesLeft();
    }

    @Test
    void theFakeRegisterOfABpfKCompareIsCheckedToo() {
        ProgLoadResult r = k.load(RejectionTest.prog("""
                call bpf_get_prandom_u32
                r6 = r0
                r6 &= 15
                r6 |= 1
                if r6 == 2 goto +1
                r0 = 0
                r0 = 0
                exit"""), 1);
        String log = r.log();
        int reg1 = log.indexOf("REG INVARIANTS VIOLATION (true_reg1): range bounds violation u64=[0x3, 0x3]");
        int reg2 = log.indexOf("REG INVARIANTS VIOLATION (true_reg2): range bounds violation u64=[0x3, 0x2]");
        assertTrue(reg1 >= 0 && reg2 > reg1, log);
        assertTrue(!log.contains("(false_reg2)"), log);
    }
}
