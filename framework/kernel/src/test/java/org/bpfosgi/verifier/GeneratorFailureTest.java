package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Macros;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.GenEpilogue;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.VerifierOps;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bpf_testmod whose generators misbehave: every failure ends the load with the kernel's error
 * (or -EFAULT and a "bpf-osgi:" line for a generator bug) and leaves no reference behind, also
 * under the seed policy where the same load would pin the module.
 */
class GeneratorFailureTest {
    private final TestKernel k = new TestKernel();

    /** bpf_testmod's ops with the given generators. */
    private void boot(GenPrologue pro, GenEpilogue epi) {
        k.loadTestmod(new TestKernel.WithoutGenerators(new BpfTestmod()) {
            @Override
            public Optional<GenPrologue> genPrologue() {
                return Optional.ofNullable(pro);
            }

            @Override
            public Optional<GenEpilogue> genEpilogue() {
                return Optional.ofNullable(epi);
            }
        }, true);
    }

    private static final String PROG = ProEpilogueBodiesTest.body("test_pro_epilogue");
    /** A body that calls no kfunc: only the pro/epilogue's kfuncs can take a module reference. */
    static final String NO_KFUNC = ".license \"GPL\"\nSEC(\"struct_ops/test_pro_epilogue\")\nno_kfunc:\n"
            + "    r0 = 0\n    exit\n";

    @AfterEach
    void nothingHeld() {
        k.assertNoReferencesLeft();
        assertEquals(0, k.testmod.refcount());
        assertTrue(k.testmod.holders().isEmpty(), k.testmod.holders().toString());
    }

    private void assertFails(Errno errno, String log) {
        for (KfuncPolicy p : KfuncPolicy.values()) {
            ProgLoadResult r = k.load(PROG, p, false);
            assertFalse(r.ok(), p + ": " + r.log());
            assertEquals(errno, r.errno().orElseThrow(), r.log());
            assertTrue(r.log().contains(log), p + ": " + r.log());
        }
    }

    /** A seed-style prologue that calls inc10 with *module = THIS_MODULE, then fails. */
    private static int seedKfuncThen(org.bpfosgi.subsystem.InsnBuf buf, org.bpfosgi.subsystem.BpfProgInfo prog) {
        buf.add(Macros.BPF_CALL_KFUNC(0, prog.btfIdList("st_ops_epilogue_kfunc_list")[0]));
        buf.setThisModule();
        return buf.written();
    }

    @Test
    void aThrowingPrologue() {
        boot((b, d, p) -> {
            throw new IllegalStateException("boom");
        }, null);
        assertFails(Errno.EFAULT, "bpf-osgi: bpf_testmod_st_ops's gen_prologue threw java.lang.IllegalStateException: boom");
    }

    @Test
    void aCountLargerThanWritten() {
        boot(null, (b, p, off) -> {
            b.add(Macros.BPF_EXIT_INSN());
            return 3;
        });
        assertFails(Errno.EFAULT, "bpf-osgi: bpf_testmod_st_ops's gen_epilogue returned 3 but wrote 1 instructions");
    }

    @Test
    void writingPastTheBuffer() {
        boot((b, d, p) -> {
            for (int i = 0; i < 20; i++) {
                b.add(Macros.BPF_MOV64_IMM(0, i));
            }
            return 20;
        }, null);
        assertFails(Errno.EFAULT, "bpf-osgi: bpf_testmod_st_ops's gen_prologue wrote past insn_buf[16]");
    }

    @Test
    void writingPastTheBufferAndSwallowingTheException() {
        boot((b, d, p) -> {
            try {
                for (int i = 0; i < 20; i++) {
                    b.add(Macros.BPF_MOV64_IMM(0, i));
                }
            } catch (IllegalStateException ignored) {
                // a generator that hides its bug
            }
            return 2;
        }, null);
        assertFails(Errno.EFAULT, "wrote past insn_buf[16]");
    }

    @Test
    void aMalformedSequence() {
        boot(null, (b, p, off) -> {
            b.add(new Insn(0x18, 0, 0, 0, 1)); // ld_imm64 without its second slot
            b.add(Macros.BPF_EXIT_INSN());
            return 2;
        });
        assertFails(Errno.EFAULT, "wrote an ld_imm64 without its second slot at 0");
    }

    @Test
    void aTooLongEpilogueIsTheKernelsMisconfiguration() {
        boot(null, (b, p, off) -> {
            for (int i = 0; i < 15; i++) {
                b.add(Macros.BPF_MOV64_IMM(0, i));
            }
            b.add(Macros.BPF_EXIT_INSN());
            return 16;
        });
        assertFails(Errno.EINVAL, "bpf verifier is misconfigured\n");
    }

    @Test
    void aSeedPrologueWhoseKfuncTookAReferenceAndTheEpilogueFailsHoldsNothing() {
        boot((b, d, p) -> {
            seedKfuncThen(b, p);
            b.add(p.firstInsn());
            return b.written();
        }, (b, p, off) -> {
            throw new IllegalStateException("epilogue bug");
        });
        // the epilogue runs first and fails: nothing taken
        ProgLoadResult r = k.load(PROG, KfuncPolicy.SEED, false);
        assertFalse(r.ok());
        assertTrue(r.log().contains("gen_epilogue threw"), r.log());
    }

    @Test
    void aSeedPrologueFailingAfterTheEpilogueTookAReference() {
        boot((b, d, p) -> {
            throw new IllegalStateException("prologue bug");
        }, (b, p, off) -> {
            seedKfuncThen(b, p);
            b.add(Macros.BPF_EXIT_INSN());
            return b.written();
        });
        java.util.List<String> points = new java.util.ArrayList<>();
        k.modules.setPointHook(points::add);
        ProgLoadResult r = k.load(NO_KFUNC, KfuncPolicy.SEED, false);
        k.modules.setPointHook(null);
        assertFalse(r.ok());
        assertTrue(r.log().contains("gen_prologue threw"), r.log());
        assertTrue(points.contains("find_kfunc_desc_btf_offset:before_try_get"), points.toString());
    }
}
