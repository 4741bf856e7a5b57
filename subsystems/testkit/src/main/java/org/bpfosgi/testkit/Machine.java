package org.bpfosgi.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.bpfosgi.host.Host;
import org.bpfosgi.module.ModuleNotifier;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;

/**
 * One modelled machine for a test: embedded Felix with SCR and Gogo, the built-in subsystems
 * (bpf_qdisc, bpf_tcp_ca), and the loadable modules asked for. The runtime bundles ship inside
 * the kit, so a subsystem author's build needs nothing but this dependency.
 *
 * <pre>{@code
 * try (Machine m = Machine.builder().load().boot()) {
 *     assertEquals(0, m.insmod(myBundleJar).status());
 *     assertTrue(m.run("lsmod").out().contains("my_module"));
 * }
 * }</pre>
 */
public final class Machine implements AutoCloseable {
    /** The subsystem bundles shipped in the kit, besides Felix's runtime bundles. */
    static final List<String> SUBSYSTEMS = List.of("qdisc-bundle.jar", "tcpcc-bundle.jar", "testmod-bundle.jar");

    /** What a command printed (stdout and stderr, interleaved) and its exit status (0 or 1). */
    public record Result(int status, String out) {
        public boolean ok() {
            return status == 0;
        }
    }

    private final Host host;
    private final Path bundles;

    private Machine(Host host, Path bundles) {
        this.host = host;
        this.bundles = bundles;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Boots with the defaults: bpf_testmod loaded, as the launcher does. */
    public static Machine boot() {
        return builder().boot();
    }

    /** How to boot a machine. */
    public static final class Builder {
        private final List<String> load = new ArrayList<>(List.of("bpf_testmod"));
        private final List<String> modular = new ArrayList<>();
        private Optional<Path> deploy = Optional.empty();

        /** The loadable modules to insmod at boot (none if empty). */
        public Builder load(String... modules) {
            load.clear();
            load.addAll(List.of(modules));
            return this;
        }

        /** Loads a built-in subsystem as a module instead. */
        public Builder modular(String module) {
            modular.add(module);
            return this;
        }

        /** Watches a drop-in folder with FileInstall. */
        public Builder deploy(Path dir) {
            deploy = Optional.of(dir);
            return this;
        }

        public Machine boot() {
            Path dir = extractBundles();
            try {
                return new Machine(Host.start(new Host.Config(dir, false, deploy, load, modular)), dir);
            } catch (RuntimeException e) {
                deleteTree(dir);
                throw e;
            } catch (Exception e) {
                deleteTree(dir);
                throw new IllegalStateException("machine did not boot: " + e.getMessage(), e);
            }
        }
    }

    /** Runs one command line as the shell would. */
    public Result run(String line) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status = host.execute(line, ps, ps);
        return new Result(status, buf.toString(StandardCharsets.UTF_8));
    }

    public Result insmod(Path jar) {
        return run("insmod \"" + jar.toAbsolutePath() + "\"");
    }

    /**
     * {@code prog load FILE} at log level 1, with a typed result (the command's printed form is
     * {@code run("prog load FILE")}).
     */
    public LoadResult load(Path programFile) {
        try {
            return ProgLoads.load(host.kernel().bpf(), Files.readString(programFile, StandardCharsets.UTF_8),
                    programFile.toString(), 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result rmmod(String name) {
        return run("rmmod " + name);
    }

    /** The module as lsmod/modinfo show it; empty when it is not loaded. */
    public Optional<ModuleView> module(String name) {
        return host.kernel().modules().find(name).map(m -> new ModuleView(m.name(), m.state().procName(),
                m.refcount(), m.holders(), m.usedBy()));
    }

    /**
     * Waits until module {@code name} is LIVE (for example after its jar was dropped into the
     * deploy folder): woken by the module notifier's LIVE event, not by polling. Returns the
     * module, or throws {@link java.util.concurrent.TimeoutException} when it did not come up in
     * time.
     */
    public ModuleView awaitModule(String name, Duration timeout) throws InterruptedException, TimeoutException {
        CountDownLatch live = new CountDownLatch(1);
        ModuleNotifier notifier = (mod, event) -> {
            if (mod.name().equals(name) && event == ModuleState.LIVE) {
                live.countDown();
            }
        };
        ModuleTable modules = host.kernel().modules();
        modules.registerNotifier(notifier);
        try {
            if (modules.find(name).filter(m -> m.state() == ModuleState.LIVE).isEmpty()
                    && !live.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("module " + name + " is not live after " + timeout);
            }
        } finally {
            modules.unregisterNotifier(notifier);
        }
        return module(name).orElseThrow(() -> new TimeoutException("module " + name + " went away again"));
    }

    /** The kernel log so far ({@code dmesg}). */
    public List<String> dmesg() {
        return host.kernel().dmesg();
    }

    /** The jar of a subsystem shipped in the kit, e.g. {@code bpf_testmod}. */
    public Path subsystemJar(String module) {
        return host.subsystemJar(module).orElseThrow(() -> new IllegalArgumentException("no subsystem " + module));
    }

    @Override
    public void close() {
        try {
            host.close();
        } finally {
            deleteTree(bundles);
        }
    }

    private static Path extractBundles() {
        try {
            Path dir = Files.createTempDirectory("bpf-osgi-testkit-");
            List<String> names = new ArrayList<>(Host.RUNTIME);
            names.add(Host.SHELL);
            names.add(Host.FILEINSTALL);
            names.addAll(SUBSYSTEMS);
            for (String n : names) {
                try (InputStream in = Machine.class.getResourceAsStream("bundles/" + n)) {
                    if (in == null) {
                        throw new IllegalStateException("the test kit jar lacks bundles/" + n);
                    }
                    Files.copy(in, dir.resolve(n), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(x -> x.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp folder is harmless
        }
    }
}
