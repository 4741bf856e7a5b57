package org.bpfosgi.testsupport;

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
import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;

/**
 * A machine without OSGi for a subsystem's own tests (qdisc-bundle's QdiscMachine, tcpcc-bundle's
 * TcpCaMachine): the module table, BTF registry (with the module BTF notifier) and program
 * kernel the host boots, an interpreter memory, and the subsystem registered as the host
 * registers it — built in ({@link #registerBuiltin}: its header folded into vmlinux BTF, then
 * its initcall's registrations with owner NULL) or as a module ({@link #insertModule}: its header
 * compiled into split BTF at COMING, module_init registering against the module's BTF).
 */
public final class SubsystemTestMachine {
    public final List<String> dmesg = new ArrayList<>();
    public final ModuleTable modules = new ModuleTable(dmesg::add);
    public final BtfRegistry btf;
    public final ProgKernel pk;
    public final Memory memory = new Memory();

    /** A machine whose vmlinux BTF is {@code vmlinux} (VmlinuxBtf.builtin() or the live one). */
    public SubsystemTestMachine(Btf vmlinux) {
        btf = new BtfRegistry(vmlinux, modules);
        modules.registerNotifier(new BtfModuleNotifier(btf, dmesg::add));
        pk = new ProgKernel(modules, btf, dmesg::add);
    }

    /**
     * The subsystem built in: {@code header} (the resource's text) folded into vmlinux BTF under
     * {@code name}, then its registrations against vmlinux BTF; a failed registration is an
     * IllegalStateException naming {@code initcall} and the log.
     */
    public void registerBuiltin(String name, String headerFile, String header, BpfSubsystem sub, String initcall) {
        btf.extendVmlinux(name, new ModuleImage.BtfSource(headerFile, header));
        int r = pk.registerSubsystem(null, btf.vmlinux(), sub);
        if (r < 0) {
            throw new IllegalStateException(initcall + " returned " + r + ": " + dmesg);
        }
    }

    /** The subsystem inserted as module {@code name} (as the host does for {@code --modular NAME}). */
    public Module insertModule(String name, String headerFile, String header, BpfSubsystem sub) {
        ModuleImage image = new ModuleImage(name, false, Optional.of(new ModuleImage.BtfSource(headerFile, header)), true, true,
                header.length());
        Module[] self = new Module[1];
        ModuleTable.ModuleCode code = new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                return btf.moduleBtf(name).map(o -> pk.registerSubsystem(self[0], o, sub)).orElse(Errno.ENOENT.negative());
            }

            @Override
            public void exit() {
                btf.moduleBtf(name).ifPresent(o -> pk.unregisterSubsystem(self[0], o));
            }
        };
        self[0] = modules.prepareLoad(image, List.of(), code);
        modules.initModule(self[0]);
        return self[0];
    }

    /** A class-path resource's text (the subsystem's header), or an IllegalStateException naming it. */
    public static String resource(Class<?> owner, String path) {
        try (InputStream in = owner.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loaded program, ready for the interpreter (calls bound through kallsyms). */
    public LoadedProgram prepare(BpfProg prog) {
        return ProgRunner.prepare(prog, pk.structOps().kallsyms());
    }

    /** Runs {@code p} with R1 = {@code ctx} (the u64 argument array). */
    public Outcome run(LoadedProgram p, long ctx) {
        return new Vm(memory, Bindings.NONE).run(p, ctx);
    }

    /** A zeroed kernel object. */
    public Region allocate(String name, int size) {
        return memory.allocate(name, size, Region.Access.READ_WRITE);
    }

    /** The interpreter's memory as subsystem callbacks see it. */
    public KernelMemory kernelMemory() {
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
