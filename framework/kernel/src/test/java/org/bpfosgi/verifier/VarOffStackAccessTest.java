package org.bpfosgi.verifier;

import static org.bpfosgi.errno.Errno.EACCES;
import static org.bpfosgi.errno.Errno.EINVAL;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Variable-offset PTR_TO_STACK accesses as the kernel checks them (v6.12 check_mem_access():
 * check_ptr_alignment() — always strict for the stack, var_off included — then
 * check_stack_access_within_bounds(), then the fixed- or variable-offset read/write). The first
 * six are the class of programs the model used to accept and the kernel rejects: a random
 * offset that is not a multiple of the access size. Messages and errnos are the live kernel's
 * (identical in v6.12 for these).
 */
class VarOffStackAccessTest {
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

    /** r0 = random & mask; r7 = fp + base + r0; then {@code access}. */
    private static String varOff(String mask, int base, String access) {
        return RejectionTest.prog("call bpf_get_prandom_u32\nr0 &= " + mask + "\nr7 = r10\nr7 += " + base
                + "\nr7 += r0\n" + access + "\nr0 = 0\nexit");
    }

    private void accepted(String text) {
        ProgLoadResult r = k.load(text, 2);
        assertTrue(r.ok(), r.log());
    }

    // ------------------------------------------------------------ the reproducer class

    @Test
    void u32StoreAtAnyByteOffsetIsMisaligned() {
        k.assertRejected(varOff("7", -16, "*(u32 *)(r7 +0) = 1"), EACCES, "misaligned stack access off (0x0; 0x7)+-16+0 size 4\n");
    }

    @Test
    void u64StoreAtAnyByteOffsetIsMisaligned() {
        k.assertRejected(varOff("7", -16, "*(u64 *)(r7 +0) = r0"), EACCES, "misaligned stack access off (0x0; 0x7)+-16+0 size 8\n");
    }

    @Test
    void u16StoreAtAnyByteOffsetIsMisaligned() {
        k.assertRejected(varOff("7", -16, "*(u16 *)(r7 +0) = 1"), EACCES, "misaligned stack access off (0x0; 0x7)+-16+0 size 2\n");
    }

    @Test
    void u32LoadAtAnyByteOffsetIsMisaligned() {
        k.assertRejected(varOff("7", -16, "r1 = *(u32 *)(r7 +0)"), EACCES, "misaligned stack access off (0x0; 0x7)+-16+0 size 4\n");
    }

    @Test
    void evenOffsetsAreNotWordAligned() {
        k.assertRejected(varOff("6", -16, "*(u32 *)(r7 +0) = 1"), EACCES, "misaligned stack access off (0x0; 0x6)+-16+0 size 4\n");
    }

    @Test
    void fourByteStepsAreNotDoublewordAligned() {
        k.assertRejected(varOff("4", -16, "*(u64 *)(r7 -8) = r0"), EACCES, "misaligned stack access off (0x0; 0x4)+-16+-8 size 8\n");
    }

    // ------------------------------------------------------------ what the kernel accepts

    @Test
    void alignedVariableOffsetsAreAccepted() {
        accepted(varOff("8", -16, "*(u64 *)(r7 +0) = r0"));
        accepted(varOff("0x18", -32, "*(u64 *)(r7 +0) = r0\nr1 = *(u64 *)(r7 +0)"));
        accepted(varOff("4", -16, "*(u32 *)(r7 +0) = 1"));
    }

    @Test
    void byteAccessesAreNeverMisaligned() {
        accepted(varOff("7", -16, "*(u8 *)(r7 +0) = 1\nr1 = *(u8 *)(r7 +0)"));
    }

    // ------------------------------------------------------------ check_stack_access_within_bounds()

    @Test
    void aboveTheFramePointerIsEinval() {
        k.assertRejected(varOff("0xf8", 0, "*(u64 *)(r7 -8) = r0"), EINVAL,
                "invalid variable-offset write to stack R7 var_off=(0x0; 0xf8) off=-8 size=8\n");
    }

    @Test
    void belowTheStackIsEacces() {
        k.assertRejected(varOff("0xf8", -512, "r1 = *(u64 *)(r7 -8)"), EACCES,
                "invalid variable-offset read from stack R7 var_off=(0x0; 0xf8) off=-520 size=8\n");
    }

    @Test
    void unboundedVariableOffset() {
        // smin 0 passes check_reg_sane_offset(); smax 0x7ffffff8 is beyond BPF_MAX_VAR_OFF at the access
        k.assertRejected(varOff("0x7ffffff8", 0, "*(u64 *)(r7 -8) = r0"), EACCES,
                "invalid unbounded variable-offset write to stack R7\n");
    }

    @Test
    void constantMisalignment() {
        k.assertRejected(RejectionTest.prog("r5 = r10\nr5 += -6\n*(u64 *)(r5 +0) = r1\nr0 = 0\nexit"), EACCES,
                "misaligned stack access off 0+-6+0 size 8\n");
    }

    // ------------------------------------------------------------ pointer arithmetic on the stack

    @Test
    void unboundedMinValue() {
        k.assertRejected(RejectionTest.prog("call bpf_get_prandom_u32\nr5 = r10\nr5 += r0\nr0 = 0\nexit"), EINVAL,
                "math between fp pointer and register with unbounded min value is not allowed\n");
    }

    @Test
    void hugeConstant() {
        k.assertRejected(RejectionTest.prog("r5 = r10\nr5 += 0x20000000\nr0 = 0\nexit"), EINVAL,
                "math between fp pointer and 536870912 is not allowed\n");
    }

    @Test
    void subtractionFromStackPointer() {
        k.assertRejected(RejectionTest.prog("call bpf_get_prandom_u32\nr0 &= 7\nr5 = r10\nr5 -= r0\nr0 = 0\nexit"), EACCES,
                "R5 subtraction from stack pointer prohibited\n");
    }

    @Test
    void variableReadOfWrittenRangeIsAccepted() {
        // the live kernel: write then read through fp + (0..24 step 8) - 32
        accepted(varOff("0x18", -32, "*(u64 *)(r7 +0) = 0\nr1 = *(u64 *)(r7 +0)\nr0 = r1"));
    }

    @Test
    void variableOffsetStackReadIntoNothingIsRefused() {
        // an atomic add reads without a destination register: check_stack_read() refuses a variable offset
        k.assertRejected(varOff("8", -16, "lock *(u64 *)(r7 +0) += r0"), EACCES,
                "variable offset stack pointer cannot be passed into helper function; var_off=(0x0; 0x8) off=-16 size=8\n");
    }
}
