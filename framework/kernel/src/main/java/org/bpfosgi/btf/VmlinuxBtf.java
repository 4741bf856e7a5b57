package org.bpfosgi.btf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where vmlinux BTF comes from: the machine's {@code /sys/kernel/btf/vmlinux}
 * when readable (real BTF, real type ids), else the built-in base compiled from
 * {@code vmlinux-builtin.h}. {@code --vmlinux builtin|PATH} chooses.
 */
public final class VmlinuxBtf {
    /**
     * Where the running kernel exposes its BTF: /sys/kernel/btf/vmlinux, or the path in the
     * system property {@code bpfosgi.vmlinux} (tests use it to play a machine without BTF).
     */
    public static final Path SYSFS_VMLINUX = Path.of(System.getProperty("bpfosgi.vmlinux", "/sys/kernel/btf/vmlinux"));
    /** The resource name of the built-in base's header. */
    public static final String BUILTIN_HEADER = "vmlinux-builtin.h";

    private static volatile CompiledBtf builtin;

    private VmlinuxBtf() {
    }

    /**
     * {@code --vmlinux} semantics: null (or "default") = the real file when readable, else the
     * built-in base; "builtin" = the built-in base; "vmlinux" = the real file (an error if it is
     * not readable); anything else = a path to a raw BTF or ELF file.
     */
    public static Btf load(String choice) {
        try {
            if (choice == null || choice.equals("default")) {
                return realAvailable() ? ValidatedBtfCache.parseVmlinux(Files.readAllBytes(SYSFS_VMLINUX)) : builtin();
            }
            if (choice.equals("builtin")) {
                return builtin();
            }
            Path p = choice.equals("vmlinux") ? SYSFS_VMLINUX : Path.of(choice);
            if (!Files.isReadable(p)) {
                throw new BtfException("cannot read vmlinux BTF " + p);
            }
            return BtfFiles.read(p);
        } catch (IOException e) {
            throw new BtfException("cannot read vmlinux BTF: " + e.getMessage(), e);
        }
    }

    /** Whether {@code /sys/kernel/btf/vmlinux} exists and is readable. */
    public static boolean realAvailable() {
        return Files.isReadable(SYSFS_VMLINUX);
    }

    /** The built-in base BTF (compiled once, then shared: Btf is immutable). */
    public static Btf builtin() {
        return builtinCompiled().btf();
    }

    /** The built-in base with its resolved id sets (e.g. generic_btf_ids). */
    public static CompiledBtf builtinCompiled() {
        CompiledBtf c = builtin;
        if (c == null) {
            synchronized (VmlinuxBtf.class) {
                c = builtin;
                if (c == null) {
                    c = CDeclCompiler.compile(BUILTIN_HEADER, builtinHeader(), null);
                    builtin = c;
                }
            }
        }
        return c;
    }

    /** The text of vmlinux-builtin.h. */
    public static String builtinHeader() {
        try (InputStream in = VmlinuxBtf.class.getResourceAsStream(BUILTIN_HEADER)) {
            if (in == null) {
                throw new IllegalStateException("resource " + BUILTIN_HEADER + " is missing from the kernel jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
