package org.bpfosgi.subsystem.qdisc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Region;

/**
 * A machine without OSGi with bpf_qdisc built in (its default): its header folded into the
 * built-in vmlinux BTF, then bpf_qdisc_kfunc_init()'s registrations against vmlinux BTF.
 */
final class QdiscMachine {
    final List<String> dmesg = new ArrayList<>();
    final ModuleTable modules = new ModuleTable(dmesg::add);
    final BtfRegistry btf = new BtfRegistry(VmlinuxBtf.builtin(), modules);
    final ProgKernel pk;
    final BpfQdisc qdisc = new BpfQdisc();
    final Memory memory = new Memory();

    QdiscMachine() {
        modules.registerNotifier(new BtfModuleNotifier(btf, dmesg::add));
        btf.extendVmlinux("bpf_qdisc", new ModuleImage.BtfSource("bpf_qdisc.h", resource("/bpf/bpf_qdisc.h")));
        pk = new ProgKernel(modules, btf, dmesg::add);
        int r = pk.registerSubsystem(null, btf.vmlinux(), qdisc);
        if (r < 0) {
            throw new IllegalStateException("bpf_qdisc_kfunc_init returned " + r + ": " + dmesg);
        }
    }

    static String resource(String path) {
        try (InputStream in = QdiscMachine.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    QdiscOps ops() {
        return (QdiscOps) qdisc.structOps().get(0);
    }

    QdiscTypes types() {
        return ops().types();
    }

    ProgLoadResult load(String member, String body) {
        String text = ".license \"GPL\"\n.struct_ops Qdisc_ops." + member + "\nprog:\n" + body;
        return pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, "test.s"), Optional.empty(), 1, pk.services()));
    }

    Region allocate(String name, int size) {
        return memory.allocate(name, size, Region.Access.READ_WRITE);
    }

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
