package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rejections a bpf_qdisc author hits most, each a program in src/test/resources/rejections
 * with its golden: the errno and the whole verifier log (level 1) as the model gives it. The
 * messages are the kernel's (net/sched/bpf_qdisc.c bpf_qdisc_btf_struct_access(),
 * bpf_qdisc_kfunc_filter() through verifier.c check_kfunc_call(), check_reference_leak(),
 * check_mem_access()); the log is the v6.12 verifier's, into which bpf_qdisc (v6.16) is
 * modelled. From v6.14 check_resource_leak() adds "BPF_EXIT instruction in main prog would lead
 * to reference leak" after the Unreleased line. Set -Dqdisc.regolden=true to rewrite the goldens
 * (then read the diff).
 */
class QdiscRejectionsTest {
    private static final Path DIR = Path.of("src/test/resources/rejections");

    static Stream<String> programs() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".s"))
                    .map(n -> n.substring(0, n.length() - 2)).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("programs")
    void rejectedWithTheKernelsMessage(String name) throws IOException {
        QdiscMachine m = new QdiscMachine();
        String text = Files.readString(DIR.resolve(name + ".s"));
        ProgLoadResult r = m.pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, name + ".s"), Optional.empty(), 1,
                m.pk.services()));
        assertFalse(r.ok(), name + " was accepted:\n" + r.log());
        String actual = r.errno().orElseThrow().name() + "\n" + r.log();
        Path golden = DIR.resolve(name + ".golden");
        if (Boolean.getBoolean("qdisc.regolden")) {
            Files.writeString(golden, actual);
        }
        assertEquals(Files.readString(golden), actual, name);
        assertTrue(m.pk.progs().list().isEmpty(), "a rejected load leaves no program");
    }

    @org.junit.jupiter.api.Test
    void everyProgramHasAGolden() throws IOException {
        List<String> names = programs().toList();
        assertEquals(11, names.size(), names.toString());
        for (String n : names) {
            assertTrue(Files.exists(DIR.resolve(n + ".golden")), n);
        }
    }
}
