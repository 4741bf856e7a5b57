package org.bpfosgi.host;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.kernel.Kernel;
import org.bpfosgi.module.Module;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * A subsystem's module_init registrations, from its {@link BpfSubsystem} service: registering
 * the service is what the module's init does in the kernel (its symbols,
 * register_btf_kfunc_id_set, register_bpf_struct_ops), so it is handed to the kernel's
 * registries while the module is COMING; a refusal is kept for the extender, which fails the
 * init with it. The service's unregistration (the component's deactivate = module_exit) undoes
 * the registrations.
 */
final class SubsystemRegistrar {
    private final BundleContext context;
    private final Kernel kernel;
    private final ScrProbe scr;
    private final Function<Long, Optional<Subsystem>> subsystems;
    /** Subsystems whose registration failed during init: bundle id to errno. */
    private final Map<Long, KernelException> failures = new ConcurrentHashMap<>();
    private ServiceTracker<BpfSubsystem, Registered> tracker;

    SubsystemRegistrar(BundleContext context, Kernel kernel, ScrProbe scr, Function<Long, Optional<Subsystem>> subsystems) {
        this.context = context;
        this.kernel = kernel;
        this.scr = scr;
        this.subsystems = subsystems;
    }

    /** The failure of the registration made during the init of bundle {@code bundleId}, once. */
    Optional<KernelException> takeFailure(long bundleId) {
        return Optional.ofNullable(failures.remove(bundleId));
    }

    /**
     * Starts following subsystems' BpfSubsystem services: registering one is what the module's
     * init does in the kernel (register_btf_kfunc_id_set, register_bpf_struct_ops), so it is
     * handed to the kernel's registries while the module is COMING, and a refusal fails init.
     * Its unregistration (the component's deactivate = module_exit) undoes them.
     */
    void open() {
        tracker = new ServiceTracker<>(context, BpfSubsystem.class, new ServiceTrackerCustomizer<>() {
            @Override
            public Registered addingService(ServiceReference<BpfSubsystem> ref) {
                return registerSubsystem(ref);
            }

            @Override
            public void modifiedService(ServiceReference<BpfSubsystem> ref, Registered r) {
            }

            @Override
            public void removedService(ServiceReference<BpfSubsystem> ref, Registered r) {
                kernel.bpf().unregisterSubsystem(r.module(), r.btf());
                context.ungetService(ref);
            }
        });
        tracker.open();
    }

    /** A BpfSubsystem service handed to the kernel: whose, and against which BTF object. */
    private record Registered(Module module, BtfObject btf) {
    }

    private Registered registerSubsystem(ServiceReference<BpfSubsystem> ref) {
        Subsystem s = subsystems.apply(ref.getBundle().getBundleId()).orElse(null);
        if (s == null) {
            kernel.printk("BpfSubsystem of bundle " + ref.getBundle().getBundleId() + " ignored: not a subsystem");
            return null;
        }
        Module mod = s.module().orElse(null);
        Optional<BtfObject> btf = s.builtin() ? Optional.of(kernel.btf().vmlinux()) : kernel.btf().moduleBtf(s.name());
        if (btf.isEmpty()) {
            kernel.printk(s.name() + ": no BTF, cannot register its struct_ops and kfuncs");
            return null;
        }
        long id = ref.getBundle().getBundleId();
        BpfSubsystem subsystem = context.getService(ref);
        if (subsystem == null) {
            // SCR could not create or activate the component (a missing class or activate
            // method, an activate that threw): module_init failed, as do_init_module sees it
            ScrProbe.InitFailure f = scr.activationFailure(ref.getBundle()).orElse(new ScrProbe.InitFailure(
                    Errno.ENOEXEC, s.name() + ": its BpfSubsystem component could not be activated"));
            failures.put(id, new KernelException(f.errno(), f.message()));
            return null;
        }
        int err;
        try {
            err = kernel.bpf().registerSubsystem(mod, btf.get(), subsystem);
        } catch (RuntimeException | LinkageError e) {
            // the subsystem's own code failed inside its registration: a failed init, not a crash
            context.ungetService(ref);
            failures.put(id, new KernelException(Errno.EINVAL,
                    s.name() + ": registering its struct_ops and kfunc sets failed: " + e));
            return null;
        }
        if (err < 0) {
            context.ungetService(ref);
            failures.put(id, new KernelException(Errno.of(err),
                    s.name() + ": registering its struct_ops and kfunc sets failed"));
            return null;
        }
        return new Registered(mod, btf.get());
    }

}
