package org.bpfosgi.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The bpf_conformance corpus (shared/bpf_conformance_data), one dynamic test per file:
 * tests/ must all pass, negative/ must all be refused with a located message. The folder comes
 * from {@code -Dbpfosgi.conformance.dir}, else {@code ${bpfosgi.shared}/bpf_conformance_data};
 * when it is absent the tests are skipped, not passed.
 */
class ConformanceTest {

    static Path corpus() {
        String dir = System.getProperty("bpfosgi.conformance.dir");
        if (dir == null) {
            String shared = System.getProperty("bpfosgi.shared");
            if (shared == null) return null;
            dir = shared + "/bpf_conformance_data";
        }
        return Path.of(dir);
    }

    /** The corpus files, or null when the folder is absent. */
    private static List<Path> files(String sub) throws IOException {
        Path root = corpus();
        Path d = root == null ? null : root.resolve(sub);
        if (d == null || !Files.isDirectory(d)) return null;
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".data")).sorted().toList();
        }
    }

    /** One test that is reported as skipped, so that a missing corpus never counts as passing. */
    private static Stream<DynamicTest> skipped(String sub) {
        return Stream.of(dynamicTest("bpf_conformance_data/" + sub + " is absent", () ->
            Assumptions.assumeTrue(false, "bpf_conformance_data/" + sub + " not found (set -Dbpfosgi.conformance.dir or bpfosgi.shared)")));
    }

    @TestFactory
    Stream<DynamicTest> conformance() throws IOException {
        List<Path> files = files("tests");
        if (files == null) return skipped("tests");
        return files.stream().map(p -> dynamicTest(p.getFileName().toString(), () -> {
            ConformanceRunner.Verdict v = ConformanceRunner.run(Files.readString(p, StandardCharsets.UTF_8), p.getFileName().toString());
            assertEquals(ConformanceRunner.Status.PASS, v.status(), v.message());
        }));
    }

    @TestFactory
    Stream<DynamicTest> negatives() throws IOException {
        List<Path> files = files("negative");
        if (files == null) return skipped("negative");
        return files.stream().map(p -> dynamicTest(p.getFileName().toString(), () -> {
            String name = p.getFileName().toString();
            ConformanceRunner.Verdict v = ConformanceRunner.run(Files.readString(p, StandardCharsets.UTF_8), name);
            assertNotEquals(ConformanceRunner.Status.PASS, v.status(), "accepted: " + v.r0());
            assertTrue(v.message().matches("\\Q" + name + "\\E:\\d+:\\d+: .+"), v.message());
        }));
    }
}
