package org.bpfosgi.prog;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.module.Module;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.verifier.KernelServices;
import org.bpfosgi.verifier.Kallsyms;
import org.bpfosgi.verifier.StructOpsRegistry;
import org.bpfosgi.verifier.VmlinuxFunctions;

/**
 * The BPF side of one modelled machine, as the host wires it: the verifier's view of the BTF
 * registry, the struct_ops / kfunc-set registry with kallsyms, and the program table.
 *
 * <p><b>Wiring (for the host).</b> Create one per machine after the module table and the BTF
 * registry (with its {@code BtfModuleNotifier}) exist: {@code new ProgKernel(modules, btfRegistry)}.
 * When a subsystem's {@link BpfSubsystem} service appears — during its module_init, i.e. while
 * the module is COMING, after BTF's COMING notifier made its BTF object — call
 * {@link #registerSubsystem(Module, BtfObject, BpfSubsystem)} with the module (null for a built-in)
 * and its BTF object ({@code btfRegistry.moduleBtf(name)}, or {@code btfRegistry.vmlinux()} for a
 * built-in whose header was folded into vmlinux); a negative result should fail the module's
 * init with that errno. When the service goes away, call
 * {@link #unregisterSubsystem(Module, BtfObject)}; module GOING also drops the module's
 * symbols (this registers a module notifier for it), and its struct_ops types and kfunc sets go
 * when its BTF object is freed (this registers a btf_free listener for it). The {@code prog} commands are
 * {@link org.bpfosgi.cli.ProgCli#run}{@code (args, progKernel, out, err)}.
 */
public final class ProgKernel {
    private final ModuleTable modules;
    private final BtfRegistry btfs;
    private final StructOpsRegistry structOps;
    private final KernelServices services;
    private final ProgTable progs;
    private volatile org.bpfosgi.verifier.VerifierMaps maps = org.bpfosgi.verifier.VerifierMaps.NONE;

    public ProgKernel(ModuleTable modules, BtfRegistry btfRegistry) {
        this(modules, btfRegistry, line -> { });
    }

    /** @param klog the kernel log, for registration failures */
    public ProgKernel(ModuleTable modules, BtfRegistry btfRegistry, java.util.function.Consumer<String> klog) {
        this.modules = modules;
        this.btfs = btfRegistry;
        this.structOps = new StructOpsRegistry(new Kallsyms(), klog);
        this.services = KernelServices.x86(modules, btfs, structOps, fd -> maps.get(fd));
        this.progs = new ProgTable(services);
        int r = VmlinuxFunctions.register(structOps, btfs.vmlinux());
        if (r < 0) {
            klog.accept("bpf: vmlinux kfunc registration failed: " + r);
        }
        modules.registerNotifier((mod, event) -> {
            if (event == ModuleState.GOING) {
                structOps.kallsyms().removeModule(mod);
            }
        });
        btfRegistry.onFree(structOps::btfFree);
    }

    /** Where bpf_check() finds maps by fd (the map table, once the run-time side exists). */
    public void setMaps(org.bpfosgi.verifier.VerifierMaps maps) {
        this.maps = maps;
    }

    /** A subsystem's module_init registrations: 0 or a negative errno. */
    public int registerSubsystem(Module owner, BtfObject btf, BpfSubsystem subsystem) {
        return structOps.register(owner, btf, subsystem);
    }

    /** A subsystem's module_exit. */
    public void unregisterSubsystem(Module owner, BtfObject btf) {
        structOps.unregister(owner, btf);
    }

    public ModuleTable modules() {
        return modules;
    }

    public BtfRegistry btfs() {
        return btfs;
    }

    public StructOpsRegistry structOps() {
        return structOps;
    }

    public KernelServices services() {
        return services;
    }

    public ProgTable progs() {
        return progs;
    }
}
