package org.bpfosgi.bench;

import org.bpfosgi.btf.api.BtfKind;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.VmlinuxBtf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Parsing vmlinux BTF with name lookup ready: header and section checks, the per-type meta
 * checks and loop detection, the type offsets and the name index (types themselves are decoded
 * lazily, on first use). Uses /sys/kernel/btf/vmlinux when readable, else the built-in base.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar BtfParse -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BtfParseBenchmark {
    private byte[] vmlinux;
    private Btf base;
    private String testmodHeader;

    @Setup
    public void setup() throws IOException {
        vmlinux = VmlinuxBtf.realAvailable() ? Files.readAllBytes(VmlinuxBtf.SYSFS_VMLINUX)
                : VmlinuxBtf.builtin().rawData();
        base = Btf.parse(vmlinux);
        testmodHeader = "struct st_ops_args { u64 a; };\n"
                + "struct bpf_testmod_st_ops { int (*test_prologue)(struct st_ops_args *); "
                + "int (*test_epilogue)(struct st_ops_args *); int (*test_pro_epilogue)(struct st_ops_args *); "
                + "struct module *owner; };\n"
                + "__bpf_kfunc int bpf_kfunc_st_ops_inc10(struct st_ops_args *args);\n"
                + "BTF_KFUNCS_START(ids)\nBTF_ID_FLAGS(func, bpf_kfunc_st_ops_inc10)\nBTF_KFUNCS_END(ids)\n";
    }

    /** Full parse + validation + name index, then one lookup (so the index is really usable). */
    @Benchmark
    public int parseWithNameLookup() {
        Btf btf = Btf.parse(vmlinux);
        return btf.findByNameKind("sk_buff", BtfKind.STRUCT);
    }

    /** Parse, then what a struct_ops load asks of vmlinux BTF. */
    @Benchmark
    public int parseAndQuery() {
        Btf btf = Btf.parse(vmlinux);
        int qdisc = btf.findByNameKind("Qdisc", BtfKind.STRUCT);
        return btf.offsetOf(qdisc, "q.qlen") + btf.findByNameKind("tcp_congestion_ops", BtfKind.STRUCT)
                + btf.findByNameKind("bpf_cgroup_from_id", BtfKind.FUNC);
    }

    /** A module's COMING: compiling a small subsystem header into split BTF on vmlinux. */
    @Benchmark
    public Object compileModuleHeader() {
        return CDeclCompiler.compile("bpf_testmod.h", testmodHeader, base);
    }
}
