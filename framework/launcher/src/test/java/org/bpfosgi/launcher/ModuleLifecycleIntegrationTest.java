package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.bpfosgi.host.Host;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleNotifier;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boots a real embedded Felix with SCR, Gogo and the three subsystem bundles. */
class ModuleLifecycleIntegrationTest {
    static final Path BUNDLES = Path.of(System.getProperty("bpfosgi.bundles", "target/bundles"));

    @TempDir
    Path tmp;
    private Host host;

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    private Host boot(Optional<Path> deploy) throws Exception {
        host = Host.start(new Host.Config(BUNDLES, false, deploy, List.of("bpf_testmod"), List.of()));
        return host;
    }

    /** Runs a command line; returns "status\nstdout+stderr". */
    private Result run(String line) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status = host.execute(line, ps, ps);
        return new Result(status, buf.toString(StandardCharsets.UTF_8));
    }

    record Result(int status, String out) {
    }

    private Module testmod() {
        return host.kernel().modules().find("bpf_testmod").orElseThrow();
    }

    @Test
    void bootListsTestmodAndAllThreeSubsystems() throws Exception {
        boot(Optional.empty());
        Result lsmod = run("lsmod");
        assertEquals(0, lsmod.status());
        List<String> lines = lsmod.out().lines().toList();
        assertEquals("Module                  Size  Used by", lines.get(0));
        assertEquals(2, lines.size(), "only loadable modules are listed: " + lines);
        assertTrue(lines.get(1).matches("bpf_testmod {8} *\\d+  0"), lines.get(1));
        Result subs = run("subsystems");
        assertTrue(subs.out().contains("bpf_qdisc      builtin  live     8      Qdisc_ops"), subs.out());
        assertTrue(subs.out().contains("bpf_tcp_ca     builtin  live     5      tcp_congestion_ops"), subs.out());
        assertTrue(subs.out().contains("bpf_testmod    module   live     4      bpf_testmod_st_ops"), subs.out());
    }

    @Test
    void rmmodAndInsmodRoundTrip() throws Exception {
        boot(Optional.empty());
        assertEquals(0, run("rmmod bpf_testmod").status());
        assertEquals("Module                  Size  Used by\n", run("lsmod").out());
        Result again = run("rmmod bpf_testmod");
        assertEquals(1, again.status());
        assertTrue(again.out().startsWith("rmmod: ERROR: Module bpf_testmod is not currently loaded\n"), again.out());
        Result builtin = run("rmmod bpf_qdisc");
        assertEquals(1, builtin.status());
        assertTrue(builtin.out().startsWith("rmmod: ERROR: Module bpf_qdisc is builtin.\n"), builtin.out());
        Path jar = BUNDLES.resolve("testmod-bundle.jar");
        assertEquals(0, run("insmod " + jar).status());
        assertTrue(run("lsmod").out().contains("bpf_testmod"));
        // the whole bundle is gone after rmmod: nothing left installed
        long before = host.context().getBundles().length;
        assertEquals(0, run("rmmod bpf_testmod").status());
        assertEquals(before - 1, host.context().getBundles().length);
    }

    @Test
    void rmmodRefusedWhileAHolderExistsAndAllowedAfterRelease() throws Exception {
        boot(Optional.empty());
        Module m = testmod();
        assertTrue(host.kernel().modules().tryModuleGet(m, "prog 7 kfunc_btf_tab[1]"));
        Result r = run("rmmod bpf_testmod");
        assertEquals(1, r.status());
        assertTrue(r.out().startsWith("rmmod: ERROR: Module bpf_testmod is in use\n"), r.out());
        assertTrue(r.out().contains("-EAGAIN") || r.out().contains("-EWOULDBLOCK"), r.out());
        assertTrue(r.out().contains("prog 7 kfunc_btf_tab[1]"), r.out());
        // kmod's "%-19s %8lu  %d": the module's size (its jar's) sets how many spaces follow the name
        assertTrue(run("lsmod").out().lines().anyMatch(l -> l.matches("bpf_testmod +\\d+  1")), run("lsmod").out());
        assertTrue(run("modinfo bpf_testmod").out().contains("holder:         prog 7 kfunc_btf_tab[1]"));
        host.kernel().modules().modulePut(m, "prog 7 kfunc_btf_tab[1]");
        assertEquals(0, run("rmmod bpf_testmod").status());
        assertTrue(host.kernel().modules().taints().isEmpty());
    }

    @Test
    void usedByThroughPackageWiring() throws Exception {
        boot(Optional.empty());
        Path user = tmp.resolve("testmod_user.jar");
        writeBundle(user, "org.bpfosgi.test.user", "bpf_testmod_user", "org.bpfosgi.testmod.symbols;version=\"[1.0,2)\"");
        Result ins = run("insmod " + user);
        assertEquals(0, ins.status(), ins.out());
        String lsmod = run("lsmod").out();
        assertTrue(lsmod.lines().anyMatch(l -> l.startsWith("bpf_testmod ") && l.endsWith("  1 bpf_testmod_user")), lsmod);
        Result r = run("rmmod bpf_testmod");
        assertEquals(1, r.status());
        assertTrue(r.out().startsWith("rmmod: ERROR: Module bpf_testmod is in use by: bpf_testmod_user\n"), r.out());
        // even forced: the kernel refuses while another module depends on it
        assertEquals(1, run("rmmod -f bpf_testmod").status());
        assertEquals(0, run("rmmod bpf_testmod_user").status());
        assertEquals(0, run("rmmod bpf_testmod").status());
    }

    @Test
    void aJarThatIsNotASubsystemIsRefusedAndLeavesNothingInstalled() throws Exception {
        boot(Optional.empty());
        long before = host.context().getBundles().length;
        Path plain = tmp.resolve("plain.jar");
        writeBundle(plain, "org.bpfosgi.test.plain", null, null);
        Result r = run("insmod " + plain);
        assertEquals(1, r.status());
        assertTrue(r.out().startsWith("insmod: ERROR: could not insert module " + plain + ": Invalid module format"), r.out());
        Path unresolvable = tmp.resolve("unres.jar");
        writeBundle(unresolvable, "org.bpfosgi.test.unres", "needs_missing", "org.nowhere;version=\"1.0\"");
        r = run("insmod " + unresolvable);
        assertEquals(1, r.status());
        assertTrue(r.out().contains("Unknown symbol in module"), r.out());
        assertEquals(before, host.context().getBundles().length);
        assertTrue(host.kernel().modules().find("needs_missing").isEmpty());
    }

    @Test
    void gogoStopOfASubsystemBundleIsAForcedUnload() throws Exception {
        boot(Optional.empty());
        Module m = testmod();
        assertTrue(host.kernel().modules().tryModuleGet(m, "struct_ops map 3"));
        long id = host.extender().subsystem("bpf_testmod").orElseThrow().bundle().getBundleId();
        Result stop = run("stop " + id);
        assertEquals(0, stop.status(), stop.out());
        assertTrue(m.isFreed());
        assertTrue(host.kernel().modules().taints().contains('R'));
        assertTrue(host.kernel().dmesg().stream().anyMatch(l -> l.contains("Forced unload of bpf_testmod")
                && l.contains("struct_ops map 3")), host.kernel().dmesg().toString());
        assertFalse(run("lsmod").out().contains("bpf_testmod"));
        // the dangling holder's later put is caught as a use after free
        host.kernel().modules().modulePut(m, "struct_ops map 3");
        assertFalse(m.useAfterFreeReports().isEmpty());
    }

    @Test
    void aProgramPinsTheModuleAndAForcedUnloadLeavesItDangling() throws Exception {
        boot(Optional.empty());
        Path prog = tmp.resolve("test_prologue.s");
        try (var in = Main.class.getResourceAsStream("test_prologue.s")) {
            Files.write(prog, in.readAllBytes());
        }
        Result load = run("prog load " + prog);
        assertEquals(0, load.status(), load.out());
        assertEquals("1\n", load.out());
        assertEquals(Map.of("prog 1 (test_prologue) kfunc_btf_tab off 1", 1), testmod().holders());
        Module m = testmod();
        Result forced = run("rmmod -f bpf_testmod");
        assertEquals(0, forced.status(), forced.out());
        assertTrue(forced.out().contains("left references dangling: prog 1 (test_prologue) kfunc_btf_tab off 1"), forced.out());
        assertTrue(host.kernel().modules().taints().contains('R'));
        // the program still holds its (now dangling) reference; freeing it is a use after free
        assertEquals(0, run("prog free id 1").status());
        assertEquals(1, m.useAfterFreeReports().size(), m.useAfterFreeReports().toString());
        assertTrue(host.kernel().dmesg().stream().anyMatch(l -> l.startsWith("BUG: module_put(bpf_testmod)")));
        // a new load finds no bpf_testmod_st_ops to attach to, and takes nothing
        Result again = run("prog load " + prog);
        assertEquals(1, again.status(), again.out());
        assertTrue(run("prog show").out().isEmpty());
    }

    @Test
    void dropInJarIsInsmodAndItsRemovalIsRmmodRetriedWhileRefused() throws Exception {
        Path deploy = tmp.resolve("deploy");
        host = Host.start(new Host.Config(BUNDLES, false, Optional.of(deploy), List.of(), List.of()));
        ModuleTable modules = host.kernel().modules();
        // delete_module's named points: each attempt that reaches the refcount check, and a free
        Semaphore attempts = new Semaphore(0);
        CountDownLatch freed = new CountDownLatch(1);
        modules.setPointHook(point -> {
            if (point.equals("delete_module:before_refcount_check")) {
                attempts.release();
            } else if (point.equals("delete_module:freed")) {
                freed.countDown();
            }
        });
        Path dropped = deploy.resolve("bpf_testmod.jar");
        Files.copy(BUNDLES.resolve("testmod-bundle.jar"), dropped);
        // FileInstall's thread runs the drop-in's install to its end before it can see a removal
        awaitLive("bpf_testmod");
        Module m = testmod();
        assertTrue(modules.tryModuleGet(m, "prog 1 kfunc_btf_tab[1]"));
        Files.delete(dropped);
        // the rmmod for the removal and two of its retries, each refused while the reference is held
        assertTrue(attempts.tryAcquire(3, 20, TimeUnit.SECONDS), "three rmmod attempts");
        assertTrue(host.kernel().dmesg().stream().anyMatch(l -> l.contains("removal is retried")), host.kernel().dmesg().toString());
        assertTrue(modules.find("bpf_testmod").isPresent(), "never a silent forced unload");
        assertEquals(1, freed.getCount(), "not freed while held");
        assertTrue(modules.taints().isEmpty());
        modules.modulePut(m, "prog 1 kfunc_btf_tab[1]");
        assertTrue(freed.await(20, TimeUnit.SECONDS), "the retried rmmod succeeds once the reference is put");
        assertTrue(modules.find("bpf_testmod").isEmpty());
        assertTrue(modules.taints().isEmpty());
        modules.setPointHook(null);
    }

    @Test
    void aJarAlreadyInTheDropInFolderLoadsAfterTheBuiltins() throws Exception {
        Path deploy = tmp.resolve("deploy");
        Files.createDirectories(deploy);
        Files.copy(BUNDLES.resolve("testmod-bundle.jar"), deploy.resolve("bpf_testmod.jar"));
        host = Host.start(new Host.Config(BUNDLES, false, Optional.of(deploy), List.of(), List.of()));
        awaitLive("bpf_testmod");
        // built-in BTF was folded into vmlinux before the module's split BTF was registered
        assertFalse(host.kernel().dmesg().stream().anyMatch(l -> l.contains("rejected")), host.kernel().dmesg().toString());
        assertTrue(run("subsystems").out().contains("bpf_qdisc      builtin  live     8"), run("subsystems").out());
        assertTrue(run("btf list").out().contains("name [bpf_testmod]"));
    }

    /**
     * Waits for the module to be LIVE (the drop-in folder loads it on FileInstall's thread): a
     * module notifier (register_module_notifier) is told, no polling. A module already LIVE
     * when the notifier is registered counts too (the state is set before the notifier runs).
     */
    private void awaitLive(String name) throws InterruptedException {
        CountDownLatch live = new CountDownLatch(1);
        ModuleNotifier n = (mod, event) -> {
            if (mod.name().equals(name) && event == ModuleState.LIVE) {
                live.countDown();
            }
        };
        ModuleTable modules = host.kernel().modules();
        modules.registerNotifier(n);
        try {
            if (modules.find(name).filter(mod -> mod.state() == ModuleState.LIVE).isEmpty()) {
                assertTrue(live.await(20, TimeUnit.SECONDS), name + " did not become LIVE");
            }
        } finally {
            modules.unregisterNotifier(n);
        }
    }

    private static void writeBundle(Path jar, String bsn, String module, String imports) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.0.0");
        if (module != null) {
            a.putValue("Bpf-Module", module);
            a.putValue("Bpf-Builtin", "false");
        }
        if (imports != null) {
            a.putValue("Import-Package", imports);
        }
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(os, mf)) {
            jos.flush();
        }
    }
}
