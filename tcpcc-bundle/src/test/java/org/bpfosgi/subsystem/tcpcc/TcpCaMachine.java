package org.bpfosgi.subsystem.tcpcc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;

/**
 * A machine without OSGi with bpf_tcp_ca built in, as the host boots it: its header folded into
 * vmlinux BTF, then its initcall's registrations (owner NULL, vmlinux BTF). vmlinux BTF is the
 * built-in base or, with {@link #real()}, the machine's /sys/kernel/btf/vmlinux.
 */
final class TcpCaMachine {
    final List<String> dmesg = new ArrayList<>();
    final ModuleTable modules = new ModuleTable(dmesg::add);
    final BtfRegistry btf;
    final ProgKernel pk;
    final BpfTcpCa tcpCa = new BpfTcpCa();
    final Memory memory = new Memory();

    private TcpCaMachine(Btf vmlinux) {
        btf = new BtfRegistry(vmlinux, modules);
        modules.registerNotifier(new BtfModuleNotifier(btf, dmesg::add));
        btf.extendVmlinux("bpf_tcp_ca", new ModuleImage.BtfSource("bpf_tcp_ca.h", resource("/bpf/bpf_tcp_ca.h")));
        pk = new ProgKernel(modules, btf, dmesg::add);
        int r = pk.registerSubsystem(null, btf.vmlinux(), tcpCa);
        if (r < 0) {
            throw new IllegalStateException("bpf_tcp_ca_kfunc_init returned " + r + ": " + dmesg);
        }
    }

    /** With the built-in vmlinux BTF (every machine). */
    static TcpCaMachine builtin() {
        return new TcpCaMachine(VmlinuxBtf.builtin());
    }

    /** With /sys/kernel/btf/vmlinux (callers check {@link VmlinuxBtf#realAvailable()}). */
    static TcpCaMachine real() {
        return new TcpCaMachine(VmlinuxBtf.load("vmlinux"));
    }

    static String resource(String path) {
        try (InputStream in = TcpCaMachine.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TcpCaTypes types() {
        return ((TcpCongestionOps) tcpCa.structOps().get(0)).types();
    }

    ProgLoadResult load(String text) {
        ProgLoader.ProgSource s = ProgLoader.parse(text, "test.s");
        return pk.progs().load(ProgLoader.toAttr(s, Optional.empty(), 1, pk.services()));
    }

    /** A loaded program, ready for the interpreter. */
    LoadedProgram prepare(BpfProg prog) {
        return ProgRunner.prepare(prog, pk.structOps().kallsyms());
    }

    /** Runs {@code p} with R1 = {@code ctx} (the u64 argument array). */
    Outcome run(LoadedProgram p, long ctx) {
        return new Vm(memory, Bindings.NONE).run(p, ctx);
    }

    /** A zeroed kernel object. */
    Region allocate(String name, int size) {
        return memory.allocate(name, size, Region.Access.READ_WRITE);
    }

    /** The interpreter's memory as subsystem callbacks see it. */
    KernelMemory kernelMemory() {
        return new KernelMemory() {
            @Override
            public long readU64(long addr) {
                return memory.ld64(addr);
            }

            @Override
            public int readU32(long addr) {
                return (int) memory.ld32(addr);
            }

            @Override
            public void writeU64(long addr, long value) {
                memory.st64(addr, value);
            }

            @Override
            public void writeU32(long addr, int value) {
                memory.st32(addr, value);
            }

            // a later SPI 2.1 method (no @Override: compiles with and without it); the struct_ops
            // callbacks under test call no function pointers
            public long indirectCall(long fn, long... args) {
                throw new UnsupportedOperationException("indirect calls are not part of this test machine");
            }
        };
    }
}
