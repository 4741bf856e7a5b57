package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * The kptr golden data's recorders (src/test/resources/kptr/*.c: C programs on libbpf that ask the
 * live kernel), compiled with cc and run with {@code args}: their stdout. A test re-asking the
 * kernel this way is skipped (reported as skipped) without root and bpf(), without cc and
 * libbpf-dev, or when the program reports that bpf() is not permitted ({@code refused} holds for
 * its output, or there is none).
 */
final class LiveKptrProgram {
    /** stdout and exit status of one run. */
    record Run(String out, int rc) {
    }

    private LiveKptrProgram() {
    }

    static Run run(String resource, java.util.function.Predicate<String> refused, String... args) throws Exception {
        Path src = Path.of(LiveKptrProgram.class.getResource(resource).toURI());
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/fs/bpf")) && "root".equals(System.getProperty("user.name")),
                "needs root and bpf()");
        Path bin = Files.createTempFile("kptr_golden", "");
        try {
            Process cc = new ProcessBuilder("cc", "-O2", "-o", bin.toString(), src.toString(), "-lbpf")
                    .redirectErrorStream(true).start();
            String ccOut = new String(cc.getInputStream().readAllBytes());
            Assumptions.assumeTrue(cc.waitFor() == 0, "cc with libbpf: " + ccOut);
            String[] cmd = new String[args.length + 1];
            cmd[0] = bin.toString();
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process run = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(run.getInputStream().readAllBytes());
            int rc = run.waitFor();
            // no output at all is the program failing (a crash), not the kernel refusing bpf()
            assertFalse(out.isBlank(), resource + ": no output, exit status " + rc);
            Assumptions.assumeFalse(refused.test(out), "bpf() not permitted here: " + out);
            return new Run(out, rc);
        } finally {
            Files.deleteIfExists(bin);
        }
    }
}
