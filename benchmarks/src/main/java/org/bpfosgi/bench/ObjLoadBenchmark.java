package org.bpfosgi.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.cli.StructOpsCli;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.subsystem.tcpcc.BpfTcpCa;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code obj load} of a clang-built object (libbpf's open + load + struct_ops attach: ELF, BTF,
 * .BTF.ext, CO-RE against vmlinux, map creation, bpf_check of every program, registration) and
 * its unload, on a machine with bpf_tcp_ca built in as the launcher boots it, vmlinux BTF from
 * /sys/kernel/btf/vmlinux when readable (else the built-in base, which lacks most of tcp_sock:
 * the object's relocations then fail). The object is framework/kernel/src/test/bpf/objects'
 * big_core.o (5,201 instructions, 1,730 CO-RE relocations; -Dbpfosgi.objects=DIR when run outside
 * the repository root); benchmarks/ELF-RESULTS.md compares with bpftool prog loadall of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ObjLoadBenchmark {
    @Param({"big_core", "tcp_cc"})
    public String object;

    private StructOpsCli cli;
    private String path;
    private final PrintStream sink = new PrintStream(new ByteArrayOutputStream() {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            // discarded: one load prints a few lines, the benchmark is the load
        }
    }, true, StandardCharsets.UTF_8);

    @Setup
    public void setup() throws IOException {
        Path dir = Path.of(System.getProperty("bpfosgi.objects", "framework/kernel/src/test/resources/org/bpfosgi/obj/objects"));
        Path f = dir.resolve(object + ".o");
        if (!Files.isReadable(f)) {
            throw new IllegalStateException(f + " is not readable: run from the repository root or set -Dbpfosgi.objects");
        }
        path = f.toString();
        List<String> log = new ArrayList<>();
        ModuleTable modules = new ModuleTable(log::add);
        BtfRegistry btf = new BtfRegistry(VmlinuxBtf.load(null), modules);
        modules.registerNotifier(new BtfModuleNotifier(btf, log::add));
        String header;
        try (InputStream in = BpfTcpCa.class.getResourceAsStream("/bpf/bpf_tcp_ca.h")) {
            header = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // as the host boots a built-in subsystem: its header folded into vmlinux, then its initcall
        btf.extendVmlinux("bpf_tcp_ca", new ModuleImage.BtfSource("bpf_tcp_ca.h", header));
        ProgKernel pk = new ProgKernel(modules, btf, log::add);
        int r = pk.registerSubsystem(null, btf.vmlinux(), new BpfTcpCa());
        if (r < 0) {
            throw new IllegalStateException("bpf_tcp_ca registration: " + r + " " + log);
        }
        cli = new StructOpsCli(new StructOpsKernel(pk, log::add));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        if (cli.obj(List.of("load", path), sink, e) != 0 || cli.obj(List.of("unload"), sink, e) != 0) {
            throw new IllegalStateException("obj load " + path + " fails in the model: " + err);
        }
    }

    /** One obj load and the unload that frees its maps, programs and link. */
    @Benchmark
    public int loadAndUnload() {
        int s = cli.obj(List.of("load", path), sink, sink);
        if (s != 0) {
            throw new IllegalStateException("obj load " + path + " failed");
        }
        return s + cli.obj(List.of("unload"), sink, sink);
    }
}
