package org.bpfosgi.subsystem.tcpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The live half of the differential test: where bpf() works (root, /sys/kernel/btf/vmlinux,
 * python3 and bpftool) and the kernel is the one the golden file was recorded on, the corpus
 * script runs again and the kernel must still give the recorded answers. Skipped (and reported
 * as skipped) elsewhere; the golden file is compared with the model on every build by
 * {@link TcpCaDifferentialTest}.
 */
class LiveKernelCorpusTest {
    private static final Path SCRIPT = Path.of("src", "test", "live", "tcp_ca_corpus.py");
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden", "tcp_ca_differential.tsv");

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null; // no such program on this machine
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor() == 0 ? out : null;
    }

    @Test
    void theKernelStillGivesTheRecordedVerdicts() throws IOException, InterruptedException {
        Assumptions.assumeTrue(org.bpfosgi.btf.VmlinuxBtf.realAvailable(), "no /sys/kernel/btf/vmlinux");
        Assumptions.assumeTrue("0".equals(run("id", "-u")), "not root: bpf(BPF_PROG_LOAD) of struct_ops needs CAP_BPF+CAP_PERFMON");
        Assumptions.assumeTrue(run("bpftool", "version") != null, "no bpftool");
        String uname = run("uname", "-r");
        List<String> golden = Files.readAllLines(GOLDEN);
        Assumptions.assumeTrue(uname != null && golden.get(0).endsWith(" " + uname),
                "the golden file was recorded on another kernel (" + golden.get(0) + ")");
        Path out = Path.of("target", "tcp_ca_differential-live.tsv");
        Files.createDirectories(out.getParent());
        String r = run("python3", SCRIPT.toString(), out.toString());
        Assumptions.assumeTrue(r != null, "the corpus script could not run (bpf() unavailable?)");
        List<String> live = Files.readAllLines(out);
        assertEquals(golden.size(), live.size());
        for (int i = 0; i < golden.size(); i++) {
            assertEquals(golden.get(i), live.get(i), "line " + (i + 1));
        }
    }
}
