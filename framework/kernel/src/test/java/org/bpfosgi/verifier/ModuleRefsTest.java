package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/**
 * Every module reference a struct_ops load takes is taken and released where the kernel does:
 * env->attach_btf_mod only during bpf_check(), a kfunc_btf_tab entry
 * (BTF + module) for the program's life; a failed load holds nothing.
 */
class ModuleRefsTest {
    static final String TEST_PROLOGUE = ProEpilogueBodiesTest.body("test_prologue");

    /**
     * The kernel has no unregister for struct_ops types or kfunc sets: they live in the module's
     * BTF object (btf->struct_ops_tab, btf->kfunc_set_tab) and are freed by btf_free() with its
     * last reference, which a load's fd_array can hold past the module's GOING notifier.
     */
    @Test
    void theStructOpsTypeAndKfuncSetLiveInTheModuleBtfUntilItsLastReferenceGoes() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        org.bpfosgi.btf.BtfObject btf = k.testmodBtf;
        int inc10 = btf.btf().findByNameKind("bpf_kfunc_st_ops_inc10", org.bpfosgi.btf.api.BtfKind.FUNC);
        assertTrue(k.registry.kfuncFlags(btf, inc10, org.bpfosgi.subsystem.BpfProgType.STRUCT_OPS, null).isPresent());
        k.btfs.btfGet(btf); // what btf_get_by_fd() takes for a load's fd_array entry

        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
        assertTrue(k.btfs.moduleBtf("bpf_testmod").isEmpty(), "GOING unlinked the BTF object");
        assertFalse(btf.isFreed());
        assertFalse(k.registry.structOps(btf).isEmpty(), "btf_free() has not run yet");
        assertTrue(k.registry.kfuncFlags(btf, inc10, org.bpfosgi.subsystem.BpfProgType.STRUCT_OPS, null).isPresent());

