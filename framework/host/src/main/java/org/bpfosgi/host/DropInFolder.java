package org.bpfosgi.host;

import java.io.File;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.bpfosgi.errno.KernelException;
import org.bpfosgi.kernel.Kernel;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The drop-in folder: Felix FileInstall watches it, and this {@code ArtifactInstaller} takes the
 * subsystem jars, so a jar appearing is {@code insmod} and a jar removed is {@code rmmod} —
 * never a silent forced unload. When delete_module refuses, the module stays loaded, the
 * refusal is printed, and the removal is retried at every poll until it succeeds (FileInstall
 * itself forgets a removed artifact whatever the installer answered, so the retry is ours).
 *
 * <p>The host is outside FileInstall's class space, so the installer is a proxy of
 * FileInstall's own interface, defined in FileInstall's class loader.
 */
final class DropInFolder implements AutoCloseable {
    private static final String INSTALLER = "org.apache.felix.fileinstall.ArtifactInstaller";
    private static final String LISTENER = "org.apache.felix.fileinstall.ArtifactListener";
    private static final long RETRY_MS = 500;

    private final BundleContext context;
    private final ModuleExtender extender;
    private final Kernel kernel;
    /** Jars removed whose module could not be unloaded yet: file to module name. */
    private final Map<File, String> pendingRemoval = new ConcurrentHashMap<>();
    /** Jars this folder loaded: file to module name. */
    private final Map<File, String> loaded = new ConcurrentHashMap<>();
    private ScheduledExecutorService retry;
    /** Until boot is over, jars FileInstall finds wait here (built-in BTF comes first). */
    private final List<File> waitingForBoot = new java.util.ArrayList<>();
    private boolean booted;

    DropInFolder(BundleContext context, ModuleExtender extender, Kernel kernel) {
        this.context = context;
        this.extender = extender;
        this.kernel = kernel;
    }

    /** Registers the installer for a resolved-or-resolvable, not yet started FileInstall. */
    void register(Bundle fileinstall) {
        context.getBundle(0).adapt(org.osgi.framework.wiring.FrameworkWiring.class).resolveBundles(List.of(fileinstall));
        if (fileinstall.adapt(BundleWiring.class) == null) {
            throw new IllegalStateException("FileInstall does not resolve");
        }
        try {
            ClassLoader cl = fileinstall.adapt(BundleWiring.class).getClassLoader();
            Class<?> installer = cl.loadClass(INSTALLER);
            Class<?> listener = cl.loadClass(LISTENER);
            Object proxy = Proxy.newProxyInstance(cl, new Class<?>[] {installer}, handler());
            context.registerService(new String[] {installer.getName(), listener.getName()}, proxy, new Hashtable<>());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("FileInstall has no " + INSTALLER, e);
        }
        retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bpf-osgi-dropin-retry");
            t.setDaemon(true);
            return t;
        });
        retry.scheduleWithFixedDelay(this::retryRemovals, RETRY_MS, RETRY_MS, TimeUnit.MILLISECONDS);
    }

    private InvocationHandler handler() {
        return (proxy, method, args) -> switch (method.getName()) {
            case "canHandle" -> canHandle((File) args[0]);
            case "install" -> {
                install((File) args[0]);
                yield null;
            }
            case "update" -> {
                update((File) args[0]);
                yield null;
            }
            case "uninstall" -> {
                uninstall((File) args[0]);
                yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "bpf-osgi drop-in installer";
            default -> throw new UnsupportedOperationException(method.getName());
        };
    }

    /**
     * Every file in the folder is ours: the folder is insmod/rmmod and nothing else. Were a jar
     * that is not a subsystem left to FileInstall, it would install it as a plain bundle, or,
     * when a bundle with the same symbolic name and version is installed (a module loaded from
     * this folder), update that bundle in place: a stop nobody asked delete_module about, i.e.
     * a forced unload of a live module. Such a jar is refused as insmod refuses it.
     */
    private boolean canHandle(File f) {
        return true;
    }

    /** Boot is over: the jars found in the folder during boot are loaded now, in this thread. */
    void bootFinished() {
        List<File> waiting;
        synchronized (this) {
            booted = true;
            waiting = List.copyOf(waitingForBoot);
            waitingForBoot.clear();
        }
        waiting.forEach(this::install);
    }

    private void install(File f) {
        synchronized (this) {
            // FileInstall may scan inside its own start(): queue, never block it
            if (!booted) {
                waitingForBoot.add(f);
                return;
            }
        }
        pendingRemoval.remove(f);
        if (!f.getName().endsWith(".jar")) {
            say("drop-in: " + f + " ignored: only subsystem jars (*.jar) are loaded from this folder");
            return;
        }
        try {
            Subsystem s = extender.insmod(Path.of(f.getPath()));
            loaded.put(f, s.name());
            say("insmod " + f + ": " + s.name() + " loaded");
        } catch (KernelException e) {
            say("insmod: ERROR: could not insert module " + f + ": "
                    + ModuleCommands.insmodStrerror(e.errno()) + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")"));
        }
    }

    private void update(File f) {
        String name = loaded.get(f);
        if (name != null && !tryRemove(f, name)) {
            say("drop-in: " + f + " changed but " + name + " cannot be unloaded; keeping the loaded version");
            return;
        }
        install(f);
    }

    private void uninstall(File f) {
        synchronized (this) {
            if (waitingForBoot.remove(f)) {
                return;
            }
        }
        String name = loaded.get(f);
        if (name != null && !tryRemove(f, name)) {
            pendingRemoval.put(f, name);
        }
    }

    /** rmmod for a removed jar; false (and the refusal printed) when delete_module refused. */
    private boolean tryRemove(File f, String name) {
        ModuleExtender.RmmodResult r = extender.rmmod(name, false);
        if (r.delete().ok() || r.delete().ret() == -org.bpfosgi.errno.Errno.ENOENT.number()) {
            loaded.remove(f);
            say("rmmod " + name + " (" + f.getName() + " removed)");
            return true;
        }
        if (!pendingRemoval.containsKey(f)) {
            var e = r.delete().errno().orElse(org.bpfosgi.errno.Errno.EINVAL);
            String why = e == org.bpfosgi.errno.Errno.EAGAIN
                    ? (r.delete().usedBy().isEmpty() ? "is in use" : "is in use by: " + String.join(" ", r.delete().usedBy()))
                    : "cannot be removed now (" + e.description() + ")";
            say("rmmod: ERROR: Module " + name + " " + why + " ("
                    + (e == org.bpfosgi.errno.Errno.EAGAIN ? "-EWOULDBLOCK" : e.symbol()) + "); "
                    + f.getName() + " was removed: the module stays loaded and removal is retried");
        }
        return false;
    }

    private void retryRemovals() {
        for (var e : Map.copyOf(pendingRemoval).entrySet()) {
            if (e.getKey().exists()) {
                pendingRemoval.remove(e.getKey());
                continue;
            }
            if (tryRemove(e.getKey(), e.getValue())) {
                pendingRemoval.remove(e.getKey());
            }
        }
    }

    /** Stops the removal retries (the framework is shutting down). */
    @Override
    public void close() {
        if (retry != null) {
            retry.shutdownNow();
        }
    }

    private void say(String line) {
        kernel.printk(line);
        System.err.println(line);
    }
}
