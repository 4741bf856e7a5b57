package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.junit.jupiter.api.Test;

/**
 * find_kfunc_desc_btf_offset() of the dropped v2 7/8: vmlinux is offset 0; an entry
 * with the same BTF is reused; otherwise the smallest free offset ≥ 1 is taken with a module
 * reference; a full table is "too many different module BTFs" (-E2BIG) and takes nothing.
 */
class FindKfuncDescBtfOffsetTest {
    private final TestKernel k = new TestKernel();

    FindKfuncDescBtfOffsetTest() {
        k.loadTestmod();
    }

    private VerifierEnv env() {
        VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1), new BpfProgAux("t"), k.services);
        env.aux.setId(7);
        return env;
    }

    /** Entries at {@code offsets} held by vmlinux's BTF (no module reference): placeholders for other BTFs. */
    private static List<KfuncBtf> placeholders(VerifierEnv env, int... offsets) {
        List<KfuncBtf> tab = new ArrayList<>();
        for (int off : offsets) {
            tab.add(new KfuncBtf(env.btfs().vmlinux(), null, off, "placeholder"));
        }
        return tab;
    }

    @Test
    void vmlinuxIsZeroAndTakesNothing() {
        VerifierEnv env = env();
        assertEquals(0, FindKfuncDescBtfOffset.run(env, env.btfs().vmlinux(), null));
        assertEquals(null, env.aux.kfuncBtfTab);
    }

    @Test
    void theSmallestFreeOffsetThenReuse() {
        VerifierEnv env = env();
        env.aux.kfuncBtfTab = placeholders(env, 1, 2, 4);
        int btfRefs = k.btfs.refcnt(k.testmodBtf);
        assertEquals(3, FindKfuncDescBtfOffset.run(env, k.testmodBtf, k.testmod));
        assertEquals(List.of(1, 2, 3, 4), env.aux.kfuncBtfTab.stream().map(KfuncBtf::offset).toList(), "sorted by offset");
        assertEquals(1, k.testmod.refcount());
        assertTrue(k.testmod.holders().containsKey("prog 7 (t) kfunc_btf_tab off 3, pro/epilogue"), k.testmod.holders().toString());
        assertEquals(btfRefs + 1, k.btfs.refcnt(k.testmodBtf));
        assertEquals(3, FindKfuncDescBtfOffset.run(env, k.testmodBtf, k.testmod), "reused");
        assertEquals(1, k.testmod.refcount());
        env.aux.kfuncBtfTab.removeIf(b -> b.module() == null);
        env.aux.freeKfuncBtfTab(k.modules, k.btfs);
        assertEquals(0, k.testmod.refcount());
        assertEquals(btfRefs, k.btfs.refcnt(k.testmodBtf));
    }

    @Test
    void aFullTableIsE2big() {
        VerifierEnv env = env();
        int[] offs = new int[FindKfuncDescBtf.MAX_KFUNC_BTFS];
        for (int i = 0; i < offs.length; i++) {
            offs[i] = i + 1;
        }
        env.aux.kfuncBtfTab = placeholders(env, offs);
        assertEquals(Errno.E2BIG.negative(), FindKfuncDescBtfOffset.run(env, k.testmodBtf, k.testmod));
        assertEquals("too many different module BTFs\n", env.log.toString());
        assertEquals(0, k.testmod.refcount());
    }
}
