package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.bpfosgi.subsystem.KfuncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The object scripts of examples/ on a real machine (Felix, bpf_testmod as a bundle):
 * {@code struct-ops-map.gosh} (maps pin the module, one registration at a time, a tail call),
 * {@code tcp-cc.gosh} (the Reno-like object on the built-in bpf_tcp_ca) and
 * {@code pro-epilogue.gosh} (the selftest's three return values under the upstream and the seed
 * kfunc policy).
 */
class ObjScriptGoldenTest {
    private static final Path REPO = Path.of(System.getProperty("bpfosgi.repo", "../.."));

    private static String run(List<String> script) throws Exception {
        return run(script, KfuncPolicy.SEED);
    }

    /** Runs the script on a fresh machine whose kfunc policy is {@code policy} (--kfunc-policy). */
    private static String run(List<String> script, KfuncPolicy policy) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (Host host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, Optional.empty(),
                List.of("bpf_testmod"), List.of()))) {
            host.kernel().bpf().progs().setDefaultKfuncPolicy(policy);
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

    /**
     * tcp-cc.gosh: examples/tcp-cc/reno.bpf loaded on the built-in bpf_tcp_ca, registered through
     * its link, shown (struct_ops, link, map, the built-in's modinfo), refused a map delete
     * (BPF_F_LINK: -EOPNOTSUPP) and unregistered by the object's unload.
     */
    @Test
    void tcpCcScript() throws Exception {
        assertEquals(golden("tcp-cc.golden"), run(Files.readAllLines(REPO.resolve("examples/tcp-cc.gosh"))));
    }

    /** pro-epilogue.gosh under each policy: upstream gives 1011/20022/22022, seed 1121/20242/22462. */
    @ParameterizedTest
    @EnumSource(value = KfuncPolicy.class, names = {"UPSTREAM", "SEED"})
    void proEpilogueScript(KfuncPolicy policy) throws Exception {
        assertEquals(golden("pro-epilogue-" + policy.cliName() + ".golden"),
                run(Files.readAllLines(REPO.resolve("examples/pro-epilogue.gosh")), policy));
    }
}
