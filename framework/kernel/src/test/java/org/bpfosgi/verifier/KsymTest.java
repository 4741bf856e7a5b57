package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/**
 * ksyms: ld_imm64 with src_reg BPF_PSEUDO_BTF_ID (check_pseudo_btf_id(), v6.12): the checks and
 * their messages in order, the register types check_ld_imm() gives, the address written into
 * the instruction, and used_btfs — the BTF (and module) reference a program holds until it is
 * freed.
 */
class KsymTest {
    /**
     * Per-cpu variables of the 6.18 vmlinux BTF (the variables vmlinux BTF has by default: pahole
     * keeps the ".data..percpu" section's), declared on top of the built-in vmlinux BTF for these
     * tests and the differential corpus (the built-in header has none, so that module type ids
     * stay as the golden data has them). struct rq is trimmed.
     */
    static final String VMLINUX_PERCPU_VARS = """
            struct rq {
            	unsigned int nr_running;
            	unsigned int nr_numa_running;
            	unsigned int nr_preferred_running;
            	unsigned int numa_migrate_on;
            	long unsigned int last_blocked_load_update_tick;
            	unsigned int has_blocked_load;
            	int cpu;
            	int online;
            };
            extern __percpu struct rq runqueues;
            extern __percpu int bpf_prog_active;
            extern __percpu int cpu_number;
            extern __percpu long unsigned int this_cpu_off;
            """;

    static TestKernel kernel() {
        return new TestKernel(VMLINUX_PERCPU_VARS);
    }

    /** {@code rDST = ksym} (BPF_LD_IMM64 with BPF_PSEUDO_BTF_ID): imm = the BTF id, next imm = the BTF fd. */
    static List<Insn> ld(int dst, int btfId, int btfFd) {
        return List.of(new Insn(Bpf.BPF_LD | Bpf.BPF_IMM | Bpf.BPF_DW, dst, Bpf.BPF_PSEUDO_BTF_ID, 0, btfId),
                new Insn(0, 0, 0, 0, btfFd));
    }

    static Insn ldxW(int dst, int src, int off) {
        return new Insn(Bpf.BPF_LDX | Bpf.BPF_MEM | Bpf.BPF_W, dst, src, off, 0);
    }

