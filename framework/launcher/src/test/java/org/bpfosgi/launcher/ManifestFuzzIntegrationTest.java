package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import org.bpfosgi.host.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing that stays, for bundle manifests (and the entries they name): mutated copies of the
 * testmod bundle are insmod'ed into one running machine. The property: insmod answers 0 or 1 in
 * kmod's words with no Java type or trace; a module that loaded unloads with rmmod; and after
 * each attempt nothing is left: no module, no extra bundle, no extra BTF object, no taint.
 *
 * <p>Short by default; {@code -Dbpfosgi.fuzz.iterations=N -Dbpfosgi.fuzz.seed=S} for a long run.
 */
class ManifestFuzzIntegrationTest {
    static final int ITERATIONS = Integer.getInteger("bpfosgi.fuzz.iterations", 300) / 6;
    static final long SEED = Long.getLong("bpfosgi.fuzz.seed", 0x5eedL);
    static final Pattern JAVA = Pattern.compile("\\w+(Exception|Error)\\b|\\bjava\\.|\\tat ");
    static final String COMPONENT = "OSGI-INF/org.bpfosgi.subsystem.testmod.BpfTestmod.xml";

    @TempDir
    Path tmp;
    private Host host;

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    private String run(String line, int[] status) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        status[0] = host.execute(line, ps, ps);
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static final String[] VALUES = {"", " ", "bpf_testmod", "bpf_testmod2", "vmlinux", "bpf_qdisc", "a b", "x;y",
        "true", "false", "TRUE", "bpf/bpf_testmod.h", "bpf/", "../../etc/passwd", "bpf/missing.h", "META-INF/MANIFEST.MF",
        "org.bpfosgi.subsystem", "org.bpfosgi.subsystem;version=\"[9,10)\"", "no.such.pkg", ",,,", "\"", "1", "2", "3",
        "org.bpfosgi.subsystem.testmod", "0.0.0", "999999999999999999", "x".repeat(300), COMPONENT, "OSGI-INF/none.xml",
        "OSGI-INF/*.xml", "bpf/bpf_testmod.h,bpf/bpf_testmod.h"};
    private static final String[] HEADERS = {"Bpf-Module", "Bpf-Builtin", "Bpf-Btf", "Bundle-SymbolicName", "Bundle-Version",
        "Bundle-ManifestVersion", "Import-Package", "Export-Package", "Service-Component", "Require-Capability",
        "Provide-Capability", "Fragment-Host", "Bundle-RequiredExecutionEnvironment", "DynamicImport-Package"};
    private static final String[] BODIES = {"", "struct { int", "struct bpf_testmod_st_ops { int x; };",
        "\u00ff\u00fe garbage", "BTF_ID(func, nothing)", "<?xml version=\"1.0\"?><scr:component/>",
        "<not xml", HostileJarIntegrationTest.component("org.bpfosgi.subsystem.testmod.BpfTestmod", "nope")};

    @Test
    void mutatedManifestsAreRefusedCleanlyOrLoadAndUnload() throws Exception {
        host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, Optional.empty(), List.of(), List.of()));
        int bundles = host.context().getBundles().length;
        int btfs = host.kernel().btf().list().size();
        Random rnd = new Random(SEED);
        int loaded = 0;
        int[] st = new int[1];
        for (int i = 0; i < ITERATIONS; i++) {
            Map<String, String> mf = new HashMap<>();
            Map<String, byte[]> entries = new HashMap<>();
            int n = 1 + rnd.nextInt(3);
            for (int k = 0; k < n; k++) {
                mf.put(HEADERS[rnd.nextInt(HEADERS.length)], VALUES[rnd.nextInt(VALUES.length)]);
            }
            if (rnd.nextInt(3) == 0) {
                String target = rnd.nextBoolean() ? "bpf/bpf_testmod.h" : COMPONENT;
                entries.put(target, BODIES[rnd.nextInt(BODIES.length)].getBytes(StandardCharsets.UTF_8));
            }
            Path jar = tmp.resolve("m" + i + ".jar");
            HostileJarIntegrationTest.rewrite(HostileJarIntegrationTest.TESTMOD, jar, mf, entries);
            String what = "seed " + SEED + " #" + i + " manifest " + mf + " entries " + entries.keySet();
            String out = run("insmod " + jar, st);
            assertTrue(st[0] == 0 || st[0] == 1, what + ": " + out);
            assertFalse(JAVA.matcher(out).find(), what + ": " + out);
            if (st[0] == 0) {
                loaded++;
                String name;
                try (JarFile jf = new JarFile(jar.toFile())) {
                    name = jf.getManifest().getMainAttributes().getValue("Bpf-Module").trim();
                }
                String rm = run("rmmod " + name, st);
                assertEquals(0, st[0], what + ": rmmod " + name + ": " + rm);
            } else {
                assertTrue(out.startsWith("insmod: ERROR: "), what + ": " + out);
            }
            assertTrue(host.kernel().modules().list().isEmpty(), what + ": " + run("lsmod", st));
            assertEquals(bundles, host.context().getBundles().length, what + ": a bundle was left installed");
            assertEquals(btfs, host.kernel().btf().list().size(), what + ": a BTF object was left");
            assertTrue(host.kernel().modules().taints().isEmpty(), what + ": tainted " + host.kernel().modules().taints());
        }
        assertTrue(loaded > 0 || ITERATIONS < 10, "some mutations keep a loadable module");
    }
}
