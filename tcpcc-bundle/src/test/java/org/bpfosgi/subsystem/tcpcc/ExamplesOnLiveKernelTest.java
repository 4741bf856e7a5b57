package org.bpfosgi.subsystem.tcpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.obj.ObjectText;
import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The ops of the congestion-control objects examples/tcp-cc/*.bpf, each assembled by the model against the machine's
 * /sys/kernel/btf/vmlinux (so kfunc calls carry the real BTF ids), must be accepted by the model
 * and, where bpf() works, by the running kernel (src/test/live/load_hex.py). Skipped without
 * the real BTF, root, python3 or bpftool.
 */
class ExamplesOnLiveKernelTest {
    private static String run(List<String> cmd) throws IOException, InterruptedException {
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
    void everyExampleOpIsAcceptedByTheModelAndTheLiveKernel() throws IOException, InterruptedException {
        Assumptions.assumeTrue(RecordingKernel.isThisMachine(),
                "not the kernel whose tcp_sock offsets the examples use (" + RecordingKernel.release() + ")");
        Assumptions.assumeTrue("0".equals(run(List.of("id", "-u"))), "not root");
        Assumptions.assumeTrue(run(List.of("bpftool", "version")) != null, "no bpftool");
        TcpCaMachine m = TcpCaMachine.real();
        List<String> programs = new java.util.ArrayList<>();
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "src/test/live/load_hex.py"));
        for (String cc : List.of("reno.bpf", "dctcp.bpf")) {
            Path file = Path.of("..", "examples", "tcp-cc", cc);
            ObjectText o = ObjectText.parse(Files.readString(file), cc);
            // each op of the object's struct_ops variable as its own program, attached to its member
            for (Map.Entry<String, String> member : o.structOpsVars().get(0).members().entrySet()) {
                ObjectText.Function f = o.functions().stream().filter(g -> g.name().equals(member.getValue())).findFirst()
                        .orElseThrow();
                String text = ".license \"" + o.license() + "\"\n.struct_ops tcp_congestion_ops." + member.getKey() + "\n"
                        + String.join("\n", f.lines()) + "\n";
                ProgLoadResult model = m.load(text);
                assertTrue(model.ok(), cc + " " + f.name() + ": " + model.log());
                BpfProgLoadAttr attr = ProgLoader.toAttr(ProgLoader.parse(text, cc), Optional.empty(), 0, m.pk.services());
                StringBuilder hex = new StringBuilder();
                for (Insn i : attr.insns()) {
                    hex.append(HexFormat.of().formatHex(i.encode()));
                }
                cmd.add(member.getKey());
                cmd.add(hex.toString());
                programs.add(cc + " " + f.name());
            }
        }
        String live = run(cmd);
        Assumptions.assumeTrue(live != null, "load_hex.py could not run (bpf() unavailable?)");
        List<String> verdicts = live.lines().toList();
        assertEquals(programs.size(), verdicts.size(), live);
        for (int i = 0; i < programs.size(); i++) {
            assertEquals("ok", verdicts.get(i), programs.get(i) + " on the live kernel");
        }
        int n = programs.size();
        assertEquals(10, n);
    }
}
