package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.host.Host;
import org.junit.jupiter.api.Test;

/**
 * {@code ./bpf-osgi run examples/pin-module.gosh} prints exactly the expected sequence: the
 * program loads, pins bpf_testmod (lsmod count 1, a named holder), rmmod is refused with
 * -EWOULDBLOCK, the program is freed, and the module unloads. Bundle sizes and paths vary from
 * build to build and are masked.
 */
class ScriptGoldenTest {

    @Test
    void pinModuleScript() throws Exception {
        assertEquals(1, script("pin-module"), "one rmmod was refused, so the script reports failure");
    }

    /**
     * {@code ./bpf-osgi run examples/kfunc-policies.gosh}: the prog dump xlated output of the
     * seed, upstream (landed, multiple exits, test_kfunc_ variant) and emit-call policies.
     */
    @Test
    void kfuncPoliciesScript() throws Exception {
        assertEquals(1, script("kfunc-policies"), "rmmod and the emit-call load were refused");
    }

    /** Runs examples/NAME.gosh in one boot and compares with NAME.golden; returns the status. */
    private static int script(String name) throws Exception {
        Path repo = Path.of(System.getProperty("bpfosgi.repo", "../.."));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status;
        try (Host host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, Optional.empty(),
                List.of("bpf_testmod"), List.of()))) {
            List<String> lines = java.nio.file.Files.readAllLines(repo.resolve("examples/" + name + ".gosh"));
            lines = lines.stream().map(l -> l.replace("examples/", repo.resolve("examples") + "/")).toList();
            status = Main.runLines(host, lines, ps, ps);
        }
        String actual = mask(buf.toString(StandardCharsets.UTF_8).replace(repo.resolve("examples") + "/", "examples/"));
        assertEquals(golden(name + ".golden"), actual);
        return status;
    }

    static String mask(String s) {
        // the module size is the jar's: its digit count moves the column, so the padding goes too
        return s.replaceAll("(?m)^bpf_testmod +\\d+(  \\d)", "bpf_testmod             SIZE$1")
                .replaceAll("(?m)^(filename: +).*$", "$1JAR")
                .replaceAll("(?m)^(bundle: +)\\d+ ", "$1ID ")
                // BPF_CALL_IMM(addr): the model's kallsyms addresses depend on registration order
                .replaceAll("call kernel-function#-?\\d+", "call kernel-function#IMM")
                .replaceAll("call (bpf_kfunc_[a-z0-9_]+)#-?\\d+", "call $1#IMM");
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = ScriptGoldenTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
