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
import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.prog.ProgTable;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Vm;
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

    /** bpf_qdisc as a module (--modular bpf_qdisc), else null. */
    final Module module;

    /** Built in, as the kernel has it. */
    QdiscMachine() {
        this(false);
    }

    /**
     * {@code modular}: bpf_qdisc inserted as a module, as the host does for {@code --modular
     * bpf_qdisc}: its header compiled into split BTF at COMING, then module_init registers it
     * against the module's BTF.
     */
    QdiscMachine(boolean modular) {
        modules.registerNotifier(new BtfModuleNotifier(btf, dmesg::add));
        pk = new ProgKernel(modules, btf, dmesg::add);
        String header = resource("/bpf/bpf_qdisc.h");
        if (!modular) {
            btf.extendVmlinux("bpf_qdisc", new ModuleImage.BtfSource("bpf_qdisc.h", header));
            int r = pk.registerSubsystem(null, btf.vmlinux(), qdisc);
            if (r < 0) {
                throw new IllegalStateException("bpf_qdisc_kfunc_init returned " + r + ": " + dmesg);
            }
            module = null;
            return;
        }
        ModuleImage image = new ModuleImage("bpf_qdisc", false,
                Optional.of(new ModuleImage.BtfSource("bpf_qdisc.h", header)), true, true, header.length());
        Module[] self = new Module[1];
        ModuleTable.ModuleCode code = new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                return btf.moduleBtf("bpf_qdisc").map(o -> pk.registerSubsystem(self[0], o, qdisc))
                        .orElse(Errno.ENOENT.negative());
            }

            @Override
            public void exit() {
                btf.moduleBtf("bpf_qdisc").ifPresent(o -> pk.unregisterSubsystem(self[0], o));
            }
        };
        self[0] = modules.prepareLoad(image, List.of(), code);
        modules.initModule(self[0]);
        module = self[0];
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
        return load(member, body, KfuncPolicy.SEED, false);
    }

    /** prog load under {@code policy} (with unsafe-module-calls when asked). */
    ProgLoadResult load(String member, String body, KfuncPolicy policy, boolean unsafeModuleCalls) {
        String text = ".license \"GPL\"\n.struct_ops Qdisc_ops." + member + "\nprog:\n" + body;
        return pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, "test.s"), Optional.empty(), 1, pk.services()),
                new ProgTable.LoadOptions(Optional.of(policy), unsafeModuleCalls, 0));
    }

    /** A loaded program, ready for the interpreter (calls bound through kallsyms). */
    LoadedProgram prepare(BpfProg prog) {
        return ProgRunner.prepare(prog, pk.structOps().kallsyms());
    }

    /** Runs {@code p} with R1 = {@code ctx} (the u64 argument array). */
    Outcome run(LoadedProgram p, long ctx) {
        return new Vm(memory, Bindings.NONE).run(p, ctx);
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
