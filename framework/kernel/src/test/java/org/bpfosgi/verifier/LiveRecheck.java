package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Assumptions;

/**
 * The live half of a golden-data test: where bpf() works (root, vmlinux BTF, python3) and the
 * data was recorded on this very kernel, the recording script is run again with {@code --check}
 * and must exit 0 (its answers are still the recorded ones). Anywhere else the test is skipped,
 * the recorded data having been checked against the model already.
 */
final class LiveRecheck {
    private LiveRecheck() {
    }

    /**
     * Runs {@code script --check} (a path relative to the module) and returns its output;
     * {@code recordedOn} tells from the running kernel's release whether the data was recorded on it.
     */
    static String run(Path script, Predicate<String> recordedOn, int timeoutSeconds) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(root && Files.exists(Path.of("/sys/kernel/btf/vmlinux")) && Files.exists(script)
                && new File("/usr/bin/python3").canExecute(), "bpf() not available here: live comparison skipped");
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        Assumptions.assumeTrue(recordedOn.test(release),
                "recorded on another kernel than " + release + ": live comparison skipped");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), "--check").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), script.getFileName() + " --check did not finish");
        Assumptions.assumeFalse(out.contains("Operation not permitted") || out.contains("PermissionError"),
                "bpf() refused here: live comparison skipped");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
