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
            + "\";version:Version=\"2.0.0\"";

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
