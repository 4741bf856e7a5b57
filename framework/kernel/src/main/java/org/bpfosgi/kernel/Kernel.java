package org.bpfosgi.kernel;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgKernel;

/**
 * One modelled machine: the kernel state that lives beside Felix in the launcher's JVM
 * (the system bundle plays vmlinux). Holds the kernel log, the module table and the BTF
 * registry, whose module notifier (btf_module_notify) is registered at boot as in the kernel,
 * and the BPF side (struct_ops registry, kallsyms, programs).
 */
public final class Kernel {
    private final List<String> dmesg = new ArrayList<>();
    private final ModuleTable modules = new ModuleTable(this::printk);
    private final BtfRegistry btf;
    private final ProgKernel bpf;
    private final org.bpfosgi.structops.StructOpsKernel structOps;

    /** A machine whose vmlinux BTF is the real one when readable, else the built-in base. */
    public Kernel() {
        this(null);
    }

    /**
     * @param vmlinux {@code --vmlinux} choice: null/"default" (the real file when readable, else
     *                built-in), "builtin", "vmlinux" or a path
     */
    public Kernel(String vmlinux) {
        this.btf = new BtfRegistry(VmlinuxBtf.load(vmlinux), modules);
        modules.registerNotifier(new BtfModuleNotifier(btf, this::printk));
        this.bpf = new ProgKernel(modules, btf, this::printk);
        this.structOps = new org.bpfosgi.structops.StructOpsKernel(bpf, this::printk);
    }

    /** The run-time side: kernel memory, maps (struct_ops, prog arrays), links, test runs. */
    public org.bpfosgi.structops.StructOpsKernel structOps() {
        return structOps;
    }

    /** The BPF side: struct_ops and kfunc-set registrations, kallsyms, the program table. */
    public ProgKernel bpf() {
        return bpf;
    }

    public ModuleTable modules() {
        return modules;
    }

    /** The BTF objects: vmlinux (id 1) and each module's split BTF. */
    public BtfRegistry btf() {
        return btf;
    }

    /** Appends a line to the kernel log (printk). */
    public void printk(String line) {
        synchronized (dmesg) {
            dmesg.add(line);
        }
    }

    /** The kernel log so far, oldest first. */
    public List<String> dmesg() {
        synchronized (dmesg) {
            return List.copyOf(dmesg);
        }
    }
}
