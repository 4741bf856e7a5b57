package org.bpfosgi.btf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Remembers, on disk, that this reader validated the running kernel's
 * {@code /sys/kernel/btf/vmlinux}, by the length and CRC32C of its bytes, so that a later boot
 * parses it without repeating the per-type checks (most of parsing 126k types). Used only for
 * the kernel's own file, which no user can write, so a checksum (not a cryptographic hash)
 * suffices to notice a new kernel or a damaged read; every other file is always validated.
 *
 * <p>The folder is {@code -Dbpfosgi.cache=DIR} (empty: no cache), else
 * {@code $XDG_CACHE_HOME/bpf-osgi}, else {@code ~/.cache/bpf-osgi}. A marker is an empty file
 * named {@code vmlinux-<length>-<crc32c>-v<VERSION>.ok}; anything failing in the cache only means a full
 * validation.
 */
final class ValidatedBtfCache {
    /** Bump when the validator accepts less than before: older markers no longer count. */
    static final int VERSION = 2;

    private ValidatedBtfCache() {
    }

    /** Parses the kernel's vmlinux BTF, validating it unless these very bytes were validated before. */
    static Btf parseVmlinux(byte[] data) {
        Path dir = dir();
        Path marker = dir == null ? null : marker(dir, data);
        if (marker != null && Files.exists(marker)) {
            return Btf.parseValidated(data, null);
        }
        Btf btf = Btf.parse(data);
        if (marker != null) {
            try {
                Files.createDirectories(dir);
                Files.write(marker, new byte[0]);
            } catch (IOException | RuntimeException e) {
                // no cache: next time validates again
            }
        }
        return btf;
    }

    private static Path marker(Path dir, byte[] data) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(data);
        return dir.resolve("vmlinux-" + data.length + "-" + Long.toHexString(crc.getValue()) + "-v" + VERSION + ".ok");
    }

    static Path dir() {
        String prop = System.getProperty("bpfosgi.cache");
        if (prop != null) {
            return prop.isEmpty() ? null : Path.of(prop);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "bpf-osgi");
        }
        String home = System.getProperty("user.home");
        return home == null ? null : Path.of(home, ".cache", "bpf-osgi");
    }
}
