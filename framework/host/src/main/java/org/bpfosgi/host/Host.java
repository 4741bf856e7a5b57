package org.bpfosgi.host;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.apache.felix.framework.Felix;
import org.bpfosgi.cli.BtfCli;
import org.bpfosgi.cli.IsaCli;
import org.bpfosgi.cli.ProgCli;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.kernel.Kernel;
import org.bpfosgi.race.RaceCli;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.util.tracker.ServiceTracker;

/**
 * One modelled machine: an embedded Felix whose system bundle plays vmlinux, with the kernel
 * model beside it in this JVM. Boot order: Felix, SCR (with its OSGi API bundles), Gogo runtime
 * and commands, FileInstall (when a drop-in folder is given; jars it finds wait for the end of
 * boot), then the built-in subsystem bundles (initcalls), then the loadable ones the caller asks
 * for (insmod).
 *
 * <p>The API packages are exported to bundles as system packages, read from the api jar's own
 * {@code Export-Package} header so the list cannot drift from what bnd computed.
 */
public final class Host implements AutoCloseable {
    /** The infrastructure bundles, in start order (file names in the bundles folder, no version). */
    public static final List<String> RUNTIME = List.of(
            "org.osgi.util.function.jar", "org.osgi.util.promise.jar", "org.osgi.service.component.jar",
            "org.apache.felix.scr.jar", "org.apache.felix.gogo.runtime.jar", "org.apache.felix.gogo.command.jar");
    public static final String SHELL = "org.apache.felix.gogo.shell.jar";
    public static final String FILEINSTALL = "org.apache.felix.fileinstall.jar";
    private static final String API_BSN = "org.bpfosgi.api";

    /**
     * How to boot.
     *
     * @param bundlesDir the folder with the runtime and subsystem bundle jars
     * @param shell      start the interactive Gogo shell (reads System.in)
     * @param deployDir  drop-in folder watched by FileInstall, if any
     * @param load       loadable modules to insmod at boot, by module name
     * @param modular    built-in subsystems to load as modules instead
     * @param vmlinux    vmlinux BTF: empty = the real one when readable, else built-in; or
     *                   "builtin", "vmlinux" or a path
     */
    public record Config(Path bundlesDir, boolean shell, Optional<Path> deployDir, List<String> load,
                         List<String> modular, Optional<String> vmlinux) {
        public Config(Path bundlesDir, boolean shell, Optional<Path> deployDir, List<String> load, List<String> modular) {
            this(bundlesDir, shell, deployDir, load, modular, Optional.empty());
        }

        public static Config defaults(Path bundlesDir) {
            return new Config(bundlesDir, false, Optional.empty(), List.of("bpf_testmod"), List.of());
        }
    }

    private final Config config;
    private final Path storage;
    private final Thread cleanup;
    private final Felix felix;
    /**
     * The kernel model boots beside Felix: parsing vmlinux BTF (126k types on a real machine)
     * runs on its own thread while Felix and its runtime bundles start, and is awaited before
     * the first subsystem bundle is installed.
     */
    private final java.util.concurrent.CompletableFuture<Kernel> kernelBoot;
    private Kernel kernel;
    private final CommandTable commands = new CommandTable();
    private final GogoCommands gogo = new GogoCommands(commands);
    private ModuleExtender extender;
    private DropInFolder dropIn;
    private ServiceTracker<Object, Object> processor;
    private final Map<String, Path> subsystemJars = new HashMap<>();

