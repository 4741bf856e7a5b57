package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.host.Host;
import org.junit.jupiter.api.Test;

/**
 * The object scripts of examples/ on a real machine (Felix, bpf_testmod as a bundle):
 * {@code struct-ops-map.gosh} (maps pin the module, one registration at a time, a tail call)
 * and {@code pro-epilogue.gosh} (the selftest's three return values, which need bpf_testmod's
 * prologue/epilogue generators and the verifier's patching: skipped without them).
 */
class ObjScriptGoldenTest {
    private static final Path REPO = Path.of(System.getProperty("bpfosgi.repo", "../.."));

    private static String run(List<String> script) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (Host host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, Optional.empty(),
                List.of("bpf_testmod"), List.of()))) {
            List<String> lines = script.stream().map(l -> l.replace("examples/", REPO.resolve("examples") + "/")).toList();
            Main.runLines(host, lines, ps, ps);
        }
        return ScriptGoldenTest.mask(buf.toString(StandardCharsets.UTF_8).replace(REPO.resolve("examples") + "/", "examples/"))
                .replaceAll("btf_vmlinux_value_type_id \\d+", "btf_vmlinux_value_type_id ID");
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = ObjScriptGoldenTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void structOpsMapScript() throws Exception {
        assertEquals(golden("struct-ops-map.golden"), run(Files.readAllLines(REPO.resolve("examples/struct-ops-map.gosh"))));
    }

    @Test
    void proEpilogueScript() throws Exception {
        String probe = run(List.of("prog load examples/test_prologue.s", "prog dump xlated id 1"));
        assumeTrue(probe.contains("   0: (79) r6 = *(u64 *)(r1 +0)"),
                "needs bpf_testmod's gen_prologue/gen_epilogue and convert_ctx_accesses' patching (spec §1.4-1.7, §6.4)");
        assertEquals(golden("pro-epilogue.golden"), run(Files.readAllLines(REPO.resolve("examples/pro-epilogue.gosh"))));
    }
}