        k.btfs.btfPut(btf);
        assertTrue(btf.isFreed());
        assertTrue(k.registry.structOps(btf).isEmpty(), "btf_free_struct_ops_tab()");
        assertTrue(k.registry.kfuncFlags(btf, inc10, org.bpfosgi.subsystem.BpfProgType.STRUCT_OPS, null).isEmpty(),
                "btf_free_kfunc_set_tab()");
    }

    @Test
    void aLoadedProgramCallingAModuleKfuncPinsTheModule() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        int btfRef = k.btfs.refcnt(k.testmodBtf);
        ProgLoadResult r = k.load(TEST_PROLOGUE);
        assertTrue(r.ok(), r.log());
        BpfProg p = r.prog();
        assertEquals(1, k.testmod.refcount());
        assertEquals(Map.of("prog " + p.id() + " (test_prologue) kfunc_btf_tab off 1", 1), k.testmod.holders());
        // the kfunc_btf_tab's BTF reference and the program's attach_btf reference
        assertEquals(btfRef + 2, k.btfs.refcnt(k.testmodBtf));

        ModuleTable.DeleteResult rm = k.modules.deleteModule("bpf_testmod", 0);
        assertEquals(Errno.EWOULDBLOCK.negative(), rm.ret());
        assertEquals(ModuleState.LIVE, k.testmod.state());

        assertEquals(0, k.progs.free(p.id()));
        assertEquals(0, k.testmod.refcount());
        assertEquals(btfRef, k.btfs.refcnt(k.testmodBtf));
        assertEquals(Errno.ENOENT.negative(), k.progs.free(p.id()));
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
    }

    @Test
    void attachBtfModIsHeldOnlyDuringBpfCheck() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        List<Map<String, Integer>> seen = new ArrayList<>();
        k.modules.setPointHook(point -> {
            if (point.equals("module_put:bpf_testmod")) {
                seen.add(k.testmod.holders());
            }
        });
        ProgLoadResult r = k.load(TEST_PROLOGUE);
        k.modules.setPointHook(null);
        assertTrue(r.ok(), r.log());
        assertEquals(1, seen.size(), "one put at the end of bpf_check: " + seen);
        assertEquals(1, seen.get(0).get("verifier attach_btf_mod (loading test_prologue)"), seen.toString());
        assertFalse(k.testmod.holders().containsKey("verifier attach_btf_mod (loading test_prologue)"));
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void twoProgramsTwoReferences() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        BpfProg a = k.load(TEST_PROLOGUE).prog();
        BpfProg b = k.load(ProEpilogueBodiesTest.body("test_epilogue")).prog();
        assertEquals(2, k.testmod.refcount());
        assertEquals(2, b.id());
        k.progs.free(a.id());
        assertEquals(1, k.testmod.refcount());
        k.progs.free(b.id());
        k.assertNoReferencesLeft();
    }

    @Test
    void aFailedLoadReleasesTheKfuncBtfTab() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        // the kfunc reference is taken in add_subprog_and_kfunc; do_check then fails
        ProgLoadResult r = k.load(TEST_PROLOGUE.replace("r6 = r1\n", "r6 = r1\n    r0 = r9\n"));
        assertFalse(r.ok());
        assertEquals(Errno.EACCES, r.errno().orElseThrow());
        assertTrue(r.log().contains("R9 !read_ok"), r.log());
        k.assertNoReferencesLeft();
        // and the id is reused
        assertEquals(1, k.load(TEST_PROLOGUE).prog().id());
    }

    @Test
    void aLoadAgainstAComingModuleFails() {
        TestKernel k = new TestKernel();
        k.loadTestmod(new org.bpfosgi.subsystem.testmod.BpfTestmod(), false);
        k.registry.register(k.testmod, k.testmodBtf, new org.bpfosgi.subsystem.testmod.BpfTestmod());
        // the kfunc's module BTF is found first (add_subprog_and_kfunc): btf_try_get_module fails
        ProgLoadResult r = k.load(TEST_PROLOGUE);
        assertEquals(Errno.ENXIO, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("failed to find BTF for kernel function\n"), r.log());
        assertEquals(Map.of("init hold", 1), k.testmod.holders());
        // the module BTF reference btf_get_by_fd() took is dropped with the failed lookup
        assertEquals(1, k.btfs.refcnt(k.testmodBtf), "bpf_testmod BTF refcnt");
        assertEquals(1, k.btfs.refcnt(k.btfs.vmlinux()), "vmlinux BTF refcnt");
        k.assertNoReferencesLeft();
    }

    @Test
    void aLoadDuringRmmodFailsAsTheKernelFails() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        List<ProgLoadResult> during = new ArrayList<>();
        k.modules.setPointHook(point -> {
            if (point.equals("delete_module:after_refcount_check")) {
                // the module is GOING: both the kfunc BTF and the struct_ops owner are gone
                during.add(k.load(TEST_PROLOGUE));
                during.add(k.load(RejectionTest.prog("r0 = 0\nexit")));
            }
        });
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
        k.modules.setPointHook(null);
        assertEquals(2, during.size());
        assertEquals(Errno.ENXIO, during.get(0).errno().orElseThrow(), during.get(0).log());
        assertEquals(Errno.ENOTSUPP, during.get(1).errno().orElseThrow(), during.get(1).log());
        assertTrue(during.get(1).log().contains("struct_ops module bpf_testmod is not found\n"), during.get(1).log());
        assertTrue(k.testmod.isFreed());
        assertTrue(k.testmod.useAfterFreeReports().isEmpty(), k.testmod.useAfterFreeReports().toString());
        k.assertNoReferencesLeft();
    }

    @Test
    void aVmlinuxKfuncTakesNoModuleReference() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = k.load(RejectionTest.prog("r1 = 5\ncall bpf_cgroup_from_id\nif r0 == 0 goto out\nr1 = r0\n"
                + "call bpf_cgroup_release\nout:\nr0 = 0\nexit"));
        assertTrue(r.ok(), r.log());
        assertEquals(0, k.testmod.refcount());
        assertTrue(r.prog().aux().kfuncBtfTab().isEmpty());
        assertEquals(2, r.prog().aux().kfuncTab().size());
        // sorted by (imm, offset) after do_misc_fixups
        assertTrue(r.prog().aux().kfuncTab().get(0).imm() <= r.prog().aux().kfuncTab().get(1).imm());
        k.progs.free(r.prog().id());
    }
}