    static final List<Insn> R0_EXIT = List.of(new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 0, 0, 0, 0),
            new Insn(Bpf.BPF_JMP | Bpf.BPF_EXIT, 0, 0, 0, 0));

    @SafeVarargs
    static List<Insn> prog(List<Insn>... parts) {
        List<Insn> l = new ArrayList<>();
        for (List<Insn> p : parts) {
            l.addAll(p);
        }
        l.addAll(R0_EXIT);
        return l;
    }

    static ProgLoadResult load(TestKernel k, List<Insn> insns) {
        return k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns));
    }

    static int vmlinuxId(TestKernel k, String name, BtfKind kind) {
        int id = k.btfs.vmlinux().btf().findByNameKind(name, kind);
        assertTrue(id > 0, name);
        return id;
    }

    static void assertRejected(TestKernel k, List<Insn> insns, Errno e, String lastLine) {
        ProgLoadResult r = load(k, insns);
        assertFalse(r.ok(), r.log());
        assertEquals(e, r.errno().orElseThrow(), r.log());
        assertEquals(lastLine, DifferentialCorpusTest.lastErrorLine(r.log()), r.log());
        k.assertNoReferencesLeft();
    }

    @Test
    void aPercpuVarIsAPercpuBtfPointerWhoseAddressIsPatchedIn() {
        TestKernel k = kernel();
        k.loadTestmod();
        int rq = vmlinuxId(k, "runqueues", BtfKind.VAR);
        int vmlinuxRefs = k.btfs.refcnt(k.btfs.vmlinux());
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 2).withInsns(prog(ld(1, rq, 0))));
        assertTrue(r.ok(), r.log());
        // check_ld_imm(): PTR_TO_BTF_ID | MEM_PERCPU of the VAR's type, struct rq
        assertTrue(r.log().contains("R1=percpu_ptr_rq()"), r.log());
        long addr = k.registry.kallsyms().lookupName("runqueues");
        assertTrue(addr != 0);
        List<Insn> x = r.prog().insns();
        assertEquals(addr, Insn.imm64(x.get(0), x.get(1)), "the kallsyms address in the instruction pair");
        // used_btfs: vmlinux, once, with a BTF reference and no module
        assertEquals(1, r.prog().aux().usedBtfs().size());
        assertEquals(k.btfs.vmlinux(), r.prog().aux().usedBtfs().get(0).btf());
        assertEquals(null, r.prog().aux().usedBtfs().get(0).module());
        assertEquals(vmlinuxRefs + 1, k.btfs.refcnt(k.btfs.vmlinux()), "used_btfs (the attach BTF is bpf_testmod's)");
        k.assertNoReferencesLeft();
        k.progs.free(r.prog().id());
        assertEquals(vmlinuxRefs, k.btfs.refcnt(k.btfs.vmlinux()));
    }

    @Test
    void twoKsymsOfOneBtfRecordItOnce() {
        TestKernel k = kernel();
        k.loadTestmod();
        ProgLoadResult r = load(k, prog(ld(1, vmlinuxId(k, "runqueues", BtfKind.VAR), 0),
                ld(2, vmlinuxId(k, "bpf_prog_active", BtfKind.VAR), 0)));
        assertTrue(r.ok(), r.log());
        assertEquals(1, r.prog().aux().usedBtfs().size());
        k.assertNoReferencesLeft();
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void aPercpuPointerIsNotDereferenced() {
        TestKernel k = kernel();
        k.loadTestmod();
        assertRejected(k, prog(ld(1, vmlinuxId(k, "runqueues", BtfKind.VAR), 0), List.of(ldxW(0, 1, 24))),
                Errno.EACCES, "R1 is ptr_rq access percpu memory: off=24");
        assertRejected(k, prog(ld(1, vmlinuxId(k, "bpf_prog_active", BtfKind.VAR), 0), List.of(ldxW(0, 1, 0))),
                Errno.EACCES, "R1 is ptr_int access percpu memory: off=0");
    }

    @Test
    void theChecksInTheKernelsOrder() {
        TestKernel k = kernel();
        k.loadTestmod();
        int nr = k.btfs.vmlinux().btf().nrTypes();
        assertRejected(k, prog(ld(1, 1, 999999)), Errno.EINVAL, "invalid module BTF object FD specified.");
        assertRejected(k, prog(ld(1, 1, -1)), Errno.EINVAL, "invalid module BTF object FD specified.");
        assertRejected(k, prog(ld(1, nr, 0)), Errno.ENOENT, "ldimm64 insn specifies invalid btf_id " + nr + ".");
        assertRejected(k, prog(ld(1, -5, 0)), Errno.ENOENT, "ldimm64 insn specifies invalid btf_id -5.");
        assertRejected(k, prog(ld(1, 0, 0)), Errno.EINVAL, "pseudo btf_id 0 in ldimm64 isn't KIND_VAR or KIND_FUNC");
        int rqStruct = vmlinuxId(k, "rq", BtfKind.STRUCT);
        assertRejected(k, prog(ld(1, rqStruct, 0)), Errno.EINVAL,
                "pseudo btf_id " + rqStruct + " in ldimm64 isn't KIND_VAR or KIND_FUNC");
        // fd 1 is vmlinux's BTF object (the model's BTF fds are BTF ids): a BTF like any other
        ProgLoadResult r = load(k, prog(ld(1, vmlinuxId(k, "runqueues", BtfKind.VAR), k.btfs.vmlinux().id())));
        assertTrue(r.ok(), r.log());
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void aNonPercpuVarIsReadOnlyMemoryOfItsSizeAndAStructVarABtfPointer() {
        TestKernel k = new TestKernel(VMLINUX_PERCPU_VARS + "extern int model_int_var;\nextern const volatile unsigned long model_arr[4];\n"
                + "extern struct rq model_rq;\n");
        k.loadTestmod();
        int iv = vmlinuxId(k, "model_int_var", BtfKind.VAR);
        int arr = vmlinuxId(k, "model_arr", BtfKind.VAR);
        int sv = vmlinuxId(k, "model_rq", BtfKind.VAR);
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 2)
                .withInsns(prog(ld(1, iv, 0), List.of(ldxW(0, 1, 0)), ld(2, arr, 0), List.of(ldxW(3, 2, 28)),
                        ld(4, sv, 0), List.of(ldxW(5, 4, 24)))));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("R1=rdonly_mem(sz=4)"), r.log());
        assertTrue(r.log().contains("R2=rdonly_mem(sz=32)"), r.log());
        assertTrue(r.log().contains("R4=ptr_rq()"), r.log());
        k.progs.free(r.prog().id());
        assertRejected(k, prog(ld(1, iv, 0), List.of(ldxW(0, 1, 4))), Errno.EACCES, "R1 min value is outside of the allowed memory range");
        assertRejected(k, prog(ld(1, iv, 0), List.of(new Insn(Bpf.BPF_ST | Bpf.BPF_MEM | Bpf.BPF_W, 1, 0, 0, 7))),
                Errno.EACCES, "R1 cannot write into rdonly_mem");
    }

    /**
     * check_pseudo_btf_id() takes the VAR's type through btf_type_skip_modifiers(), whose
     * modifiers (btf_type_is_modifier()) include TYPEDEF: a VAR of a typedef of a struct is a
     * PTR_TO_BTF_ID like a VAR of the struct, and a typedef of an int is read-only memory of the
     * int's size (btf_resolve_size()).
     */
    @Test
    void aTypedefIsSkippedLikeTheOtherModifiers() {
        TestKernel k = new TestKernel(VMLINUX_PERCPU_VARS + "typedef struct rq model_rq_t;\ntypedef const int model_int_t;\n"
                + "extern const model_rq_t model_trq;\nextern model_int_t model_tint;\n");
        k.loadTestmod();
        int sv = vmlinuxId(k, "model_trq", BtfKind.VAR);
        int iv = vmlinuxId(k, "model_tint", BtfKind.VAR);
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 2)
                .withInsns(prog(ld(1, sv, 0), ld(2, iv, 0), List.of(ldxW(3, 2, 0)))));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("R1=ptr_"), r.log());
        assertFalse(r.log().contains("R1=rdonly_mem"), r.log());
        assertTrue(r.log().contains("R2=rdonly_mem(sz=4)"), r.log());
        k.progs.free(r.prog().id());
    }

    @Test
    void aFuncIsReadOnlyMemoryOfSizeZero() {
        TestKernel k = kernel();
        k.loadTestmod();
        int f = vmlinuxId(k, "bpf_cgroup_acquire", BtfKind.FUNC);
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 2).withInsns(prog(ld(1, f, 0))));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("R1=rdonly_mem(sz=0)"), r.log());
        List<Insn> x = r.prog().insns();
        assertEquals(k.registry.kallsyms().lookupName("bpf_cgroup_acquire"), Insn.imm64(x.get(0), x.get(1)));
        k.progs.free(r.prog().id());
        assertRejected(k, prog(ld(1, f, 0), List.of(ldxW(0, 1, 0))), Errno.EACCES,
                "R1 min value is outside of the allowed memory range");
    }

    // ------------------------------------------------------------ module BTF: the module reference

    private static TestKernel withModuleVar() {
        TestKernel k = kernel();
        k.loadTestmod();
        return k;
    }

    private static int modVar(TestKernel k) {
        int id = k.testmodBtf.btf().findByNameKind("bpf_testmod_ksym_percpu", BtfKind.VAR);
        assertTrue(id >= k.testmodBtf.btf().startId(), "a VAR of the module's own BTF");
        return id;
    }

    @Test
    void aModuleKsymPinsTheModuleUntilTheProgramIsFreed() {
        TestKernel k = withModuleVar();
        BtfObject mod = k.testmodBtf;
        int btfRefs = k.btfs.refcnt(mod);
        ProgLoadResult r = load(k, prog(ld(1, modVar(k), mod.id()), ld(2, modVar(k), mod.id())));
        assertTrue(r.ok(), r.log());
        int id = r.prog().id();
        // one used_btfs entry for both loads: one BTF and one module reference
        assertEquals(Map.of("prog " + id + " (" + r.prog().name() + ") used_btfs bpf_testmod", 1), k.testmod.holders());
        assertEquals(btfRefs + 2, k.btfs.refcnt(mod), "used_btfs + attach_btf");
        long addr = k.registry.kallsyms().lookupName("bpf_testmod_ksym_percpu");
        assertEquals(addr, Insn.imm64(r.prog().insns().get(0), r.prog().insns().get(1)));
        k.assertNoReferencesLeft();

        assertEquals(Errno.EWOULDBLOCK.negative(), k.modules.deleteModule("bpf_testmod", 0).ret());
        assertEquals(ModuleState.LIVE, k.testmod.state());

        assertEquals(0, k.progs.free(id));
        assertEquals(0, k.testmod.refcount());
        assertEquals(btfRefs, k.btfs.refcnt(mod));
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
        assertTrue(mod.isFreed(), "the module's BTF went with its last reference");
    }

    @Test
    void aFailedLoadGivesTheModuleBack() {
        TestKernel k = withModuleVar();
        int btfRefs = k.btfs.refcnt(k.testmodBtf);
        // the ksym is resolved and recorded, then do_check() refuses the dereference
        assertRejected(k, prog(ld(1, modVar(k), k.testmodBtf.id()), List.of(ldxW(0, 1, 0))), Errno.EACCES,
                "R1 is ptr_int access percpu memory: off=0");
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
        assertEquals(btfRefs, k.btfs.refcnt(k.testmodBtf));
    }

    @Test
    void aVmlinuxVarNamedThroughTheModuleBtfIsStillAModuleReference() {
        // split BTF: a module BTF fd also reaches vmlinux's types; the BTF recorded is the module's
        TestKernel k = withModuleVar();
        ProgLoadResult r = load(k, prog(ld(1, vmlinuxId(k, "runqueues", BtfKind.VAR), k.testmodBtf.id())));
        assertTrue(r.ok(), r.log());
        assertEquals(k.testmodBtf, r.prog().aux().usedBtfs().get(0).btf());
        assertEquals(1, k.testmod.refcount());
        k.progs.free(r.prog().id());
        assertEquals(0, k.testmod.refcount());
    }

    /**
     * A syscall program (no struct_ops type of the module to lose first) loading the module's
     * ksym while the module is GOING: the BTF fd still names the module's BTF and kallsyms still
     * has the symbol (free_module() has not run), but btf_try_get_module() refuses a module that
     * is not LIVE: -ENXIO, with no message of its own, and the BTF reference is put again.
     */
    @Test
    void aSyscallProgramsModuleKsymDuringRmmodIsEnxio() {
        TestKernel k = withModuleVar();
        int var = modVar(k);
        int fd = k.testmodBtf.id();
        BpfProgLoadAttr syscall = k.attr(".license \"GPL\"\nSEC(\"syscall\")\nmain:\nr0 = 0\nexit\n", 1);
        List<ProgLoadResult> during = new ArrayList<>();
        int[] btfRefs = new int[1];
        k.modules.setPointHook(point -> {
            if (point.equals("delete_module:after_refcount_check")) {
                btfRefs[0] = k.btfs.refcnt(k.testmodBtf);
                during.add(k.progs.load(syscall.withInsns(prog(ld(1, var, fd)))));
                assertEquals(btfRefs[0], k.btfs.refcnt(k.testmodBtf), "the BTF reference btf_get_by_fd() took was put");
            }
        });
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
        k.modules.setPointHook(null);
        assertEquals(1, during.size());
        ProgLoadResult r = during.get(0);
        assertFalse(r.ok(), r.log());
        assertEquals(Errno.ENXIO, r.errno().orElseThrow(), r.log());
        assertTrue(k.testmod.isFreed());
        assertTrue(k.testmod.useAfterFreeReports().isEmpty(), k.testmod.useAfterFreeReports().toString());
        k.assertNoReferencesLeft();
    }

    /**
     * rmmod -f (CONFIG_MODULE_FORCE_UNLOAD) under a program holding the module through used_btfs:
     * the module goes although its refcount is not 0, the kernel is tainted, and the program's
     * module_put() at free is a use after free. The module's BTF object stays until the
     * program's btf_put(), as in the kernel.
     */
    @Test
    void aForcedUnloadUnderAModuleKsymLeavesTheProgramsPutDangling() {
        TestKernel k = withModuleVar();
        BtfObject mod = k.testmodBtf;
        BpfProgLoadAttr syscall = k.attr(".license \"GPL\"\nSEC(\"syscall\")\nmain:\nr0 = 0\nexit\n", 1);
        ProgLoadResult r = k.progs.load(syscall.withInsns(prog(ld(1, modVar(k), mod.id()))));
        assertTrue(r.ok(), r.log());
        var rm = k.modules.deleteModule("bpf_testmod", org.bpfosgi.module.ModuleTable.O_TRUNC);
        assertTrue(rm.ok() && rm.forced(), rm.toString());
        assertTrue(k.testmod.isFreed());
        assertFalse(mod.isFreed(), "the program's used_btfs reference keeps the module's BTF");
        assertEquals(0, k.registry.kallsyms().lookupName("bpf_testmod_ksym_percpu"), "free_module() took its symbols");
        assertEquals(0, k.progs.free(r.prog().id()));
        assertEquals(List.of("module_put by prog " + r.prog().id() + " (" + r.prog().name()
                + ") used_btfs bpf_testmod after the module was freed"), k.testmod.useAfterFreeReports());
        assertTrue(mod.isFreed(), "btf_put() of the last reference");
    }

    /** A syscall program holding the module's ksym pins it as a struct_ops one does. */
    @Test
    void aSyscallProgramsModuleKsymPinsTheModule() {
        TestKernel k = withModuleVar();
        BpfProgLoadAttr syscall = k.attr(".license \"GPL\"\nSEC(\"syscall\")\nmain:\nr0 = 0\nexit\n", 1);
        ProgLoadResult r = k.progs.load(syscall.withInsns(prog(ld(1, modVar(k), k.testmodBtf.id()))));
        assertTrue(r.ok(), r.log());
        assertEquals(1, k.testmod.refcount());
        assertEquals(Errno.EWOULDBLOCK.negative(), k.modules.deleteModule("bpf_testmod", 0).ret());
        k.progs.free(r.prog().id());
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
        assertTrue(k.testmod.isFreed());
    }

    @Test
    void aLoadDuringRmmodFailsWithEnxio() {
        TestKernel k = withModuleVar();
        int var = modVar(k);
        int fd = k.testmodBtf.id();
        List<ProgLoadResult> during = new ArrayList<>();
        k.modules.setPointHook(point -> {
            if (point.equals("delete_module:after_refcount_check")) {
                during.add(load(k, prog(ld(1, var, fd))));
            }
        });
        assertTrue(k.modules.deleteModule("bpf_testmod", 0).ok());
        k.modules.setPointHook(null);
        assertEquals(1, during.size());
        ProgLoadResult r = during.get(0);
        assertFalse(r.ok(), r.log());
        // the module is GOING: struct_ops' own module lookup fails first (check_struct_ops_btf_id
        // runs before resolve_pseudo_ldimm64), as for any program of a going module's type
        assertEquals(Errno.ENOTSUPP, r.errno().orElseThrow(), r.log());
        assertTrue(k.testmod.isFreed());
        assertTrue(k.testmod.useAfterFreeReports().isEmpty(), k.testmod.useAfterFreeReports().toString());
        k.assertNoReferencesLeft();
    }
}