    private Host(Config config) throws IOException {
        this.config = config;
        org.bpfosgi.kernel.Debug.phase("host");
        this.kernelBoot = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                kernelBoot.complete(new Kernel(config.vmlinux().orElse(null)));
                org.bpfosgi.kernel.Debug.phase("vmlinux BTF parsed");
            } catch (RuntimeException | Error e) {
                kernelBoot.completeExceptionally(e);
            }
        }, "bpf-osgi-vmlinux-btf");
        t.setDaemon(true);
        t.start();
        this.storage = Files.createTempDirectory("bpf-osgi-felix-");
        // the Felix cache is this machine's only: removed at close, and also when the JVM ends
        // without one (a shell's exit, Ctrl-C) or when this constructor fails
        this.cleanup = new Thread(() -> deleteTree(storage), "bpf-osgi-felix-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            this.felix = new Felix(felixProperties(config, storage));
        } catch (IOException | RuntimeException e) {
            deleteTree(storage);
            throw e;
        }
    }

    private static Map<String, Object> felixProperties(Config config, Path storage) throws IOException {
        Map<String, Object> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, apiExports());
        // the extender that makes subsystem bundles modules: subsystem bundles require it, so one
        // installed in a framework without the model fails to resolve instead of idling
        props.put(Constants.FRAMEWORK_SYSTEMCAPABILITIES_EXTRA, SubsystemHeaders.EXTENDER_CAPABILITY);
        props.put("felix.log.level", "1");
        // SCR reports a failing activate (a failed module init) through the DTOs the extender
        // reads; its own log line would be a stack trace on the user's terminal. SCR 2.2 takes
        // a number (or debug/info/warn/error); 0 is below ERROR, so nothing is printed.
        props.put("ds.loglevel", org.bpfosgi.kernel.Debug.enabled() ? "warn" : "0");
        // Gogo's shell bundle also provides the converters (a bundle id to a Bundle for stop,
        // headers, ...), so it always runs; without a terminal it must neither read stdin nor
        // stop the framework when its (empty) session ends.
        props.put("gosh.args", config.shell() ? "" : "--nointeractive --noshutdown");
        props.put("gosh.home", storage.toString());
        config.deployDir().ifPresent(d -> {
            props.put("felix.fileinstall.dir", d.toAbsolutePath().toString());
            props.put("felix.fileinstall.poll", "500");
            props.put("felix.fileinstall.noInitialDelay", "true");
            props.put("felix.fileinstall.log.level", "1");
            props.put("felix.fileinstall.bundles.new.start", "false");
        });
        return props;
    }

    /** Boots a machine. The caller closes it. */
    /** A command asked the framework to stop (see {@link #running()}). */
    private volatile boolean shutdownRequested;

    public static Host start(Config config) throws Exception {
        Host h = new Host(config);
        try {
            h.boot();
            return h;
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
    }

    private void boot() throws Exception {
        if (!Files.isDirectory(config.bundlesDir())) {
            throw new IOException("bundle folder " + config.bundlesDir() + " does not exist (build with mvn -B verify)");
        }
        felix.init();
        felix.start();
        org.bpfosgi.kernel.Debug.phase("felix started");
        BundleContext ctx = felix.getBundleContext();

        List<Bundle> started = new ArrayList<>();
        for (String name : RUNTIME) {
            started.add(install(ctx, name));
        }
        for (Bundle b : started) {
            b.start();
        }
        org.bpfosgi.kernel.Debug.phase("runtime bundles started");
        processor = new ServiceTracker<>(ctx, "org.apache.felix.service.command.CommandProcessor", null);
        processor.open(true);

        Kernel kernel = awaitKernel();
        extender = new ModuleExtender(ctx, kernel);
        ctx.addBundleListener(extender);
        extender.open();
        ModuleCommands mc = new ModuleCommands(kernel, extender, ctx);
        org.bpfosgi.cli.StructOpsCli objs = new org.bpfosgi.cli.StructOpsCli(kernel.structOps());
        commands.add("lsmod", mc::lsmod).add("insmod", mc::insmod).add("rmmod", mc::rmmod)
                .add("modinfo", mc::modinfo).add("subsystems", mc::subsystems).add("dmesg", mc::dmesg)
                .add("btf", (args, out, err) -> BtfCli.run(args, kernel.btf(), out, err))
                .add("cc", (args, out, err) -> org.bpfosgi.cli.CcCli.run(args, kernel.btf(), out, err))
                .add("prog", (args, out, err) -> ProgCli.run(args, kernel.bpf(), objs, out, err))
                .add("obj", objs::obj).add("map", objs::map).add("struct_ops", objs::structOps).add("link", objs::link)
                // race machines are OSGi-free, one per schedule, their modules read from the bundle jars
                .add("race", (args, out, err) -> RaceCli.run(args, new BundleRaceModules(subsystemJars),
                        kernel.bpf().progs().defaultKfuncPolicy(), out, err));
        for (String isa : List.of("asm", "disasm", "exec")) {
            commands.add(isa, (args, out, err) -> IsaCli.run(isa, args, InputStream.nullInputStream(), out, err));
        }
        // --help is printed without a machine, from CommandHelp: a command without its entry there
        // would be missing from it, so it is a bug the first boot reports
        for (String name : commands.names()) {
            if (!CommandHelp.names().contains(name)) {
                throw new IllegalStateException("command '" + name + "' has no --help entry (CommandHelp.TABLE)");
            }
        }
        // Gogo's functions are the table's names: registered once every command is in the table
        Hashtable<String, Object> cprops = new Hashtable<>();
        cprops.put("osgi.command.scope", "bpf");
        cprops.put("osgi.command.function", gogo.functions());
        ctx.registerService(Object.class, gogo, cprops);
        if (config.deployDir().isPresent()) {
            // the drop-in installer is in place before FileInstall's first scan (else FileInstall
            // would install a jar as a plain bundle), and holds any jar found there until boot is
            // done: built-in BTF must be folded into vmlinux before any module BTF exists
            Path d = config.deployDir().get();
            if (Files.exists(d) && !Files.isDirectory(d)) {
                throw new IOException("drop-in folder " + d + ": Not a directory");
            }
            Files.createDirectories(d);
            Bundle fileinstall = install(ctx, FILEINSTALL);
            dropIn = new DropInFolder(ctx, extender, kernel);
            dropIn.register(fileinstall);
            fileinstall.start();
        }

        // the subsystem bundles: built-in ones are initcalls, the rest are insmod'ed on request
        for (Path jar : subsystemJarsIn(config.bundlesDir())) {
            SubsystemHeaders h = BundleImages.readHeaders(jar);
            subsystemJars.put(h.module(), jar);
            if (h.builtin() && !config.modular().contains(h.module())) {
                Bundle b = ctx.installBundle("builtin:" + jar.toAbsolutePath(), Files.newInputStream(jar));
                extender.bootBuiltin(b);
            }
        }
        org.bpfosgi.kernel.Debug.phase("built-in subsystems started");
        for (String m : config.modular()) {
            insmodAtBoot(m);
        }
        for (String m : config.load()) {
            insmodAtBoot(m);
        }
        org.bpfosgi.kernel.Debug.phase("modules loaded");
        install(ctx, SHELL).start();
        if (dropIn != null) {
            dropIn.bootFinished();
        }
        org.bpfosgi.kernel.Debug.phase("booted");
    }

    /** A module load at boot (modprobe from an init script): a failure is logged, boot goes on. */
    private void insmodAtBoot(String module) {
        Path jar = subsystemJars.get(module);
        if (jar == null) {
            String msg = "boot: no subsystem bundle named " + module + " in " + config.bundlesDir();
            kernel.printk(msg);
            System.err.println("bpf-osgi: " + msg);
            return;
        }
        try {
            extender.insmod(jar);
        } catch (KernelException e) {
            String msg = "boot: insmod " + module + " failed: " + e.getMessage();
            kernel.printk(msg);
            System.err.println("bpf-osgi: " + msg);
        }
    }

    /** The jar of a subsystem bundle shipped in the bundles folder, by module name. */
    public Optional<Path> subsystemJar(String module) {
        return Optional.ofNullable(subsystemJars.get(module));
    }

    private static List<Path> subsystemJarsIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().filter(p -> {
                try {
                    BundleImages.readHeaders(p);
                    return true;
                } catch (KernelException e) {
                    return false;
                }
            }).toList();
        }
    }

    private Bundle install(BundleContext ctx, String fileName) throws IOException, BundleException {
        Path jar = config.bundlesDir().resolve(fileName);
        if (!Files.isRegularFile(jar)) {
            throw new IOException("missing runtime bundle " + jar + " (build with mvn -B verify)");
        }
        try (InputStream in = Files.newInputStream(jar)) {
            return ctx.installBundle(jar.toUri().toString(), in);
        }
    }

    /** The api jar's Export-Package: what bundles may import from the system bundle. */
    public static String apiExports() throws IOException {
        Enumeration<URL> e = Host.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
        while (e.hasMoreElements()) {
            try (InputStream in = e.nextElement().openStream()) {
                Manifest mf = new Manifest(in);
                if (API_BSN.equals(mf.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME))) {
                    String exports = mf.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
                    if (exports == null || exports.isBlank()) {
                        throw new IOException("the api jar exports nothing");
                    }
                    return exports;
                }
            }
        }
        throw new IOException("the bpf-osgi api jar (Bundle-SymbolicName " + API_BSN + ") is not on the class path");
    }

    public Kernel kernel() {
        return kernel != null ? kernel : awaitKernel();
    }

    /** The kernel model, once its vmlinux BTF is parsed; its failure is the boot's. */
    private synchronized Kernel awaitKernel() {
        if (kernel == null) {
            try {
                kernel = kernelBoot.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error er) {
                    throw er;
                }
                throw e;
            }
        }
        return kernel;
    }

    public ModuleExtender extender() {
        return extender;
    }

    public BundleContext context() {
        return felix.getBundleContext();
    }

    public CommandTable commands() {
        return commands;
    }

    /**
     * Runs one command line through a Gogo session (so Gogo's own commands such as {@code lb} and
     * {@code stop} work too). Returns the exit status: the command's, or 1 when Gogo itself
     * failed (unknown command, bad syntax), after printing its message on {@code err}.
     */
    public int execute(String line, PrintStream out, PrintStream err) {
        String[] words = line.strip().split("\\s+");
        if (words.length >= 1 && (words[0].equals("shutdown")
                || (words[0].equals("stop") && words.length == 2 && words[1].equals("0")))) {
            shutdownRequested = true;
        }
        Object cp = processor.getService();
        if (cp == null) {
            err.println("the Gogo command processor is not running");
            return 1;
        }
        gogo.takeStatus();
        Object session = null;
        try {
            Method create = cp.getClass().getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class);
            session = create.invoke(cp, new ByteArrayInputStream(new byte[0]), out, err);
            Method exec = session.getClass().getMethod("execute", CharSequence.class);
            exec.setAccessible(true);
            Object result = exec.invoke(session, line);
            if (result != null && !(result instanceof Bundle[])) {
                out.println(result);
            }
            return gogo.takeStatus();
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            err.println(firstWord(line) + ": " + org.bpfosgi.kernel.Debug.describe(t));
            org.bpfosgi.kernel.Debug.trace(t, err);
            gogo.takeStatus();
            return 1;
        } catch (ReflectiveOperationException e) {
            err.println("cannot run through Gogo: " + e);
            return 1;
        } finally {
            out.flush();
            err.flush();
            if (session != null) {
                try {
                    session.getClass().getMethod("close").invoke(session);
                } catch (ReflectiveOperationException ignored) {
                    // closing a session cannot fail in a way that matters here
                }
            }
        }
    }

    /**
     * Runs one command with its arguments exactly as given (a one-shot {@code bpf-osgi CMD
     * ARGS...}): a bpf-osgi command gets them untouched, never through Gogo's expansion of
     * {@code $(...)} and {@code $VAR}; one of Gogo's own commands gets them single-quoted
     * (literal in Gogo).
     */
    public int executeArgs(String cmd, List<String> args, PrintStream out, PrintStream err) {
        if (commands.get(cmd).isPresent()) {
            try {
                return gogo.run(cmd, args, out, err);
            } finally {
                out.flush();
                err.flush();
            }
        }
        StringBuilder sb = new StringBuilder(cmd);
        for (String a : args) {
            sb.append(' ');
            if (a.indexOf('\'') < 0) {
                sb.append('\'').append(a).append('\'');
            } else {
                sb.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$")).append('"');
            }
        }
        return execute(sb.toString(), out, err);
    }

    private static String firstWord(String line) {
        String t = line.trim();
        int sp = t.indexOf(' ');
        return sp < 0 ? t : t.substring(0, sp);
    }

    /** Blocks until the framework stops (the shell's {@code exit}/{@code stop 0}). */
    public void waitForStop() throws InterruptedException {
        felix.waitForStop(0);
    }

    @Override
    public void close() {
        try {
            if (dropIn != null) {
                dropIn.close();
            }
            if (processor != null) {
                processor.close();
            }
            org.bpfosgi.kernel.Debug.phase("closing");
            felix.stop();
            felix.waitForStop(10_000);
            org.bpfosgi.kernel.Debug.phase("felix stopped");
        } catch (BundleException | InterruptedException | IllegalStateException e) {
            if (kernel != null) {
                kernel.printk("shutdown: " + e);
            }
        } finally {
            deleteTree(storage);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway; the folder is gone already
            }
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(x -> x.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a leftover temp folder is harmless
        }
    }

    /** Whether the machine still runs: false once the framework is stopping (Gogo's {@code stop 0}). */
    public boolean running() {
        if (felix.getState() == Bundle.ACTIVE && shutdownRequested()) {
            // Felix stops the system bundle on a thread of its own ("FelixShutdown"): once a stop
            // was asked for, wait (briefly) until the framework has left ACTIVE
            try {
                felix.waitForStop(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return felix.getState() == Bundle.ACTIVE;
    }

    /** Whether a command of this machine asked the framework to stop (Gogo's {@code stop 0} / {@code shutdown}). */
    private boolean shutdownRequested() {
        return shutdownRequested;
    }
}
