package org.bpfosgi.subsystem.tcpcc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bpfosgi.btf.VmlinuxBtf;

/**
 * The kernel the golden corpus (and the byte offsets in examples/tcp-cc) were taken from, and
 * whether this machine runs it: only then do /sys/kernel/btf/vmlinux's struct layouts match the
 * recorded programs, so only then are the real-BTF runs meaningful.
 */
final class RecordingKernel {
    private RecordingKernel() {
    }

    /** The release in the golden file's first line ("... the live kernel 6.18.44-fc-v1045"). */
    static String release() {
        try (InputStream in = RecordingKernel.class.getResourceAsStream("/golden/tcp_ca_differential.tsv")) {
            String first = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
            return first.substring(first.lastIndexOf(' ') + 1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether this machine's kernel is the recording one and its BTF is readable. */
    static boolean isThisMachine() {
        try {
            Path osrelease = Path.of("/proc/sys/kernel/osrelease");
            return VmlinuxBtf.realAvailable() && Files.isReadable(osrelease)
                    && Files.readString(osrelease).trim().equals(release());
        } catch (IOException e) {
            return false;
        }
    }
}
