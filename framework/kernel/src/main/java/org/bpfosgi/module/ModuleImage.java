package org.bpfosgi.module;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@code load_module} is given: the contents of a {@code .ko}. For a subsystem bundle this
 * is read from its manifest ({@code Bpf-Module}, {@code Bpf-Builtin}) and its BTF header
 * ({@code Bpf-Btf}), which the BTF module notifier compiles at COMING as pahole output would be.
 *
 * @param name       module name (MODULE_NAME_LEN - 1 = 55 characters at most)
 * @param builtin    built into vmlinux (=y): loaded at boot, cannot be removed
 * @param btfSource  the C header describing the module's BTF, if any
 * @param hasInit    the module defines module_init
 * @param hasExit    the module defines module_exit (without it, it cannot be unloaded unforced)
 * @param size       the size column of lsmod (bytes of the jar)
 */
public record ModuleImage(String name, boolean builtin, Optional<BtfSource> btfSource,
                          boolean hasInit, boolean hasExit, long size) {

    /** MODULE_NAME_LEN (64 - sizeof(unsigned long)) on 64-bit. */
    public static final int MODULE_NAME_LEN = 56;

    public ModuleImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(btfSource, "btfSource");
    }

    /** The module's BTF header: where it came from (for error locations) and its text. */
    public record BtfSource(String fileName, String text) {
        public BtfSource {
            Objects.requireNonNull(fileName, "fileName");
            Objects.requireNonNull(text, "text");
        }
    }
}
