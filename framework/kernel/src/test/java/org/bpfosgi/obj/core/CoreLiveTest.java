package org.bpfosgi.obj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.bpfosgi.btf.ExtObjects;
import org.bpfosgi.btf.VmlinuxBtf;
import org.junit.jupiter.api.Test;

/**
 * Asks the live kernel's libbpf (bpftool -d prog loadall, as record-golden.sh does) what it
 * computes for the CO-RE objects now, and compares the model's log with it line for line. Runs
 * only as root with bpftool, a bpffs at /sys/fs/bpf and /sys/kernel/btf/vmlinux; skipped
 * otherwise. Unlike CoreGoldenTest, it follows whatever kernel the machine runs.
 */
class CoreLiveTest {
    private static final Path BPFFS = Path.of("/sys/fs/bpf");

    private static boolean available() {
        if (!VmlinuxBtf.realAvailable() || !Files.isDirectory(BPFFS) || !Files.isWritable(BPFFS)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("bpftool", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** libbpf's CO-RE lines for the object, from a live load (programs unpinned afterwards). */
    private static List<String> libbpfNow(String obj) throws IOException, InterruptedException {
        Path o = Files.createTempFile("bpfosgi-core-", ".o");
        Path pin = BPFFS.resolve("bpfosgi_core_live_" + ProcessHandle.current().pid());
        try {
            Files.write(o, ExtObjects.bytes(obj + ".o"));
            Files.createDirectories(pin);
            Process p = new ProcessBuilder("bpftool", "-d", "prog", "loadall", o.toString(), pin.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "bpftool prog loadall failed:\n" + out);
            List<String> lines = new ArrayList<>();
            for (String l : out.split("\n")) {
                String t = l.replaceFirst("^libbpf: ", "");
                if (t.startsWith("CO-RE relocating") || t.matches("^prog '\\w+': relo #.*")) {
                    lines.add(t);
                }
            }
            return lines;
        } finally {
            Files.deleteIfExists(o);
            if (Files.exists(pin)) {
                try (Stream<Path> s = Files.walk(pin)) {
                    for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(q);
                    }
                }
            }
        }
    }

    @Test
    void modelAgreesWithTheLiveLibbpfOnTheLiveVmlinux() throws Exception {
        assumeTrue(available(), "needs root, bpftool, bpffs at /sys/fs/bpf and /sys/kernel/btf/vmlinux");
        var vmlinux = CoreTargets.vmlinuxOnly(VmlinuxBtf.load("vmlinux"));
        for (var c : List.of(Map.entry("core_task", CoreGoldenTest.TASK), Map.entry("core_direct",
                CoreGoldenTest.DIRECT))) {
            assertEquals(libbpfNow(c.getKey()), CoreObjects.run(c.getKey(), c.getValue(), vmlinux).log(), c.getKey());
        }
    }
}
