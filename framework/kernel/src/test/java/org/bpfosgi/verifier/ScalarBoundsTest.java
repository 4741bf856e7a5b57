package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scalar tracking as v6.12 prints it at log level 2 (tnum plus u64/s64/u32/s32 bounds,
 * print_scalar_ranges()). Expected strings are the kernel's (the live kernel prints the same for
 * these; liveness suffixes such as {@code _w} are not modelled). r3 is an unknown u32 loaded from
 * the context's struct.
 */
class ScalarBoundsTest {
    private static final String U32 = "r2 = *(u64 *)(r1 +0)\nr3 = *(u32 *)(r2 +0)\n";

    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
    }

    @AfterEach
    void free() {
        k.progs.list().forEach(p -> k.progs.free(p.id()));
    }

    private String log(String body) {
        ProgLoadResult r = k.load(RejectionTest.prog(U32 + body + "\nr0 = 0\nexit"), 2);
        assertTrue(r.ok(), r.log());
        return r.log();
    }

    private void prints(String body, String expected) {
        String log = log(body);
        assertTrue(log.contains(expected), "log lacks [" + expected + "]:\n" + log);
    }

    @Test
    void u32Load() {
        prints("", "R3=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))");
    }

    @Test
    void addConstant() {
        prints("r3 += 100", "R3=scalar(smin=umin=100,smax=umax=0x100000063,var_off=(0x0; 0x1ffffffff))");
    }

    @Test
    void orConstant() {
        prints("r3 |= 3", "R3=scalar(smin=umin=umin32=3,smax=umax=0xffffffff,smin32=0x80000003,var_off=(0x3; 0xfffffffc))");
    }

    @Test
    void andConstant() {
        prints("r3 &= 255", "R3=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    }

    @Test
    void linkedCopyWithConstantDelta() {
        prints("r3 &= 24\nr4 = r3\nr4 += 8", "R4=scalar(id=1+8,smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=32,var_off=(0x0; 0x38))");
    }

    @Test
    void addNegative() {
        prints("r3 += -128", "R3=scalar(smin=-128,smax=0xffffff7f)");
    }

    @Test
    void signExtendWord() {
        prints("r3 += -128\nr0 = (s32)r3", "R0=scalar(smin=0xffffffff80000000,smax=0x7fffffff)");
    }

    @Test
    void signExtendByte() {
        prints("r3 &= 255\nr4 = (s8)r3", "R4=scalar(smin=smin32=-128,smax=smax32=127)");
    }

    @Test
    void signExtendHalfKeepsTheLink() {
        prints("r3 &= 255\nr5 = (s16)r3", "R5=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    }

    @Test
    void signExtend32BitSubregister() {
        prints("r3 &= 255\nw0 = (s8)w3", "R0=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff))");
    }

    @Test
    void multiplyByNegative() {
        // v6.12: either signed minimum below 0 makes the result unbounded (6.14 changed BPF_MUL)
        prints("r3 *= -4", "R3=scalar(smax=0x7ffffffffffffffc,umax=0xfffffffffffffffc,smax32=0x7ffffffc,umax32=0xfffffffc,"
                + "var_off=(0x0; 0xfffffffffffffffc))");
    }

    @Test
    void divisionNegationAndByteSwapAreUnknown() {
        prints("r4 = 3\nr3 /= r4", "R3=scalar()");
        prints("w3 %= 7", "R3=scalar()");
        prints("r3 = -r3", "R3=scalar()");
        prints("r3 = be32 r3", "R3=scalar()");
    }

    @Test
    void branchRefinesBothSides() {
        String log = log("if r3 > 0xa goto +1\nr0 = 0");
        assertTrue(log.contains("R3=scalar(smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))"), log);
        assertTrue(log.contains("R3=scalar(smin=umin=umin32=11,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))"), log);
    }

    @Test
    void rangeDecidesABranch() {
        // r3 & 7 <= 7: the jump is never taken, insn 5 is reached once (7 processed, not 9)
        String log = log("r3 &= 7\nif r3 > 7 goto +1\nr0 = 0");
        assertTrue(log.contains("processed 7 insns"), log);
    }

    @Test
    void signedCompareOfMaskedValue() {
        String log = log("r3 &= 0xff\nif r3 s< 0 goto +1\nr0 = 0");
        assertTrue(log.contains("processed 7 insns"), log);
    }

    @Test
    void linkedRegisterLearnsFromTheBranch() {
        // r4 = r3 + 8 shares r3's id: where r3 < 16, r4 is in [8, 23]. sync_linked_regs() of v6.12
        // gives r4 the refined register's id without BPF_ADD_CONST (its off stays 8)
        String log = log("r4 = r3\nr4 += 8\nif r3 < 16 goto +1\nr0 = 0\nr0 = r4");
        assertTrue(log.contains("from 4 to 6: R1=ctx() R2=trusted_ptr_st_ops_args() "
                + "R3=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf)) "
                + "R4=scalar(id=1,smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=23,var_off=(0x0; 0x1f)) R10=fp0"), log);
    }

    @Test
    void tnumTextOfConstants() {
        assertEquals("0", Tnum.constant(0).toString());
        assertEquals("65535", Tnum.constant(0xffff).toString());
        assertEquals("0x10000", Tnum.constant(0x10000).toString());
        assertEquals("(0x0; 0xff)", new Tnum(0, 0xff).toString());
    }
}
