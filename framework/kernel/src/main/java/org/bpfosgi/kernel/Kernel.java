package org.bpfosgi.kernel;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.module.ModuleTable;

/**
 * One modelled machine: the kernel state that lives beside Felix in the launcher's JVM
 * (the system bundle plays vmlinux). Holds the kernel log and the module table; the BTF
 * registry, programs and maps join it as they are built.
 */
public final class Kernel {
    private final List<String> dmesg = new ArrayList<>();
    private final ModuleTable modules = new ModuleTable(this::printk);

    public ModuleTable modules() {
        return modules;
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
