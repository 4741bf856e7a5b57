package org.bpfosgi.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.BtfRegInfo;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.subsystem.VerifierLog;
import org.bpfosgi.subsystem.VerifierOps;
import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Processed instructions per second of bpf_check() on a struct_ops program (the kernel on this
 * machine: benchmarks/kernel/verifier_bench.py, results in VERIFIER-RESULTS.md): a large
 * straight-line program, and a branchy
 * one (diamonds on an unknown value, each joining with different constants, so that every branch
 * is explored and then pruned at the next diamond). Each operation is one whole BPF_PROG_LOAD
 * (bpf_check plus the program table), with log level 0; the score is processed insns/s
 * ({@link OperationsPerInvocation} is the processed count, checked in setup).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VerifierBenchmark {
    /** Instructions, all processed once: the straight-line program's length. */
    static final int STRAIGHT = 100_000;
    /** Diamonds in the branchy program. */
    static final int DIAMONDS = 2_000;
    /**
     * What bpf_check processes for the branchy program (asserted in setup): joins prune on the
     * imprecise r3 as the kernel's do (the kernel: 21,001 for the same shape with its null check,
     * benchmarks/kernel/verifier_bench.py).
     */
    static final int BRANCHY_PROCESSED = 21_000;

    private static final String HEADER = String.join("\n",
            "struct bench_args { u64 a; u64 b; };",
            "struct bench_ops { int (*run)(struct bench_args *args); struct module *owner; };",
            "struct bpf_struct_ops_bench_ops { struct bpf_struct_ops_common_value common; struct bench_ops data; };",
            "");

    /** A minimal struct_ops subsystem, as bpf_testmod's but on its own BTF. */
    static final class BenchSubsystem implements BpfSubsystem {
        @Override
        public List<StructOps> structOps() {
            return List.of(new StructOps() {
                private final VerifierOps ops = new BenchOps();

                @Override
                public String name() {
                    return "bench_ops";
                }

                @Override
                public VerifierOps verifierOps() {
                    return ops;
                }

                @Override
                public Set<String> cfiStubs() {
                    return Set.of("run");
                }

                @Override
                public void init(BtfTypes btf) {
                }

                @Override
                public boolean initMember(StructOpsMember member, KernelMemory mem, long kdata, long udata) {
                    return false;
                }

                @Override
                public void reg(KernelMemory mem, long kdata) {
                }

                @Override
                public void unreg(KernelMemory mem, long kdata) {
                }
            });
        }
    }

    /** The bench type's verifier ops: bpf_testmod's, with a 16-byte writable args struct. */
    static final class BenchOps implements VerifierOps {
        @Override
        public boolean isValidAccess(int off, int size, BpfAccessType type, BpfProgInfo prog, InsnAccessAux info) {
            return prog.tracingBtfCtxAccess(off, size, type, info);
        }

        @Override
        public void btfStructAccess(VerifierLog log, BtfRegInfo reg, int off, int size) {
            if (off < 0 || off + size > 16) {
                throw new KernelException(Errno.EACCES);
            }
        }

        @Override
        public BpfFuncProto getFuncProto(int funcId, BpfProgInfo prog) {
            return prog.baseFuncProto(funcId);
        }
    }

    private ProgKernel kernel;
    private BpfProgLoadAttr straight;
    private BpfProgLoadAttr branchy;

    @Setup
    public void setup() {
        ModuleTable modules = new ModuleTable(l -> { });
        BtfRegistry btf = new BtfRegistry(VmlinuxBtf.builtin(), modules);
        modules.registerNotifier(new BtfModuleNotifier(btf, l -> { }));
        kernel = new ProgKernel(modules, btf);
        Module[] self = new Module[1];
        self[0] = modules.prepareLoad(new ModuleImage("bench", false, Optional.of(new ModuleImage.BtfSource("bench.h", HEADER)),
                true, true, 4096), List.of(), new ModuleTable.ModuleCode() {
                    @Override
                    public int init() {
                        return kernel.registerSubsystem(self[0], btf.moduleBtf("bench").orElseThrow(), new BenchSubsystem());
                    }

                    @Override
                    public void exit() {
                    }
                });
        modules.initModule(self[0]);
        straight = attr(straightLine());
        branchy = attr(branchy());
        check(straight, STRAIGHT);
        check(branchy, BRANCHY_PROCESSED);
    }

    private BpfProgLoadAttr attr(String text) {
        return ProgLoader.toAttr(ProgLoader.parse(text, "bench.s"), Optional.empty(), 0, kernel.services());
    }

    private void check(BpfProgLoadAttr a, int processed) {
        ProgLoadResult r = kernel.progs().load(a.withLogLevel(1));
        if (!r.ok() || r.prog().aux().verifiedInsns() != processed) {
            throw new IllegalStateException("expected " + processed + " processed insns: "
                    + (r.ok() ? r.prog().aux().verifiedInsns() : r.log()));
        }
        kernel.progs().free(r.prog().id());
    }

    /** r6 = args; then loads, ALU, stack spills and fills, stores into args; r0 = 0; exit. */
    static String straightLine() {
        StringBuilder sb = new StringBuilder(".license \"GPL\"\nSEC(\"struct_ops/run\")\nstraight:\n");
        sb.append("r6 = *(u64 *)(r1 +0)\n");
        String[] body = {"r2 = *(u64 *)(r6 +0)", "r2 += 7", "r3 = r2", "r3 ^= 0x55", "*(u64 *)(r10 -8) = r3",
            "r4 = *(u64 *)(r10 -8)", "w4 *= 3", "*(u64 *)(r6 +8) = r4"};
        for (int i = 0; i < STRAIGHT - 3; i++) {
            sb.append(body[i % body.length]).append('\n');
        }
        sb.append("r0 = 0\nexit\n");
        return sb.toString();
    }

    /** Diamonds on an unknown value whose arms leave different constants in r3. */
    static String branchy() {
        StringBuilder sb = new StringBuilder(".license \"GPL\"\nSEC(\"struct_ops/run\")\nbranchy:\n");
        sb.append("r6 = *(u64 *)(r1 +0)\n");
        for (int i = 0; i < DIAMONDS; i++) {
            sb.append("r2 = *(u64 *)(r6 +0)\nif r2 > ").append(i).append(" goto +2\nr3 = 1\ngoto +1\nr3 = 2\nr3 += r2\n");
        }
        sb.append("r0 = 0\nexit\n");
        return sb.toString();
    }

    @Benchmark
    @OperationsPerInvocation(STRAIGHT)
    public int straightLine100k() {
        return load(straight);
    }

    @Benchmark
    @OperationsPerInvocation(BRANCHY_PROCESSED)
    public int branchy2000Diamonds() {
        return load(branchy);
    }

    private int load(BpfProgLoadAttr a) {
        ProgLoadResult r = kernel.progs().load(a);
        int n = r.prog().insns().size();
        kernel.progs().free(r.prog().id());
        return n;
    }

    static List<Insn> insns(BpfProgLoadAttr a) {
        return new ArrayList<>(a.insns());
    }
}
