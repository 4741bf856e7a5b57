package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.subsystem.GenEpilogue;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.VerifierOps;
import org.junit.jupiter.api.Test;

/** convert_ctx_accesses() steps A and B up to the patching seam. */
class ConvertCtxAccessesTest {
    private final TestKernel k = new TestKernel();

    private VerifierEnv env(VerifierOps ops) {
        if (k.testmod == null) {
            k.loadTestmod();
        }
        VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1), new BpfProgAux("t"), k.services);
        env.ops = ops;
        env.subprogStackDepth = new int[] {0};
        return env;
    }

    /** Generators returning fixed counts, recording what was asked. */
    private static final class Gen implements VerifierOps {
        final int epilogue;
        final int prologue;
        final List<String> asked = new ArrayList<>();

        Gen(int epilogue, int prologue) {
            this.epilogue = epilogue;
            this.prologue = prologue;
        }

        @Override
        public Optional<GenPrologue> genPrologue() {
            return Optional.of((insnBuf, directWrite, prog) -> {
                asked.add("prologue " + directWrite);
                if (prologue < 0) {
                    throw new IllegalStateException("boom");
                }
                return prologue;
            });
        }

        @Override
        public Optional<GenEpilogue> genEpilogue() {
            return Optional.of((insnBuf, prog, ctxStackOff) -> {
                asked.add("epilogue " + ctxStackOff);
                return epilogue;
            });
        }
    }

    private static final class NoGenerators implements VerifierOps {
    }

    @Test
    void seenDirectWriteWithoutGenPrologueIsMisconfigured() {
        VerifierEnv env = env(new NoGenerators());
        env.seenDirectWrite = true;
        assertEquals(Errno.EINVAL.negative(), ConvertCtxAccesses.run(env));
        assertEquals("bpf verifier is misconfigured\n", env.log.toString());
        VerifierEnv quiet = env(new NoGenerators());
        assertEquals(0, ConvertCtxAccesses.run(quiet));
    }

    @Test
    void bothGeneratorsAreAskedEpilogueFirst() {
        Gen g = new Gen(0, 0);
        VerifierEnv env = env(g);
        assertEquals(0, ConvertCtxAccesses.run(env));
        assertEquals(List.of("epilogue -8", "prologue false"), g.asked);
    }

    @Test
    void aCountLargerThanWhatWasWrittenFailsCleanly() {
        VerifierEnv env = env(new Gen(8, 5));
        assertEquals(Errno.EFAULT.negative(), ConvertCtxAccesses.run(env));
        assertTrue(env.log.toString().contains("bpf-osgi: the subsystem's gen_epilogue returned 8 but wrote 0 instructions"),
                env.log.toString());
    }

    @Test
    void aTooLongEpilogueStopsBeforeThePrologue() {
        Gen g = new Gen(ConvertCtxAccesses.INSN_BUF_SIZE, 1);
        VerifierEnv env = env(g);
        assertEquals(Errno.EINVAL.negative(), ConvertCtxAccesses.run(env));
        assertEquals(List.of("epilogue -8"), g.asked);
        assertTrue(env.log.toString().contains("bpf verifier is misconfigured\n"));
    }

    @Test
    void aThrowingGeneratorWithoutStOpsIsAnErrorNotANullPointer() {
        VerifierEnv env = env(new Gen(0, -1));
        assertEquals(null, env.aux.stOps);
        assertEquals(Errno.EFAULT.negative(), ConvertCtxAccesses.run(env));
        assertFalse(env.log.toString().isEmpty());
    }
}
