package org.bpfosgi.host;

import java.util.Dictionary;
import java.util.Optional;

/**
 * The manifest headers that make a bundle a subsystem: {@code Bpf-Module} (the module name),
 * {@code Bpf-Builtin} (built into vmlinux) and {@code Bpf-Btf} (its BTF header inside the jar).
 */
public record SubsystemHeaders(String module, boolean builtin, Optional<String> btfPath) {
    public static final String BPF_MODULE = "Bpf-Module";
    public static final String BPF_BUILTIN = "Bpf-Builtin";
    public static final String BPF_BTF = "Bpf-Btf";
    /** The extender's name in the {@code osgi.extender} namespace. */
    public static final String EXTENDER = "org.bpfosgi.subsystem";
    /**
     * What the system bundle provides: the extender at the version of the subsystem SPI package
     * it implements. Subsystem bundles require {@code (&(osgi.extender=org.bpfosgi.subsystem)
     * (version>=2.0)(!(version>=3.0)))} (written by the subsystem parent pom's bnd instructions).
     */
    public static final String EXTENDER_CAPABILITY = "osgi.extender;osgi.extender=\"" + EXTENDER
            + "\";version:Version=\"2.3.0\"";

    /** include/linux/module.h: MODULE_NAME_LEN = 64 - sizeof(unsigned long), with the NUL. */
    public static final int MODULE_NAME_LEN = 56;

    /**
     * Why {@code name} cannot be a module's name, if it cannot. The kernel's {@code struct
     * module} holds the name in {@code char name[MODULE_NAME_LEN]} (so at most 55 characters);
     * the characters are kbuild's: KBUILD_MODNAME is the object's file name with '-' turned into
     * '_', so letters, digits and '_'. "vmlinux" names the base BTF object in {@code btf list}
     * and in bpftool (btf_vmlinux), so no module can take it.
     */
    public static Optional<String> nameProblem(String name) {
        if (name.length() >= MODULE_NAME_LEN) {
            return Optional.of("module name " + name + " is longer than " + (MODULE_NAME_LEN - 1) + " characters");
        }
        if (!name.chars().allMatch(c -> c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9'))) {
            return Optional.of("module name '" + name + "' is not letters, digits and '_'");
        }
        if (name.equals("vmlinux")) {
            return Optional.of("module name vmlinux is the kernel's own");
        }
        return Optional.empty();
    }

    /** The headers of a bundle or jar manifest; empty when it is not a subsystem. */
    public static Optional<SubsystemHeaders> of(Dictionary<String, String> headers) {
        return of(headers.get(BPF_MODULE), headers.get(BPF_BUILTIN), headers.get(BPF_BTF));
    }

    static Optional<SubsystemHeaders> of(String module, String builtin, String btf) {
        if (module == null || module.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new SubsystemHeaders(module.trim(), "true".equalsIgnoreCase(
                builtin == null ? "" : builtin.trim()), Optional.ofNullable(btf).map(String::trim)));
    }
}
