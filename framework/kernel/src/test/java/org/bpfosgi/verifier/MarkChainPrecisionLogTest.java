package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The level-2 log lines of __mark_chain_precision() / backtrack_insn() / mark_all_scalars_precise()
 * / propagate_precision(), compared with the live kernel's logs of the same instructions
 * (precision/precision.log, made by precision/probe.py): "mark_precise: frame%d: last_idx %d
 * first_idx %d subseq_idx %d ", "mark_precise: frame%d: regs=%s stack=%s before %d: ...",
 * "mark_precise: frame%d: parent state regs=%s stack=%s: " (its register dump is compared up to the
 * colon: 6.18 prints no liveness marks, v6.12 does), "mark_precise: frame%d: falling back to
 * forcing all scalars precise", "force_precise: frame%d: forcing r%d to be precise", "... forcing
 * fp%d to be precise" and "frame %d: propagating r%d"; and each program's verdict and processed
 * line. (The "BUG ..." lines are in MarkChainPrecisionTest: no program reaches them.)
 */
class MarkChainPrecisionLogTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
    }

    /** A program of probe.py: its instructions, the kernel's errno and log. */
    record Probe(List<Insn> insns, int errno, List<String> log) {
    }

    private static Map<String, Probe> golden() throws IOException {
        Map<String, Probe> m = new LinkedHashMap<>();
        try (InputStream in = MarkChainPrecisionLogTest.class.getResourceAsStream("/org/bpfosgi/verifier/precision/precision.log")) {
            String name = null;
            List<Insn> insns = null;
            int errno = 0;
            List<String> log = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("== ")) {
                    if (name != null) {
                        m.put(name, new Probe(insns, errno, log));
                    }
                    String[] w = line.split(" "); // == NAME errno N insns HEX
                    name = w[1];
                    errno = Integer.parseInt(w[3]);
                    insns = Insn.decodeAll(HexFormat.of().parseHex(w[5]));
                    log = new ArrayList<>();
                } else if (log != null) {
                    log.add(line);
                }
            }
            m.put(name, new Probe(insns, errno, log));
        }
        return m;
    }

    /** The precision lines; a parent state's register dump cut at "stack=...:". */
    static List<String> precisionLines(List<String> log) {
        List<String> out = new ArrayList<>();
        for (String l : log) {
            if (l.startsWith("mark_precise: ") && l.contains(" parent state ")) {
                out.add(l.substring(0, l.indexOf(':', l.indexOf("stack=")) + 1));
            } else if (l.startsWith("mark_precise: ") || l.startsWith("force_precise: ") || l.matches("frame \\d+: propagating .*")) {
                out.add(l);
            }
        }
        return out;
    }

    private static String processed(List<String> log) {
        return log.stream().filter(l -> l.startsWith("processed ")).findFirst().orElse("");
    }

    @Test
    void theModelLogsThePrecisionWalkAsTheKernelDoes() throws IOException {
        Map<String, Probe> golden = golden();
        assertEquals(List.of("parent", "prune", "fallback", "spill"), List.copyOf(golden.keySet()));
        for (Map.Entry<String, Probe> e : golden.entrySet()) {
            Probe want = e.getValue();
            ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 2).withInsns(want.insns()));
            List<String> got = List.of(r.log().split("\n"));
            assertEquals(want.errno(), r.ok() ? 0 : -r.err(), e.getKey() + ":\n" + r.log());
            assertEquals(precisionLines(want.log()), precisionLines(got), e.getKey() + ":\n" + r.log());
            assertEquals(processed(want.log()), processed(got), e.getKey() + ":\n" + r.log());
            if (r.ok()) {
                k.progs.free(r.prog().id());
            }
        }
    }

    /** Each message the walk has appears in the golden logs, so each is compared above. */
    @Test
    void theGoldenLogsHaveEveryMessage() throws IOException {
        List<String> all = new ArrayList<>();
        golden().values().forEach(p -> all.addAll(precisionLines(p.log())));
        for (String re : List.of("mark_precise: frame0: last_idx \\d+ first_idx \\d+ subseq_idx -?\\d+ ",
                "mark_precise: frame0: regs=r\\d+ stack= before \\d+: .*",
                "mark_precise: frame0: regs= stack=-8 before \\d+: .*",
                "mark_precise: frame0: parent state regs=r6 stack=:",
                "mark_precise: frame0: parent state regs= stack=:",
                "mark_precise: frame0: falling back to forcing all scalars precise",
                "force_precise: frame0: forcing r6 to be precise",
                "force_precise: frame0: forcing fp-16 to be precise",
                "frame 0: propagating r6")) {
            assertTrue(all.stream().anyMatch(l -> l.matches(re)), re);
        }
    }
}
