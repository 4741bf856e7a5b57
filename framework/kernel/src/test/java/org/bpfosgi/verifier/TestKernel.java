package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.CompiledBtf;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.prog.ProgTable;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.VerifierOps;
import org.bpfosgi.subsystem.testmod.BpfTestmod;

/**
 * A machine for the verifier's tests, without OSGi: a module table, the built-in vmlinux BTF,
 * a BTF object registry, kallsyms, the struct_ops registry and the program table — and
 * bpf_testmod loaded as a module whose BTF is its header compiled as split BTF at COMING.
 */
public final class TestKernel {
    static final CompiledBtf VMLINUX = compileVmlinux();
    static final String TESTMOD_HEADER = testmodHeader();

    final List<String> dmesg = new ArrayList<>();
    final ModuleTable modules = new ModuleTable(dmesg::add);
    final BtfRegistry btfRegistry;
    final ProgKernel pk;
    final BtfRegistry btfs;
    final StructOpsRegistry registry;
    final KernelServices services;
    final ProgTable progs;
    Module testmod;
    BtfObject testmodBtf;

    TestKernel() {
        this(VMLINUX);
    }

    /** A machine whose built-in vmlinux BTF also declares {@code extraVmlinuxDecls} (C declarations). */
    TestKernel(String extraVmlinuxDecls) {
        this(CDeclCompiler.compile("vmlinux-builtin.h",
                resource("/org/bpfosgi/btf/vmlinux-builtin.h") + "\n" + extraVmlinuxDecls, null));
    }

    private TestKernel(CompiledBtf vmlinux) {
        btfRegistry = new BtfRegistry(vmlinux.btf(), modules);
        modules.registerNotifier(new BtfModuleNotifier(btfRegistry, dmesg::add));
        pk = new ProgKernel(modules, btfRegistry, dmesg::add);
        btfs = pk.btfs();
        registry = pk.structOps();
        services = pk.services();
        progs = pk.progs();
    }

    private static CompiledBtf compileVmlinux() {
        return CDeclCompiler.compile("vmlinux-builtin.h", resource("/org/bpfosgi/btf/vmlinux-builtin.h"), null);
    }

    /** bpf_testmod's BTF header, from the bundle (bpf/bpf_testmod.h). */
    private static String testmodHeader() {
        return resource("/bpf/bpf_testmod.h");
    }

    static String resource(String path) {
        String s = resourceOrNull(path);
        if (s == null) {
            throw new IllegalStateException("missing resource " + path);
        }
        return s;
    }

