package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
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
 * {@code ./bpf-osgi --modular bpf_qdisc --vmlinux builtin run examples/qdisc-modular.gosh}: the
 * three kfunc policies' answers to "must bpf-qdisc be built-in?" — seed pins the module (lsmod
 * count 2, rmmod -EWOULDBLOCK naming both programs), upstream fails with add_kfunc_call()'s
 * "kernel btf_id %u is not a function", emit-call refuses module text unless
 * unsafe-module-calls. The built-in vmlinux BTF makes the split-BTF ids the same on every machine.
 */
class QdiscModularScriptTest {

    @Test
    void qdiscModularScript() throws Exception {
        Path repo = Path.of(System.getProperty("bpfosgi.repo", "../.."));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status;
        try (Host host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, Optional.empty(),
                List.of("bpf_testmod"), List.of("bpf_qdisc"), Optional.of("builtin")))) {
            List<String> lines = Files.readAllLines(repo.resolve("examples/qdisc-modular.gosh")).stream()
                    .map(l -> l.replace("examples/", repo.resolve("examples") + "/")).toList();
            status = Main.runLines(host, lines, ps, ps);
        }
        String actual = ScriptGoldenTest.mask(buf.toString(StandardCharsets.UTF_8)
                .replace(repo.resolve("examples") + "/", "examples/"))
                .replaceAll("(?m)^bpf_qdisc +\\d+(  \\d)", "bpf_qdisc               SIZE$1")
                .replaceAll("call (bpf_qdisc_[a-z_]+)#-?\\d+", "call $1#IMM");
        try (InputStream in = QdiscModularScriptTest.class.getResourceAsStream("qdisc-modular.golden")) {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual);
        }
        assertEquals(1, status, "rmmod and the upstream and emit-call loads were refused");
    }
}
