package org.bpfosgi.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.subsystem.BpfSubsystem;

/**
 * The kernel model without OSGi, for unit tests of a subsystem's generators, verifier ops and
 * kfuncs in milliseconds: a module table, vmlinux BTF (the built-in base: the same types on
 * every machine), the BTF registry with its module notifier, kallsyms, the struct_ops and kfunc
 * registries and the program table. A module is inserted from its {@link BpfSubsystem} object
 * and its BTF header, exactly as the host does it for a bundle, minus the bundle:
 * {@code load_module} compiles the header into split BTF at COMING, {@code module_init}
 * registers the subsystem, and the module goes LIVE. Declarative Services is not involved, so
 * the component's {@code @Activate} method is not called; what it registers is the object given.
 *
 * <pre>{@code
 * TestKernel k = TestKernel.create();
 * assertEquals(Optional.empty(), k.insmod("my_mod", Path.of("src/main/bpf/my_mod.h"), new MySubsystem()));
 * LoadResult r = k.load(Files.readString(Path.of("src/test/bpf/prologue.s")));
 * assertTrue(r.ok(), r.log());
 * assertEquals("0: (79) r6 = *(u64 *)(r1 +0)", r.xlated().get(0));
 * }</pre>
 *
 * <p>Not thread-safe for concurrent loads from several test threads beyond what the kernel
 * model itself synchronises; one TestKernel per test is the intended use.
 */
public final class TestKernel {
    private final List<String> dmesg = new ArrayList<>();
    private final ModuleTable modules = new ModuleTable(this::printk);
    private final BtfRegistry btf = new BtfRegistry(VmlinuxBtf.builtin(), modules);
    private final ProgKernel bpf;

    private TestKernel() {
        modules.registerNotifier(new BtfModuleNotifier(btf, this::printk));
        bpf = new ProgKernel(modules, btf, this::printk);
    }

    /** A fresh machine with the built-in vmlinux BTF and no module loaded. */
    public static TestKernel create() {
        return new TestKernel();
    }

    private synchronized void printk(String line) {
        dmesg.add(line);
    }

    /** The kernel log so far. */
    public synchronized List<String> dmesg() {
        return List.copyOf(dmesg);
    }

    /**
     * insmod: loads module {@code name} with its BTF header (the bundle's {@code Bpf-Btf} file)
     * and runs its init, which registers {@code subsystem}. Empty on success, else the errno
     * load_module or module_init failed with (the details are in {@link #dmesg()}); a failed
     * insmod leaves nothing behind.
     */
    public Optional<Errno> insmod(String name, Path btfHeader, BpfSubsystem subsystem) {
        try {
            return insmod(name, btfHeader.getFileName().toString(),
                    Files.readString(btfHeader, StandardCharsets.UTF_8), subsystem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #insmod(String, Path, BpfSubsystem)} with the header's text. */
    public Optional<Errno> insmod(String name, String headerFileName, String headerText, BpfSubsystem subsystem) {
        ModuleImage image = new ModuleImage(name, false, Optional.of(new ModuleImage.BtfSource(headerFileName, headerText)),
                true, true, headerText.length());
        Module[] self = new Module[1];
        ModuleTable.ModuleCode code = new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                return btf.moduleBtf(name)
                        .map(o -> bpf.registerSubsystem(self[0], o, subsystem))
                        .orElse(Errno.ENOENT.negative());
            }

            @Override
            public void exit() {
                btf.moduleBtf(name).ifPresent(o -> bpf.unregisterSubsystem(self[0], o));
            }
        };
        try {
            self[0] = modules.prepareLoad(image, List.of(), code);
            modules.initModule(self[0]);
            return Optional.empty();
        } catch (KernelException e) {
            printk("insmod " + name + ": " + e.getMessage());
            return Optional.of(e.errno());
        }
    }

    /** rmmod: {@code delete_module(name, O_NONBLOCK)}. Empty on success, else its errno. */
    public Optional<Errno> rmmod(String name) {
        return modules.deleteModule(name, ModuleTable.O_NONBLOCK).errno();
    }

    /** The module as lsmod/modinfo show it; empty when it is not loaded. */
    public Optional<ModuleView> module(String name) {
        return modules.find(name).map(m -> new ModuleView(m.name(), m.state().procName(), m.refcount(),
                m.holders(), m.usedBy()));
    }

    /**
     * prog load: the program text (LLVM BPF assembly with {@code .license} and
     * {@code SEC("struct_ops/MEMBER")} or {@code .struct_ops TYPE.MEMBER}, as {@code prog load}
     * reads it) at verifier log level 1. A text the loader cannot read is -EINVAL with the
     * loader's message as the log.
     */
    public LoadResult load(String programText) {
        return load(programText, 1);
    }

    /** {@link #load(String)} at log level 0, 1 or 2. */
    public LoadResult load(String programText, int logLevel) {
        return ProgLoads.load(bpf, programText, "test.s", logLevel);
    }

    /** prog free id N: empty on success, -ENOENT when there is no such program. */
    public Optional<Errno> free(int progId) {
        int r = bpf.progs().free(progId);
        return r < 0 ? Optional.of(Errno.of(r)) : Optional.empty();
    }

    /** The ids of the loaded programs. */
    public List<Integer> progIds() {
        return bpf.progs().list().stream().map(BpfProg::id).toList();
    }
}