    private static String resourceOrNull(String path) {
        try (InputStream in = TestKernel.class.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * insmod bpf_testmod: BTF at COMING, registrations in module_init, LIVE — with its verifier
     * ops but without its gen_prologue / gen_epilogue, so that tests of bpf_check()'s other
     * passes see the program body alone. {@link #loadTestmodWithGenerators()} is the real module.
     */
    Module loadTestmod() {
        return loadTestmod(new WithoutGenerators(new BpfTestmod()), true);
    }

    /** insmod bpf_testmod with st_ops_gen_prologue / st_ops_gen_epilogue. */
    Module loadTestmodWithGenerators() {
        return loadTestmod(new BpfTestmod(), true);
    }

    /**
     * A subsystem's verifier ops with NULL gen_prologue and gen_epilogue (tests override the
     * generator they vary); {@link #asSubsystem()} is bpf_testmod with these ops in place of
     * st_ops_verifier_ops.
     */
    static class WithoutGenerators implements VerifierOps {
        private final BpfSubsystem base;
        private final VerifierOps ops;

        WithoutGenerators(BpfSubsystem base) {
            this.base = base;
            this.ops = base.structOps().get(0).verifierOps();
        }

        @Override
        public boolean isValidAccess(int off, int size, org.bpfosgi.subsystem.BpfAccessType type,
                                     org.bpfosgi.subsystem.BpfProgInfo prog, org.bpfosgi.subsystem.InsnAccessAux info) {
            return ops.isValidAccess(off, size, type, prog, info);
        }

        @Override
        public void btfStructAccess(org.bpfosgi.subsystem.VerifierLog log, org.bpfosgi.subsystem.BtfRegInfo reg, int off,
                                    int size) {
            ops.btfStructAccess(log, reg, off, size);
        }

        @Override
        public org.bpfosgi.subsystem.BpfFuncProto getFuncProto(int funcId, org.bpfosgi.subsystem.BpfProgInfo prog) {
            return ops.getFuncProto(funcId, prog);
        }

        BpfSubsystem asSubsystem() {
            VerifierOps self = this;
            StructOps stOps = base.structOps().get(0);
            return new BpfSubsystem() {
                @Override
                public List<StructOps> structOps() {
                    return List.of(new ForwardingStructOps(stOps) {
                        @Override
                        public VerifierOps verifierOps() {
                            return self;
                        }
                    });
                }

                @Override
                public List<org.bpfosgi.subsystem.KfuncSet> kfuncSets() {
                    return base.kfuncSets();
                }

                @Override
                public java.util.Map<String, org.bpfosgi.subsystem.Kfunc> functions() {
                    return base.functions();
                }
            };
        }
    }

    Module loadTestmod(WithoutGenerators ops, boolean init) {
        return loadTestmod(ops.asSubsystem(), init);
    }

    Module loadTestmod(BpfSubsystem ops, boolean init) {
        ModuleImage image = new ModuleImage("bpf_testmod", false,
                Optional.of(new ModuleImage.BtfSource("bpf_testmod.h", TESTMOD_HEADER)), true, true, 4096);
        Module[] self = new Module[1];
        ModuleTable.ModuleCode code = new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                return registry.register(self[0], testmodBtf, ops);
            }

            @Override
            public void exit() {
            }
        };
        Module m = modules.prepareLoad(image, List.of(), code);
        self[0] = m;
        testmod = m;
        testmodBtf = btfRegistry.moduleBtf("bpf_testmod").orElseThrow();
        if (init) {
            modules.initModule(m);
        }
        return m;
    }

    ProgLoadResult load(String text) {
        return load(text, 1);
    }

    ProgLoadResult load(String text, int logLevel) {
        ProgLoader.ProgSource s = ProgLoader.parse(text, "test.s");
        return progs.load(ProgLoader.toAttr(s, Optional.empty(), logLevel, services));
    }

    private org.bpfosgi.structops.StructOpsKernel runtime;
    /** The differential corpus's maps (DifferentialCorpusTest.createMaps), by their index in generate.py's MAPS. */
    int[] corpusMaps = new int[0];
    /** The differential corpus's ksyms (DifferentialCorpusTest.ksymIds), by their index in generate.py's KSYMS. */
    int[] corpusKsyms = new int[0];

    /** The run-time side (map table, kernel memory, BPF_PROG_TEST_RUN), made on first use. */
    org.bpfosgi.structops.StructOpsKernel runtime() {
        if (runtime == null) {
            runtime = new org.bpfosgi.structops.StructOpsKernel(pk, dmesg::add);
        }
        return runtime;
    }

    /** BPF_MAP_CREATE: the map's fd (the model's fds are map ids); fails the test on an error. */
    int createMap(org.bpfosgi.structops.MapCreateAttr a) {
        var r = runtime().maps().create(a);
        assertTrue(r.ok(), "map create failed: " + r.err());
        return r.map().id();
    }

    /** A load whose {@code r1 = NAME ll} map references are resolved by {@code maps}. */
    ProgLoadResult load(String text, java.util.Map<String, Integer> maps) {
        ProgLoader.ProgSource s = ProgLoader.parse(text, "test.s");
        return progs.load(ProgLoader.toAttr(s, Optional.empty(), 1, services, name -> {
            Integer fd = maps.get(name);
            if (fd == null) {
                throw new IllegalArgumentException("unknown map " + name);
            }
            return fd;
        }));
    }

    /** The attributes of {@code text} with its {@code r1 = NAME ll} map references resolved by {@code maps}. */
    BpfProgLoadAttr attr(String text, java.util.Map<String, Integer> maps) {
        return ProgLoader.toAttr(ProgLoader.parse(text, "test.s"), Optional.empty(), 1, services, maps::get);
    }

    /** Runs {@code p} on the run-time side (where the maps live) with R1 = a zeroed 64-byte context. */
    org.bpfosgi.vm.Outcome runOnRuntime(BpfProg p) {
        org.bpfosgi.structops.StructOpsKernel so = runtime();
        long ctx;
        synchronized (so.lock()) {
            ctx = so.memory().allocate("ctx", 64, org.bpfosgi.vm.Region.Access.READ_ONLY).start();
        }
        return so.run(p, ctx);
    }

    /** A load under a pro/epilogue kfunc policy (prog load FILE policy P [unsafe-module-calls]). */
    ProgLoadResult load(String text, KfuncPolicy policy, boolean unsafeModuleCalls) {
        ProgLoader.ProgSource s = ProgLoader.parse(text, "test.s");
        return progs.load(ProgLoader.toAttr(s, Optional.empty(), 1, services),
                new ProgTable.LoadOptions(Optional.of(policy), unsafeModuleCalls));
    }

    /** Runs a loaded program with ctx[0] pointing at a {@code struct st_ops_args} holding {@code a}: {r0 or oops, a after}. */
    RunResult run(BpfProg p, long a) {
        org.bpfosgi.vm.Memory m = new org.bpfosgi.vm.Memory();
        org.bpfosgi.vm.Region args = m.allocate("st_ops_args", 8, org.bpfosgi.vm.Region.Access.READ_WRITE);
        m.st64(args.start(), a);
        org.bpfosgi.vm.Region ctx = m.map("ctx", java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(args.start()).array(), org.bpfosgi.vm.Region.Access.READ_ONLY);
        org.bpfosgi.vm.Outcome o = new org.bpfosgi.vm.Vm(m, org.bpfosgi.vm.Bindings.NONE)
                .run(org.bpfosgi.prog.ProgRunner.prepare(p, registry.kallsyms()), ctx.start());
        return new RunResult(o, m.ld64(args.start()));
    }

    /** What a run gave: the outcome (Exit or Oops) and {@code args->a} afterwards. */
    record RunResult(org.bpfosgi.vm.Outcome outcome, long a) {
        long r0() {
            assertTrue(outcome instanceof org.bpfosgi.vm.Exit, outcome.toString());
            return ((org.bpfosgi.vm.Exit) outcome).r0();
        }
    }

    BpfProgLoadAttr attr(String text, int logLevel) {
        return ProgLoader.toAttr(ProgLoader.parse(text, "test.s"), Optional.empty(), logLevel, services);
    }

    /** The rejection of {@code text}: its errno, and the log must contain {@code message}. */
    void assertRejected(String text, Errno errno, String message) {
        ProgLoadResult r = load(text, 1);
        assertTrue(!r.ok(), "expected a rejection with " + message + "\n" + r.log());
        assertEquals(errno, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains(message), "log lacks [" + message + "]:\n" + r.log());
        assertNoReferencesLeft();
    }

    /** Frees every loaded program, then {@link #assertNoReferencesLeft()}: what the programs held is given back. */
    void freeProgsAndAssertNoReferencesLeft() {
        progs.list().forEach(p -> progs.free(p.id()));
        assertNoReferencesLeft();
    }

    /**
     * The xlated dump of a load that must have succeeded (fails the test with the log otherwise):
     * the instruction lines only, each without its trailing {@code #imm} helper-id comment.
     */
    List<String> xlatedLines(ProgLoadResult r) {
        assertTrue(r.ok(), r.log());
        return org.bpfosgi.prog.XlatedDump.lines(r.prog(), registry.kallsyms(), false).stream()
                .filter(l -> l.matches("^ *\\d+: .*")).map(l -> l.replaceAll("#-?\\d+$", "")).toList();
    }

    /**
     * bpf_testmod and the BTF objects hold exactly their base counts plus what the loaded programs
     * hold: one module and one BTF reference per kfunc_btf_tab entry (bpf_free_kfunc_btf_tab()
     * gives them back) and per used_btfs entry (a vmlinux one holds no module), and one BTF
     * reference per attach_btf.
     */
    void assertNoReferencesLeft() {
        int testmodRefs = 0;
        int testmodBtfRefs = 0;
        int vmlinuxRefs = 0;
        for (BpfProg p : progs.list()) {
            for (KfuncBtf e : p.aux().kfuncBtfTab()) {
                if (testmod != null && e.module() == testmod) {
                    testmodRefs++;
                }
                if (e.btf().equals(testmodBtf)) {
                    testmodBtfRefs++;
                } else if (e.btf().equals(btfs.vmlinux())) {
                    vmlinuxRefs++;
                }
            }
            for (BtfModPair u : p.aux().usedBtfs()) {
                if (testmod != null && u.module() == testmod) {
                    testmodRefs++;
                }
                if (u.btf().equals(testmodBtf)) {
                    testmodBtfRefs++;
                } else if (u.btf().equals(btfs.vmlinux())) {
                    vmlinuxRefs++;
                }
            }
            BtfObject attach = p.aux().attachBtf();
            if (attach != null && attach.equals(testmodBtf)) {
                testmodBtfRefs++;
            } else if (attach != null && attach.equals(btfs.vmlinux())) {
                vmlinuxRefs++;
            }
        }
        if (testmod != null && testmod.state() == ModuleState.LIVE) {
            assertEquals(testmodRefs, testmod.refcount(), "bpf_testmod holders: " + testmod.holders());
            assertEquals(1 + testmodBtfRefs, btfs.refcnt(testmodBtf), "bpf_testmod BTF refcnt");
        }
        assertEquals(1 + vmlinuxRefs, btfs.refcnt(btfs.vmlinux()), "vmlinux BTF refcnt");
    }
}
