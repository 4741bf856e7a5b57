package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Macros;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.bpfosgi.vm.Oops;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Module references of pro/epilogue kfuncs: under {@code seed} (dropped v2 7/8) the
 * kfunc_btf_tab entry that find_kfunc_desc_btf_offset() allocates pins bpf_testmod until the
 * program is freed; {@code upstream} and {@code emit-call} take none. Counts are asserted after
 * every test.
 */
class SeedModuleRefsTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmodWithGenerators();
    }

    @AfterEach
    void counts() {
        k.assertNoReferencesLeft();
    }

    private static final String NO_KFUNC = GeneratorFailureTest.NO_KFUNC;

    private BpfProg load(String text, KfuncPolicy policy) {
        ProgLoadResult r = k.load(text, policy, false);
        assertTrue(r.ok(), r.log());
        return r.prog();
    }

    @Test
    void aSeedProEpiloguePinsTheModuleEvenWhenTheBodyCallsNoKfunc() {
        BpfProg p = load(NO_KFUNC, KfuncPolicy.SEED);
        assertEquals(1, k.testmod.refcount());
        assertEquals(Map.of("prog " + p.id() + " (no_kfunc) kfunc_btf_tab off 1, pro/epilogue", 1), k.testmod.holders());
        assertEquals(1, p.aux().kfuncBtfTab().size());
        assertEquals(2, p.aux().kfuncTab().size(), "inc10 and inc100, both at offset 1");
        assertTrue(p.aux().kfuncTab().stream().allMatch(d -> d.offset() == 1));

        ModuleTable.DeleteResult rm = k.modules.deleteModule("bpf_testmod", 0);
        assertEquals(Errno.EWOULDBLOCK.negative(), rm.ret());
        assertEquals(ModuleState.LIVE, k.testmod.state());
        k.assertNoReferencesLeft();

        assertEquals(0, k.progs.free(p.id()));
        assertEquals(0, k.testmod.refcount());
        k.assertNoReferencesLeft();
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
    }

    @Test
    void aBodyKfuncAndTheProEpilogueShareOneEntryOneReference() {
        BpfProg p = load(ProEpilogueBodiesTest.body("test_pro_epilogue"), KfuncPolicy.SEED);
        assertEquals(1, p.aux().kfuncBtfTab().size());
        assertEquals(1, k.testmod.refcount());
        assertEquals(Map.of("prog " + p.id() + " (" + p.name() + ") kfunc_btf_tab off 1", 1), k.testmod.holders());
        k.assertNoReferencesLeft();
        k.progs.free(p.id());
        assertEquals(0, k.testmod.refcount());
    }

    @Test
    void upstreamAndEmitCallPinNothing() {
        load(NO_KFUNC, KfuncPolicy.UPSTREAM);
        assertEquals(0, k.testmod.refcount());
        ProgLoadResult r = k.load(NO_KFUNC, KfuncPolicy.EMIT_CALL, false);
        assertFalse(r.ok(), "module text refused");
        assertEquals(0, k.testmod.refcount());
        k.assertNoReferencesLeft();
        k.progs.list().forEach(p -> k.progs.free(p.id()));
    }

    /**
     * delete_module() has set GOING (the window before the GOING notification) when the seed's
     * try_module_get() runs: -ENXIO, nothing held.
     */
    @Test
    void aLoadWhileTheModuleIsGoingFailsWithEnxioAndHoldsNothing() {
        List<String> points = new ArrayList<>();
        k.modules.setPointHook(point -> {
            points.add(point);
            if (point.equals("find_kfunc_desc_btf_offset:before_try_get")) {
                assertTrue(k.modules.beginForcedUnload(k.testmod, "test: unloaded while verifying"));
            }
        });
        ProgLoadResult r = k.load(NO_KFUNC, KfuncPolicy.SEED, false);
        k.modules.setPointHook(null);
        assertFalse(r.ok(), r.log());
        assertEquals(Errno.ENXIO, r.errno().orElseThrow(), r.log());
        assertTrue(points.contains("try_module_get:bpf_testmod"), points.toString());
        assertEquals(Map.of(), k.testmod.holders(), "the verifier's attach_btf_mod was put, nothing else taken");
        k.modules.completeForcedUnload(k.testmod);
        assertTrue(k.testmod.isFreed());
        assertEquals(List.of(), k.testmod.useAfterFreeReports());
        assertTrue(k.progs.list().isEmpty());
    }

    /**
     * A plain rmmod at the seed's try_module_get point is refused: the verifier's attach_btf_mod
     * reference is held for the whole bpf_check(), so the module cannot go GOING without -f.
     */
    @Test
    void aPlainRmmodDuringTheSeedsTryGetIsRefused() {
        List<Integer> rm = new ArrayList<>();
        k.modules.setPointHook(point -> {
            if (point.equals("find_kfunc_desc_btf_offset:before_try_get")) {
                rm.add(k.modules.deleteModule("bpf_testmod", 0).ret());
            }
        });
        ProgLoadResult r = k.load(NO_KFUNC, KfuncPolicy.SEED, false);
        k.modules.setPointHook(null);
        assertTrue(r.ok(), r.log());
        assertEquals(List.of(Errno.EWOULDBLOCK.negative()), rm);
        assertEquals(1, k.testmod.refcount());
        k.progs.free(r.prog().id());
        assertEquals(0, k.testmod.refcount());
    }

    /** After the GOING notification the module's BTF is gone: the seed's own message. */
    @Test
    void aLoadAfterTheGoingNotificationCannotFindTheBtf() {
        k.modules.setPointHook(point -> {
            if (point.equals("fixup_pro_epilogue_kfunc:before_btf_get_module_btf") && !k.testmod.isFreed()) {
                assertTrue(k.modules.beginForcedUnload(k.testmod, "test"));
                k.modules.completeForcedUnload(k.testmod);
            }
        });
        ProgLoadResult r = k.load(NO_KFUNC, KfuncPolicy.SEED, false);
        k.modules.setPointHook(null);
        assertEquals(Errno.EINVAL, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("cannot find BTF from bpf_testmod for kfunc used in pro/epilogue\n"), r.log());
        // the forced unload left the verifier's attach_btf_mod dangling; the seed took nothing
        assertEquals(java.util.Set.of("verifier attach_btf_mod (loading no_kfunc)"), k.testmod.holders().keySet());
    }

    /**
     * emit-call with unsafe-module-calls: no reference, so rmmod succeeds while the program is
     * loaded, and its next run is a detected use after free naming the function.
     */
    @Test
    void emitCallUnsafeRmmodThenRunIsAUseAfterFree() {
        ProgLoadResult r = k.load(NO_KFUNC, KfuncPolicy.EMIT_CALL, true);
        assertTrue(r.ok(), r.log());
        assertEquals(0, k.testmod.refcount());
        assertEquals(22440, k.run(r.prog(), 0).r0(), "(1110 + 10110) * 2");
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
        TestKernel.RunResult after = k.run(r.prog(), 0);
        assertTrue(after.outcome() instanceof Oops, after.outcome().toString());
        assertTrue(((Oops) after.outcome()).reason().contains(
                "use after free: bpf_kfunc_st_ops_inc10 of module bpf_testmod was unloaded"), after.outcome().toString());
        assertEquals(1000, after.a(), "the prologue's own arithmetic ran, the freed function did not");
        k.progs.free(r.prog().id());
        assertEquals(List.of(), k.testmod.useAfterFreeReports(), "no reference was ever held");
    }

    /**
     * A generator of its own that calls a module kfunc with off 0, as upstream's
     * add_kfunc_in_insns() requires: the id is looked up in vmlinux BTF and add_kfunc_call()
     * fails with "kernel btf_id %u is not a function" (-EINVAL).
     */
    @Test
    void aModuleKfuncInAPrologueUnderUpstreamFailsAsTheKernelFails() {
        TestKernel t = new TestKernel();
        GenPrologue gen = (buf, dw, prog) -> {
            buf.add(Macros.BPF_CALL_KFUNC(0, prog.btfIdList("st_ops_epilogue_kfunc_list")[0]));
            buf.add(prog.firstInsn());
            return buf.written();
        };
        t.loadTestmod(new TestKernel.WithoutGenerators(new BpfTestmod()) {
            @Override
            public Optional<GenPrologue> genPrologue() {
                return Optional.of(gen);
            }
        }, true);
        int inc10 = t.testmodBtf.btf().findByNameKind("bpf_kfunc_st_ops_inc10", org.bpfosgi.btf.api.BtfKind.FUNC);
        assertTrue(inc10 >= t.btfs.vmlinux().btf().nrTypes(), "a split-BTF id");
        ProgLoadResult r = t.load(NO_KFUNC.replace("test_pro_epilogue", "test_prologue"), KfuncPolicy.UPSTREAM, false);
        assertEquals(Errno.EINVAL, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("kernel btf_id " + inc10 + " is not a function\n"), r.log());
        assertEquals(0, t.testmod.refcount());
        t.assertNoReferencesLeft();
        // the same generator under seed: off 0 is rewritten to the module's offset, and it loads
        ProgLoadResult s = t.load(NO_KFUNC.replace("test_pro_epilogue", "test_prologue"), KfuncPolicy.SEED, false);
        assertFalse(s.ok(), "without *module = THIS_MODULE the seed looks in vmlinux too: " + s.log());
        assertTrue(s.log().contains("kernel btf_id " + inc10 + " is not a function\n"), s.log());
        t.assertNoReferencesLeft();
    }
}
