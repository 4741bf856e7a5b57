package org.bpfosgi.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.kernel.Kernel;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.module.ModuleTable.DeleteResult;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The extender that makes a subsystem bundle's lifecycle its kernel module's lifecycle:
 * install = UNFORMED, STARTING = COMING (module notifiers, then init = the
 * component's activation), started with its services = LIVE, STOPPING = GOING.
 *
 * <p>The faithful paths are {@link #insmod} and {@link #rmmod}: they drive the module table and
 * the bundle together, and {@code rmmod} asks delete_module first, so a refusal leaves the
 * bundle running. A bundle started or stopped by anything else (Gogo {@code start}/{@code stop},
 * {@code uninstall}) is seen through bundle events: a foreign start is a module load, a foreign
 * stop a forced unload (OSGi cannot veto a stop; the kernel can refuse an unload).
 */
public final class ModuleExtender implements SynchronousBundleListener {
    private final BundleContext context;
    private final Kernel kernel;
    private final ModuleTable modules;
    private final ScrProbe scr;
    private final Map<Long, Subsystem> subsystems = new ConcurrentHashMap<>();
    /** Bundles whose lifecycle insmod/rmmod is driving right now: their events are not foreign. */
    private final Set<Long> driving = ConcurrentHashMap.newKeySet();
    private final SubsystemRegistrar registrar;
    /** Foreign starts whose COMING phase failed: stopped again once STARTED. */
    private final Map<Long, KernelException> failedForeignStarts = new ConcurrentHashMap<>();

    public ModuleExtender(BundleContext context, Kernel kernel) {
        this.context = context;
        this.kernel = kernel;
        this.modules = kernel.modules();
        this.scr = new ScrProbe(context);
        this.registrar = new SubsystemRegistrar(context, kernel, scr, id -> Optional.ofNullable(subsystems.get(id)));
    }

    /**
     * Starts following subsystems' BpfSubsystem services ({@link SubsystemRegistrar}): their
     * registration is the module's init.
     */
    public void open() {
        registrar.open();
    }

    // ------------------------------------------------------------------ queries

    /** Every subsystem, built-in first, then modules, each in name order. */
    public List<Subsystem> subsystems() {
        List<Subsystem> all = new ArrayList<>(subsystems.values());
        all.sort((a, b) -> a.builtin() != b.builtin() ? (a.builtin() ? -1 : 1) : a.name().compareTo(b.name()));
        return all;
    }

    public Optional<Subsystem> subsystem(String name) {
        return subsystems.values().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    // ------------------------------------------------------------------ built-in code

    /**
     * Starts a built-in subsystem bundle at boot, as an initcall: no module-table entry (the
     * kernel lists only loadable modules). An init that fails is logged and boot goes on.
     */
    public Subsystem bootBuiltin(Bundle bundle) {
        SubsystemHeaders h = SubsystemHeaders.of(bundle.getHeaders()).orElseThrow(() ->
                new KernelException(Errno.ENOEXEC, bundle.getLocation() + " has no Bpf-Module header"));
        Subsystem s = new Subsystem(h.module(), bundle, true, Optional.empty());
        // built-in code's BTF is part of vmlinux BTF (its kfuncs have off 0)
        BundleImages.image(bundle, h, 0).btfSource().ifPresent(src -> {
            try {
                kernel.btf().extendVmlinux(h.module(), src);
            } catch (RuntimeException e) {
                kernel.printk("BTF of built-in " + h.module() + " rejected: " + e.getMessage());
            }
        });
        subsystems.put(bundle.getBundleId(), s);
        driving.add(bundle.getBundleId());
        try {
            bundle.start();
            KernelException reg = registrar.takeFailure(bundle.getBundleId()).orElse(null);
            if (reg != null) {
                kernel.printk("initcall " + h.module() + "_init returned " + reg.errno().negative() + ": " + reg.detail());
            }
            scr.activationFailure(bundle).ifPresent(f ->
                    kernel.printk("initcall " + h.module() + "_init returned " + f.errno().negative()
                            + ": " + f.message()));
        } catch (BundleException e) {
            kernel.printk("initcall " + h.module() + "_init failed: " + e.getMessage());
        } finally {
            driving.remove(bundle.getBundleId());
        }
        return s;
    }

    // ------------------------------------------------------------------ insmod

    /**
     * insmod: reads the jar's manifest (a jar that is not a subsystem is refused before anything
     * is installed), installs the bundle, resolves it (a missing package is "Unknown symbol in
     * module"), then load_module + do_init_module with init = starting the bundle. Any failure
     * uninstalls the bundle again: nothing is left behind.
     */
    public Subsystem insmod(Path jar) {
        String why = org.bpfosgi.cli.UserFiles.whyNotReadable(jar);
        if (why != null) {
            Errno e = why.equals("Is a directory") ? Errno.EISDIR : why.equals("Permission denied") ? Errno.EACCES : Errno.ENOENT;
            throw new KernelException(e, jar + ": " + why);
        }
        SubsystemHeaders headers = BundleImages.readHeaders(jar);
        if (headers.builtin()) {
            // Bpf-Builtin jars belong to vmlinux; loading one as a module is a launcher option
            kernel.printk(headers.module() + ": built-in subsystem loaded as a module");
        }
        if (subsystem(headers.module()).filter(Subsystem::builtin).isPresent()) {
            throw new KernelException(Errno.EEXIST, "module " + headers.module() + " is built into the kernel");
        }
        if (modules.find(headers.module()).isPresent()) {
            throw new KernelException(Errno.EEXIST, "module " + headers.module() + " is already loaded");
        }
        Bundle bundle;
        try (InputStream in = Files.newInputStream(jar)) {
            bundle = context.installBundle("insmod:" + jar.toAbsolutePath().normalize(), in);
        } catch (IOException | BundleException e) {
            throw new KernelException(Errno.ENOEXEC, "invalid module format: " + e.getMessage());
        }
        try {
            return load(bundle, headers, jar.toFile().length());
        } catch (RuntimeException | Error e) {
            uninstallQuietly(bundle);
            throw e;
        }
    }

    private Subsystem load(Bundle bundle, SubsystemHeaders headers, long size) {
        FrameworkWiring fw = context.getBundle(0).adapt(FrameworkWiring.class);
        if (!fw.resolveBundles(List.of(bundle))) {
            throw new KernelException(Errno.ENOENT, "Unknown symbol in module");
        }
        // whatever its Bpf-Builtin header says, a subsystem loaded through insmod is a module
        // (--modular): its header becomes split module BTF, not part of vmlinux
        ModuleImage image = BundleImages.asModule(BundleImages.image(bundle, headers, size));
        List<String> uses = usedModules(bundle);
        long id = bundle.getBundleId();
        driving.add(id);
        try {
            Module mod = modules.prepareLoad(image, uses, code(bundle));
            Subsystem s = new Subsystem(headers.module(), bundle, false, Optional.of(mod));
            subsystems.put(id, s);
            try {
                modules.initModule(mod);
            } catch (RuntimeException e) {
                subsystems.remove(id);
                throw e;
            }
            return s;
        } finally {
            driving.remove(id);
        }
    }

    /** The module's code: init starts the bundle (SCR activates its component), exit stops it. */
    private ModuleTable.ModuleCode code(Bundle bundle) {
        return new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                try {
                    bundle.start();
                } catch (BundleException e) {
                    throw new KernelException(Errno.ENOEXEC, "bundle did not start: " + e.getMessage());
                }
                try {
                    return initResult(bundle);
                } catch (KernelException e) {
                    // a failing module_init undoes its own registrations before it returns:
                    // stop the bundle now, so nothing it registered outlives the failure path
                    try {
                        bundle.stop();
                    } catch (BundleException | IllegalStateException stop) {
                        kernel.printk("cannot stop bundle " + bundle.getBundleId() + ": " + stop.getMessage());
                    }
                    throw e;
                }
            }

            @Override
            public void exit() throws BundleException {
                if ((bundle.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                    bundle.stop();
                }
            }
        };
    }

    /** 0 when the bundle's components activated, else the errno their activate threw. */
    private int initResult(Bundle bundle) {
        KernelException reg = registrar.takeFailure(bundle.getBundleId()).orElse(null);
        if (reg != null) {
            throw reg;
        }
        Optional<ScrProbe.InitFailure> failure = scr.activationFailure(bundle);
        if (failure.isPresent()) {
            throw new KernelException(failure.get().errno(), failure.get().message());
        }
        return 0;
    }

    /** ref_module targets: the module bundles that export a package this bundle is wired to. */
    private List<String> usedModules(Bundle bundle) {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        if (wiring == null) {
            return List.of();
        }
        List<String> uses = new ArrayList<>();
        for (BundleWire w : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            Subsystem provider = subsystems.get(w.getProvider().getBundle().getBundleId());
            if (provider != null && !provider.builtin() && !uses.contains(provider.name())) {
                uses.add(provider.name());
            }
        }
        return uses;
    }

    // ------------------------------------------------------------------ rmmod

    /** What rmmod did: the delete_module result, and the holders at the time (for messages). */
    public record RmmodResult(String name, DeleteResult delete, boolean builtin) {
    }

    /**
     * rmmod: delete_module first (the kernel's checks and errnos); only when it succeeds is the
     * bundle stopped (that stop is module_exit) and uninstalled. A built-in subsystem is -ENOENT
     * to the kernel; the caller words it as kmod does.
     */
    public RmmodResult rmmod(String name, boolean force) {
        Optional<Subsystem> s = subsystem(name);
        if (s.isPresent() && s.get().builtin()) {
            return new RmmodResult(name, new DeleteResult(Errno.ENOENT.negative(), false, Map.of(), List.of()), true);
        }
        Long id = s.map(x -> x.bundle().getBundleId()).orElse(null);
        if (id != null) {
            driving.add(id);
        }
        try {
            DeleteResult r = modules.deleteModule(name, force ? ModuleTable.O_TRUNC : 0);
            if (r.ok() && s.isPresent()) {
                subsystems.remove(id);
                uninstallQuietly(s.get().bundle());
            }
            return new RmmodResult(name, r, false);
        } finally {
            if (id != null) {
                driving.remove(id);
            }
        }
    }

    // ------------------------------------------------------------------ foreign lifecycle

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle b = event.getBundle();
        long id = b.getBundleId();
        if (driving.contains(id)) {
            return;
        }
        Optional<SubsystemHeaders> headers = SubsystemHeaders.of(b.getHeaders());
        if (headers.isEmpty()) {
            return;
        }
        switch (event.getType()) {
            case BundleEvent.STARTING -> foreignStarting(b, headers.get());
            case BundleEvent.STARTED -> foreignStarted(b);
            case BundleEvent.STOPPING -> foreignStopping(b);
            case BundleEvent.STOPPED -> foreignStopped(b);
            default -> { }
        }
    }

    /** A subsystem bundle started by other means (Gogo start): load_module up to COMING. */
    private void foreignStarting(Bundle b, SubsystemHeaders h) {
        if (h.builtin()) {
            subsystems.put(b.getBundleId(), new Subsystem(h.module(), b, true, Optional.empty()));
            return;
        }
        try {
            SubsystemHeaders.nameProblem(h.module()).ifPresent(p -> {
                throw new KernelException(Errno.ENOEXEC, "Invalid module format (" + p + ")");
            });
            Module mod = modules.prepareLoad(BundleImages.asModule(BundleImages.image(b, h, BundleImages.sizeOf(b))), usedModules(b), code(b));
            subsystems.put(b.getBundleId(), new Subsystem(h.module(), b, false, Optional.of(mod)));
        } catch (KernelException e) {
            kernel.printk("insmod (bundle " + b.getBundleId() + " started outside insmod) failed: " + e.getMessage());
            failedForeignStarts.put(b.getBundleId(), e);
        }
    }

    /** ... and its init result: LIVE, or the failure path (and the bundle is stopped again). */
    private void foreignStarted(Bundle b) {
        Subsystem s = subsystems.get(b.getBundleId());
        if (failedForeignStarts.remove(b.getBundleId()) != null) {
            stopLater(b);
            return;
        }
        if (s == null || s.module().isEmpty() || s.module().get().state() != ModuleState.COMING) {
            return;
        }
        Module mod = s.module().get();
        try {
            modules.initModule(mod, new ModuleTable.ModuleCode() {
                @Override
                public int init() {
                    return initResult(b);
                }

                @Override
                public void exit() throws BundleException {
                    if ((b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                        b.stop();
                    }
                }
            });
        } catch (KernelException e) {
            kernel.printk("insmod (bundle " + b.getBundleId() + " started outside insmod) failed: " + e.getMessage());
            subsystems.remove(b.getBundleId());
            stopLater(b);
        }
    }

    /** A stop that did not come through rmmod is a forced unload. */
    private void foreignStopping(Bundle b) {
        Subsystem s = subsystems.get(b.getBundleId());
        if (s == null) {
            return;
        }
        if (s.builtin()) {
            kernel.printk("built-in code of " + s.name() + " stopped (bundle " + b.getBundleId() + "): vmlinux is damaged");
            modules.taint(ModuleTable.TAINT_FORCED_RMMOD);
            return;
        }
        s.module().ifPresent(m -> modules.beginForcedUnload(m, "bundle " + b.getBundleId()
                + " stopped without rmmod"));
    }

    private void foreignStopped(Bundle b) {
        Subsystem s = subsystems.remove(b.getBundleId());
        if (s != null) {
            s.module().ifPresent(modules::completeForcedUnload);
        }
    }

    private void stopLater(Bundle b) {
        Thread t = new Thread(() -> {
            driving.add(b.getBundleId());
            try {
                b.stop();
            } catch (BundleException | IllegalStateException e) {
                kernel.printk("cannot stop bundle " + b.getBundleId() + ": " + e.getMessage());
            } finally {
                driving.remove(b.getBundleId());
            }
        }, "bpf-osgi-stop-" + b.getBundleId());
        t.setDaemon(true);
        t.start();
    }

    // ------------------------------------------------------------------ helpers

    private void uninstallQuietly(Bundle b) {
        driving.add(b.getBundleId());
        try {
            if (b.getState() != Bundle.UNINSTALLED) {
                b.uninstall();
            }
        } catch (BundleException | IllegalStateException e) {
            kernel.printk("cannot uninstall bundle " + b.getBundleId() + ": " + e.getMessage());
        } finally {
            driving.remove(b.getBundleId());
        }
    }
}
