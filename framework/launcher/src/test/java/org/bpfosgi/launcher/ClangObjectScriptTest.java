package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpfosgi.host.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * examples/clang-object.gosh on a real machine (Felix, bpf_testmod as a bundle): a C struct_ops
 * object built by {@code cc} (clang against the machine's own vmlinux.h), loaded, registered,
 * run through its syscall programs, one program loaded again with the level-2 verifier log.
 * Without clang the script uses the prebuilt object: that run is the golden one (it is the same
 * on every machine); with clang, the compiled object must give the same output but for the cc line.
 */
class ClangObjectScriptTest {
    private static final Path REPO = Path.of(System.getProperty("bpfosgi.repo", "../.."));
    private static final String CLANG = "bpfosgi.clang";

    @AfterEach
    void restoreClang() {
        System.clearProperty(CLANG);
    }

    private static String run() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (Host host = Host.start(Host.Config.defaults(ModuleLifecycleIntegrationTest.BUNDLES))) {
            List<String> lines = Files.readAllLines(REPO.resolve("examples/clang-object.gosh")).stream()
                    .map(l -> l.replace("examples/", REPO.resolve("examples") + "/")).toList();
            Main.runLines(host, lines, ps, ps);
        }
        return ScriptGoldenTest.mask(buf.toString(StandardCharsets.UTF_8).replace(REPO.resolve("examples") + "/", "examples/"))
                // BTF ids of the machine's vmlinux (real or built-in) and of bpf_testmod's split BTF
                .replaceAll("btf_id \\d+", "btf_id ID");
    }

    private static String golden() throws IOException {
        try (InputStream in = ClangObjectScriptTest.class.getResourceAsStream("clang-object.golden")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void withThePrebuiltObject() throws Exception {
        System.setProperty(CLANG, "/nonexistent/clang");
        String out = run();
        assertTrue(out.contains("cc: clang is not installed: examples/clang-object/build/st_ops.o is the prebuilt "
                + "examples/clang-object/st_ops.o\n"), out);
        assertEquals(golden(), out);
    }

    @Test
    void withClang() throws Exception {
        assumeTrue(hasClang(), "clang not installed");
        String out = run();
        String cc = "cc: examples/clang-object/st_ops.c -> examples/clang-object/build/st_ops.o (";
        assertTrue(out.contains(cc), out);
        assertEquals(golden().replaceAll("(?m)^cc: clang is not installed: .*$", "CC"),
                out.replaceAll("(?m)^cc: examples/clang-object/st_ops.c -> .*$", "CC"));
    }

    private static boolean hasClang() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "clang"))) {
                return true;
            }
        }
        return false;
    }
}
