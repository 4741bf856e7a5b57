package org.bpfosgi.subsystem.tcpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The congestion controls of examples/tcp-cc, assembled by the model against the machine's
 * /sys/kernel/btf/vmlinux (so kfunc calls carry the real BTF ids), must be accepted by the model
 * and, where bpf() works, by the running kernel (src/test/live/load_hex.py). Skipped without
 * the real BTF, root, python3 or bpftool.
 */
class ExamplesOnLiveKernelTest {
    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor() == 0 ? out : null;
    }

    @Test
    void everyExampleOpIsAcceptedByTheModelAndTheLiveKernel() throws IOException, InterruptedException {
        Assumptions.assumeTrue(VmlinuxBtf.realAvailable(), "no /sys/kernel/btf/vmlinux");
        Assumptions.assumeTrue("0".equals(run(List.of("id", "-u"))), "not root");
        Assumptions.assumeTrue(run(List.of("bpftool", "version")) != null, "no bpftool");
        TcpCaMachine m = TcpCaMachine.real();
        int n = 0;
        for (String cc : List.of("reno", "dctcp")) {
            try (var files = Files.list(Path.of("..", "examples", "tcp-cc", cc))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".s")).sorted().toList()) {
                    String text = Files.readString(f);
                    ProgLoadResult model = m.load(text);
                    assertTrue(model.ok(), f + ": " + model.log());
                    BpfProgLoadAttr attr = ProgLoader.toAttr(ProgLoader.parse(text, f.toString()), Optional.empty(), 0,
                            m.pk.services());
                    StringBuilder hex = new StringBuilder();
                    for (Insn i : attr.insns()) {
                        hex.append(HexFormat.of().formatHex(i.encode()));
                    }
                    String member = f.getFileName().toString().replace(".s", "");
                    String live = run(List.of("python3", "src/test/live/load_hex.py", member, hex.toString()));
                    Assumptions.assumeTrue(live != null, "load_hex.py could not run (bpf() unavailable?)");
                    assertEquals("ok", live, f + " on the live kernel");
                    n++;
                }
            }
        }
        assertEquals(10, n);
    }
}
