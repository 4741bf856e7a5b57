package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.bpfosgi.host.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken subsystem jars (issue: a dropped jar force-unloading a live module,
 * half-loaded modules from broken component XML, a module_init exception's stack trace, a second
 * module named like an existing one). Each must be refused cleanly and leave the machine as it
 * was: no module, bundle or BTF left behind, no taint, no Java stack trace on the terminal.
 */
class HostileJarIntegrationTest {
    static final Path TESTMOD = ModuleLifecycleIntegrationTest.BUNDLES.resolve("testmod-bundle.jar");

    @TempDir
    Path tmp;
    private Host host;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.close();
        }
        if (savedErr != null) {
            System.setErr(savedErr);
        }
        assertFalse(stderr.toString(StandardCharsets.UTF_8).contains("\tat "), "no stack trace: " + stderr);
    }

    private void boot(Optional<Path> deploy, List<String> load) throws Exception {
        savedErr = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, deploy, load, List.of()));
    }

    record Result(int status, String out) {
    }

    private Result run(String line) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status = host.execute(line, ps, ps);
        return new Result(status, buf.toString(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ critical 1

    @Test
    void aDroppedJarWithTheSameBundleIdentityIsRefusedAndTheLoadedModuleIsUntouched() throws Exception {
        Path deploy = tmp.resolve("deploy");
        boot(Optional.of(deploy), List.of());
        Files.copy(TESTMOD, deploy.resolve("bpf_testmod.jar"));
        waitFor(() -> host.kernel().modules().find("bpf_testmod").isPresent(), "drop-in insmod");
        int bundles = host.context().getBundles().length;
        Path variant = tmp.resolve("variant.jar");
        rewrite(TESTMOD, variant, Map.of("Bpf-Module", ""), Map.of());
        Files.copy(variant, deploy.resolve("variant.jar"));
        waitFor(() -> host.kernel().dmesg().stream().anyMatch(l -> l.contains("variant.jar")), "the variant refused");
        assertTrue(host.kernel().dmesg().stream().anyMatch(l -> l.contains("variant.jar")
                && l.contains("Invalid module format")), host.kernel().dmesg().toString());
        assertTrue(host.kernel().modules().find("bpf_testmod").isPresent(), "the live module is untouched");
        assertTrue(host.kernel().modules().taints().isEmpty(), "no forced unload");
        assertFalse(host.kernel().dmesg().stream().anyMatch(l -> l.contains("Forced unload")));
        assertEquals(bundles, host.context().getBundles().length, "the variant was not installed as a plain bundle");
        assertEquals(0, run("prog load " + example("test_prologue.s")).status(), "the module still works");
    }

    // ------------------------------------------------------------------ critical 3

    @Test
    void aComponentNamingAMissingClassFailsTheLoadAndLeavesNothing() throws Exception {
        checkRefusedLikeAFailedInit(Map.of(), Map.of("OSGI-INF/org.bpfosgi.subsystem.testmod.BpfTestmod.xml",
                component("org.bpfosgi.subsystem.testmod.NoSuchClass", "init").getBytes(StandardCharsets.UTF_8)),
                "Invalid module format");
    }

    @Test
    void aComponentNamingAMissingActivateMethodFailsTheLoadAndLeavesNothing() throws Exception {
        checkRefusedLikeAFailedInit(Map.of(), Map.of("OSGI-INF/org.bpfosgi.subsystem.testmod.BpfTestmod.xml",
                component("org.bpfosgi.subsystem.testmod.BpfTestmod", "noSuchInit").getBytes(StandardCharsets.UTF_8)),
                "Invalid module format");
    }

    // ------------------------------------------------------------------ major 4

    @Test
    void aModuleInitThatThrowsIsReportedInTheKernelsWordsWithoutAStackTrace() throws Exception {
        Path jar = opsBundle("throw new IllegalStateException(\"boom from module_init\");");
        boot(Optional.empty(), List.of());
        int bundles = host.context().getBundles().length;
        int btfs = host.kernel().btf().list().size();
        Result r = run("insmod " + jar);
        assertEquals(1, r.status(), r.out());
        assertEquals("insmod: ERROR: could not insert module " + jar + ": Invalid parameters\n", r.out().lines()
                .findFirst().orElse("") + "\n", r.out());
        assertFalse(r.out().contains("java."), r.out());
        assertFalse(r.out().contains("Exception"), r.out());
        assertTrue(host.kernel().dmesg().stream().anyMatch(l -> l.contains("boom from module_init")),
                host.kernel().dmesg().toString());
        assertTrue(host.kernel().modules().find("hostile_ops").isEmpty());
        assertEquals(bundles, host.context().getBundles().length);
        assertEquals(btfs, host.kernel().btf().list().size());
        assertFalse(run("subsystems").out().contains("hostile_ops"));
    }

    // ------------------------------------------------------------------ major 10

    @Test
    void aSecondModuleCannotTakeAnInvalidOrReservedName() throws Exception {
        boot(Optional.empty(), List.of());
        for (String name : List.of("vmlinux", "a b/../c$x", "x".repeat(56), "bpf-qdisc")) {
            Path jar = tmp.resolve("named.jar");
            rewrite(TESTMOD, jar, Map.of("Bpf-Module", name, "Bundle-SymbolicName", "named"), Map.of());
            Result r = run("insmod " + jar);
            assertEquals(1, r.status(), name + ": " + r.out());
            assertTrue(r.out().contains("Invalid module format") || r.out().contains("File exists"), name + ": " + r.out());
            assertEquals(1, host.kernel().btf().list().size(), "only vmlinux BTF: " + run("btf list").out());
        }
    }

    @Test
    void aSecondModuleWithTheSameStructOpsTypeLeavesTheFirstOneInCharge() throws Exception {
        boot(Optional.empty(), List.of("bpf_testmod"));
        Path copy = tmp.resolve("bpf_testmod2.jar");
        rewrite(TESTMOD, copy, Map.of("Bpf-Module", "bpf_testmod2", "Bundle-SymbolicName", "copy.testmod2"), Map.of());
        // the kernel allows it: btf_add_struct_ops refuses only the same st_ops twice in one BTF
        Result ins = run("insmod " + copy);
        assertEquals(0, ins.status(), ins.out());
        // libbpf takes the first BTF that has the type (find_struct_ops_kern_types): bpf_testmod's
        Result load = run("prog load " + example("test_prologue.s"));
        assertEquals(0, load.status(), load.out());
        assertEquals(0, run("rmmod bpf_testmod2").status(), "the copy holds no reference");
        Result busy = run("rmmod bpf_testmod");
        assertEquals(1, busy.status(), busy.out());
        assertTrue(busy.out().contains("is in use"), busy.out());
    }

    // ------------------------------------------------------------------ helpers

    private void checkRefusedLikeAFailedInit(Map<String, String> manifest, Map<String, byte[]> entries, String strerror)
            throws Exception {
        Path jar = tmp.resolve("broken.jar");
        rewrite(TESTMOD, jar, manifest, entries);
        boot(Optional.empty(), List.of());
        int bundles = host.context().getBundles().length;
        int btfs = host.kernel().btf().list().size();
        Result r = run("insmod " + jar);
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().startsWith("insmod: ERROR: could not insert module " + jar + ": " + strerror), r.out());
        assertFalse(r.out().contains("java."), r.out());
        assertTrue(host.kernel().modules().find("bpf_testmod").isEmpty(), run("lsmod").out());
        assertEquals(bundles, host.context().getBundles().length, "the bundle was uninstalled");
        assertEquals(btfs, host.kernel().btf().list().size(), "its module BTF was unregistered");
        assertFalse(run("subsystems").out().contains("bpf_testmod"));
        // and the real module loads afterwards: nothing of the broken one is left in the way
        Result ok = run("insmod " + TESTMOD);
        assertEquals(0, ok.status(), ok.out());
        assertEquals(0, run("prog load " + example("test_prologue.s")).status());
    }

    static String component(String cls, String activate) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"c\" immediate=\"true\""
                + " activate=\"" + activate + "\" deactivate=\"exit\">\n"
                + "  <service><provide interface=\"org.bpfosgi.subsystem.BpfSubsystem\"/></service>\n"
                + "  <implementation class=\"" + cls + "\"/>\n</scr:component>\n";
    }

    private static Path example(String name) {
        return Path.of("../../examples").resolve(name).toAbsolutePath().normalize();
    }

    /** Copies a jar, setting manifest attributes (an empty value removes one) and replacing entries. */
    static void rewrite(Path from, Path to, Map<String, String> manifest, Map<String, byte[]> entries) throws IOException {
        try (JarFile in = new JarFile(from.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            manifest.forEach((k, v) -> {
                if (v.isEmpty()) {
                    mf.getMainAttributes().remove(new Attributes.Name(k));
                } else {
                    mf.getMainAttributes().putValue(k, v);
                }
            });
            Map<String, byte[]> all = new LinkedHashMap<>();
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                if (!e.isDirectory() && !e.getName().equals(JarFile.MANIFEST_NAME)) {
                    all.put(e.getName(), in.getInputStream(e).readAllBytes());
                }
            }
            all.putAll(entries);
            Path tmpJar = to.resolveSibling(to.getFileName() + ".part");
            try (OutputStream os = Files.newOutputStream(tmpJar); JarOutputStream jos = new JarOutputStream(os, mf)) {
                for (var e : all.entrySet()) {
                    jos.putNextEntry(new JarEntry(e.getKey()));
                    jos.write(e.getValue());
                    jos.closeEntry();
                }
            }
            Files.move(tmpJar, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A subsystem whose component provides BpfSubsystem (no struct_ops type) and whose activate runs initBody. */
    private Path opsBundle(String initBody) throws IOException, URISyntaxException {
        return SubsystemTestJar.build(tmp, "hostile_ops", "org.bpfosgi.test.hostileops", "org.bpfosgi.subsystem", "h.Ops",
                "package h;\npublic class Ops implements org.bpfosgi.subsystem.BpfSubsystem {\n"
                        + "  public java.util.List<org.bpfosgi.subsystem.StructOps> structOps() { return java.util.List.of(); }\n"
                        + "  void init() { " + initBody + " }\n  void exit() { }\n}\n",
                "struct hostile_ops { int (*f)(int a); };\n", component("h.Ops", "init"));
    }

    static void waitFor(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
