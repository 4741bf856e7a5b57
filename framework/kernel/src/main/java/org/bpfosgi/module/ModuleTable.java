package org.bpfosgi.module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;

/**
 * Models the kernel's module loader and unloader (kernel/module/main.c): the {@code modules}
 * list, {@code module_mutex}, {@code module_notify_list}, load_module() + do_init_module(),
 * delete_module(), try_module_get()/__module_get()/module_put(), ref_module() and the
 * kernel-wide taint flags.
 *
 * <p>Thread safety: loads and unloads serialise on one lock, the module_mutex; init and exit run
 * outside it as in the kernel (a concurrent rmmod of a module in init sees COMING and gets
 * -EBUSY). Reference traffic never takes the lock.
 */
public final class ModuleTable {
    /** include/uapi/asm-generic/fcntl.h: O_TRUNC (01000), the "force" flag of delete_module. */
    public static final int O_TRUNC = 01000;
    /** O_NONBLOCK (04000): accepted and, as in today's kernels, without effect. */
    public static final int O_NONBLOCK = 04000;
    /** TAINT_FORCED_RMMOD's letter. */
    public static final char TAINT_FORCED_RMMOD = 'R';

    /** A module's code: what module_init / module_exit run. */
    public interface ModuleCode {
        /** module_init: 0 on success, a negative errno on failure (a positive value warns). */
        int init() throws Exception;

        /** module_exit. */
        void exit() throws Exception;
    }

    private final ReentrantLock moduleMutex = new ReentrantLock();
    /** The {@code modules} list, in load order (the kernel prepends; {@link #list()} shows newest first). */
    private final Map<String, Module> modules = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Module, ModuleCode> code = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<ModuleNotifier> notifiers = new CopyOnWriteArrayList<>();
    private final Set<Character> taints = Collections.synchronizedSet(new LinkedHashSet<>());
    /** Modules a forced unload marked GOING and has not freed yet. */
    private final Set<Module> forcedGoing = new LinkedHashSet<>();
    private final Consumer<String> klog;
    private volatile Consumer<String> pointHook = p -> { };
    private volatile String lastUnloaded;

    /** @param klog the kernel log (dmesg): warnings and errors are written there */
    public ModuleTable(Consumer<String> klog) {
        this.klog = klog;
    }

    /**
     * Installs the hook called at every named point of load, unload and reference traffic:
     * the race harness uses it to interleave actors. No-op by default.
     */
    public void setPointHook(Consumer<String> hook) {
        this.pointHook = hook == null ? p -> { } : hook;
    }

    /** A named point: the race harness decides here which actor goes on. */
    public void point(String name) {
        pointHook.accept(name);
    }

    /**
     * {@code mutex_lock(&module_mutex)}. When another thread holds it, the caller first passes the named
     * point {@code module_mutex:wait}: under the race harness an actor parks there instead of
     * blocking inside the lock while another actor is parked holding it (delete_module holds the
     * mutex across its points), so the controller never has two actors running at once. An
     * uncontended lock passes no point.
     */
    private void lockModuleMutex() {
        if (moduleMutex.isLocked() && !moduleMutex.isHeldByCurrentThread()) {
            point("module_mutex:wait");
        }
        moduleMutex.lock();
    }

    /** Whether some thread holds module_mutex (for the race harness: is an actor at module_mutex:wait runnable?). */
    public boolean moduleMutexLocked() {
        return moduleMutex.isLocked();
    }

    /** Models register_module_notifier(). */
    public void registerNotifier(ModuleNotifier n) {
        notifiers.add(n);
    }

    /** Models unregister_module_notifier(). */
    public void unregisterNotifier(ModuleNotifier n) {
        notifiers.remove(n);
    }

    /** Models find_module(): a module by name, not UNFORMED. */
    public Optional<Module> find(String name) {
        Module m = modules.get(name);
        return m == null || m.state() == ModuleState.UNFORMED ? Optional.empty() : Optional.of(m);
    }

    /** The modules /proc/modules shows (not UNFORMED), newest first as the kernel's list is. */
    public List<Module> list() {
        List<Module> out;
        synchronized (modules) {
            out = new ArrayList<>(modules.values());
        }
        Collections.reverse(out);
        out.removeIf(m -> m.state() == ModuleState.UNFORMED);
        return out;
    }

    /** The kernel's taint flags, as letters ('R' after a forced unload). */
    public Set<Character> taints() {
        synchronized (taints) {
            return Set.copyOf(taints);
        }
    }

    /** Models add_taint(). */
    public void taint(char flag) {
        addTaint(flag);
    }

    /** add_taint(): the first taint turns lock debugging off, which the kernel says once. */
    private void addTaint(char flag) {
        boolean first;
        synchronized (taints) {
            first = taints.isEmpty();
            taints.add(flag);
        }
        if (first) {
            klog.accept("Disabling lock debugging due to kernel taint");
        }
    }

    /** The name of the last unloaded module, as the kernel remembers it for oops reports. */
    public Optional<String> lastUnloaded() {
        return Optional.ofNullable(lastUnloaded);
    }

    // ---------------------------------------------------------------- references

    /** Models try_module_get(): NULL is always gettable. */
    public boolean tryModuleGet(Module mod, String holder) {
        if (mod == null) {
            return true;
        }
        point("try_module_get:" + mod.name());
        return mod.tryGet(holder);
    }

    /**
     * try_module_get() for a caller that has passed this module's {@code try_module_get:NAME}
     * point itself, before a lock of its own under which it now gets the reference
     * (btf_try_get_module() holds btf_module_mutex across its lookup and the get). Same
     * semantics as {@link #tryModuleGet}, no point.
     */
    public boolean tryModuleGetAfterPoint(Module mod, String holder) {
        return mod == null || mod.tryGet(holder);
    }

    /** Models __module_get(): unconditional, the caller already holds a reference. */
    public void moduleGet(Module mod, String holder) {
        if (mod != null) {
            mod.get(holder);
        }
    }

    /** Models module_put(): NULL-safe; never below zero (WARNs instead). */
    public void modulePut(Module mod, String holder) {
        if (mod == null) {
            return;
        }
        point("module_put:" + mod.name());
        List<String> warnings = new ArrayList<>();
        mod.put(holder, warnings);
        warnings.forEach(klog);
    }

    // ---------------------------------------------------------------- load

    /**
     * Models load_module() followed by do_init_module().
     *
     * @param image   the module to load
     * @param uses    modules whose symbols it uses (ref_module each, in order)
     * @param modCode its init and exit
     * @return the LIVE module
     * @throws KernelException with the errno finit_module would return
     */
    public Module load(ModuleImage image, List<String> uses, ModuleCode modCode) {
        Module mod = prepareLoad(image, uses, modCode);
        return initModule(mod);
    }

    /**
     * The part of load_module() before init: add_unformed_module() (-EEXIST for a duplicate
     * name), module_unload_init() (refcnt = base + init hold), ref_module() for each used module,
     * complete_formation() (COMING) and prepare_coming_module() (notifier COMING, robust).
     * On failure the module is freed and the exception carries the errno.
     */
    public Module prepareLoad(ModuleImage image, List<String> uses, ModuleCode modCode) {
        String name = image.name();
        if (name.isEmpty() || name.length() > ModuleImage.MODULE_NAME_LEN - 1) {
            throw new KernelException(Errno.ENOEXEC, "module name '" + name + "' is not valid");
        }
        Module mod = new Module(image);
        lockModuleMutex();
        try {
            // add_unformed_module() -> module_patient_check_exists(): a LIVE module of that name
            // is -EEXIST; one still loading (or going) is -EBUSY. The kernel first waits for a
            // loading one to finish; the model answers at once, as if it were still loading.
            Module old = modules.get(name);
            if (old != null) {
                throw old.state() == ModuleState.LIVE
                        ? new KernelException(Errno.EEXIST, "module " + name + " is already loaded")
                        : new KernelException(Errno.EBUSY, "module " + name + " is " + old.state().initstate());
            }
            modules.put(name, mod);
            code.put(mod, modCode);
        } finally {
            moduleMutex.unlock();
        }
        point("load_module:unformed");
        mod.unloadInit();
        try {
            for (String target : uses) {
                refModule(mod, target);
            }
        } catch (KernelException e) {
            freeModule(mod);
            throw e;
        }
        // complete_formation(): UNFORMED -> COMING under module_mutex
        lockModuleMutex();
        try {
            mod.setState(ModuleState.COMING);
        } finally {
            moduleMutex.unlock();
        }
        point("load_module:coming");
        prepareComingModule(mod);
        return mod;
    }

    /** Models do_init_module() for a module {@link #prepareLoad} left COMING. */
    public Module initModule(Module mod) {
        return initModule(mod, code.get(mod));
    }

    /**
     * do_init_module() with the init step given: for code that has already been started by
     * other means, {@code init} only reports how that went.
     */
    public Module initModule(Module mod, ModuleCode c) {
        if (c == null || mod.state() != ModuleState.COMING) {
            throw new IllegalStateException(mod.name() + " is not a COMING module of this table");
        }
        point("do_init_module:before_init");
        return doInitModule(mod, c);
    }

    /** Models ref_module() with strong_try_module_get(): "mod uses target". */
    private void refModule(Module mod, String targetName) {
        Module target = find(targetName).orElseThrow(() -> new KernelException(Errno.ENOENT,
                mod.name() + ": Unknown symbol (module " + targetName + " is not loaded)"));
        if (target.state() == ModuleState.COMING) {
            // the kernel waits up to 30 s for the target's init and then gives up
            klog.accept(mod.name() + ": gave up waiting for init of module " + targetName + ".");
            throw new KernelException(Errno.EBUSY, "module " + targetName + " is still in init");
        }
        if (!tryModuleGet(target, usesHolder(mod))) {
            throw new KernelException(Errno.ENOENT, "module " + targetName + " is going away");
        }
        target.sourceList.add(mod);
        mod.targetList.add(target);
    }

    private static String usesHolder(Module user) {
        return "module " + user.name() + " (uses its symbols)";
    }

    /**
     * Models prepare_coming_module(): the robust notifier chain. If a callback fails, the ones
     * already notified get GOING and the load fails with that errno; the module is freed.
     */
    private void prepareComingModule(Module mod) {
        List<ModuleNotifier> told = new ArrayList<>();
        for (ModuleNotifier n : notifiers) {
            try {
                n.onModuleEvent(mod, ModuleState.COMING);
                told.add(n);
            } catch (RuntimeException e) {
                for (ModuleNotifier done : told) {
                    notifyQuietly(done, mod, ModuleState.GOING);
                }
                mod.setState(ModuleState.GOING);
                freeModule(mod);
                if (e instanceof KernelException ke) {
                    throw ke;
                }
                org.bpfosgi.kernel.Debug.trace(e, System.err);
                throw new KernelException(Errno.EINVAL, "module notifier failed: " + org.bpfosgi.kernel.Debug.describe(e));
            }
        }
    }

    /** Models do_init_module(). */
    private Module doInitModule(Module mod, ModuleCode modCode) {
        int ret;
        String failure = null;
        try {
            ret = mod.image().hasInit() ? modCode.init() : 0;
        } catch (KernelException e) {
            ret = e.errno().negative();
            failure = e.detail();
        } catch (Throwable e) {
            // an init that throws (anything) is a failed init: the kernel's failure path, never a
            // module stuck in COMING
            ret = Errno.EINVAL.negative();
            org.bpfosgi.kernel.Debug.trace(e, System.err);
            failure = mod.name() + ": init failed: " + org.bpfosgi.kernel.Debug.describe(e);
        }
        if (ret < 0) {
            if (failure != null && !failure.isEmpty()) {
                klog.accept(failure);
            }
            // -EEXIST from init means "already loaded" to userspace; recent kernels say -EBUSY
            if (ret == Errno.EEXIST.negative()) {
                ret = Errno.EBUSY.negative();
            }
            mod.setState(ModuleState.GOING);
            point("do_init_module:fail");
            mod.put(Module.INIT_HOLD, new ArrayList<>());
            notifyAll(mod, ModuleState.GOING);
            freeModule(mod);
            throw new KernelException(Errno.ofOrElse(ret, Errno.EINVAL), failure);
        }
        if (ret > 0) {
            klog.accept(mod.name() + ": init suspiciously returned " + ret
                    + ", it should follow 0/-E convention");
            klog.accept(mod.name() + ": loading module anyway...");
        }
        lockModuleMutex();
        try {
            mod.setState(ModuleState.LIVE);
        } finally {
            moduleMutex.unlock();
        }
        notifyAll(mod, ModuleState.LIVE);
        // drop the init hold: refcnt back to MODULE_REF_BASE
        mod.put(Module.INIT_HOLD, new ArrayList<>());
        point("do_init_module:live");
        return mod;
    }

    // ---------------------------------------------------------------- unload

    /** What {@link #deleteModule} did: 0 or a negative errno, and whether it was forced. */
    public record DeleteResult(int ret, boolean forced, Map<String, Integer> holdersLeft, List<String> usedBy) {
        public boolean ok() {
            return ret == 0;
        }

        public Optional<Errno> errno() {
            return ret == 0 ? Optional.empty() : Optional.of(Errno.of(ret));
        }
    }

    /**
     * Models the delete_module syscall (kernel/module/main.c), checks in the kernel's order:
     * -ENOENT (not found or UNFORMED), -EWOULDBLOCK (other modules use it), -EBUSY (not LIVE),
     * -EBUSY (init without exit, unforced), -EWOULDBLOCK (referenced, unforced). A forced unload
     * ({@link #O_TRUNC}) taints the kernel 'R'. On success: GOING, exit, notifier GOING, freed.
     * (-EPERM for CAP_SYS_MODULE and -EINTR do not arise in the model.)
     */
    public DeleteResult deleteModule(String name, int flags) {
        // strncpy_from_user(name, .., MODULE_NAME_LEN - 1): longer names are truncated
        String n = name.length() > ModuleImage.MODULE_NAME_LEN - 1
                ? name.substring(0, ModuleImage.MODULE_NAME_LEN - 1) : name;
        Module mod;
        boolean forced = false;
        lockModuleMutex();
        try {
            point("delete_module:locked");
            mod = find(n).orElse(null);
            if (mod == null) {
                return new DeleteResult(Errno.ENOENT.negative(), false, Map.of(), List.of());
            }
            if (!mod.sourceList.isEmpty()) {
                // Other modules depend on us: get rid of them first.
                return new DeleteResult(Errno.EWOULDBLOCK.negative(), false, mod.holders(), mod.usedBy());
            }
            // Doing init or already dying?
            if (mod.state() != ModuleState.LIVE) {
                return new DeleteResult(Errno.EBUSY.negative(), false, mod.holders(), List.of());
            }
            // If it has an init func, it must have an exit func to unload
            if (mod.image().hasInit() && !mod.image().hasExit()) {
                forced = tryForceUnload(flags);
                if (!forced) {
                    return new DeleteResult(Errno.EBUSY.negative(), false, mod.holders(), List.of());
                }
            }
            point("delete_module:before_refcount_check");
            // try_stop_module()
            if (mod.tryReleaseModuleRef() != 0) {
                forced = tryForceUnload(flags);
                if (!forced) {
                    return new DeleteResult(Errno.EWOULDBLOCK.negative(), false, mod.holders(), List.of());
                }
            }
            mod.setState(ModuleState.GOING);
            point("delete_module:after_refcount_check");
        } finally {
            moduleMutex.unlock();
        }
        Map<String, Integer> left = mod.holders();
        if (forced && !left.isEmpty()) {
            klog.accept("Forced unload of " + mod.name() + ": references left dangling: " + holders(left));
        }
        runExit(mod);
        notifyAll(mod, ModuleState.GOING);
        lastUnloaded = mod.name();
        freeModule(mod);
        point("delete_module:freed");
        return new DeleteResult(0, forced, left, List.of());
    }

    /**
     * A module whose code is going away without delete_module (its bundle is being stopped by
     * other means: Gogo {@code stop}, a jar removed behind the model's back): the model treats
     * it as a forced unload. Taints 'R', warns about the holders left dangling and marks it
     * GOING, so nothing can take a new reference. {@link #completeForcedUnload} finishes it
     * once the code has stopped (its exit ran as part of the bundle stop).
     *
     * @return false if the module was not (or no longer) loaded
     */
    public boolean beginForcedUnload(Module mod, String reason) {
        lockModuleMutex();
        try {
            if (mod.isFreed() || modules.get(mod.name()) != mod || mod.state() == ModuleState.GOING) {
                return false;
            }
            addTaint(TAINT_FORCED_RMMOD);
            mod.setState(ModuleState.GOING);
            forcedGoing.add(mod);
        } finally {
            moduleMutex.unlock();
        }
        Map<String, Integer> left = mod.holders();
        List<String> users = mod.usedBy();
        klog.accept("Forced unload of " + mod.name() + " (" + reason + ")"
                + (left.isEmpty() && users.isEmpty() ? "" : ": references left dangling: "
                + (users.isEmpty() ? "" : "used by " + String.join(" ", users) + (left.isEmpty() ? "" : "; "))
                + holders(left)));
        return true;
    }

    /**
     * Holders as the log and rmmod print them: "prog 1 kfunc_btf_tab off 1, prog 2 x2" (a holder
     * with several references gets its count), never a Java map.
     */
    public static String holders(Map<String, Integer> h) {
        return h.entrySet().stream().map(x -> x.getValue() == 1 ? x.getKey() : x.getKey() + " x" + x.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Second half of a forced unload: notifier GOING, then free_module(). */
    public void completeForcedUnload(Module mod) {
        lockModuleMutex();
        try {
            // claimed once: a second call (or a racing delete_module) must not free it twice
            if (!forcedGoing.remove(mod)) {
                return;
            }
        } finally {
            moduleMutex.unlock();
        }
        notifyAll(mod, ModuleState.GOING);
        lastUnloaded = mod.name();
        freeModule(mod);
    }

    /** Models try_force_unload(): {@code CONFIG_MODULE_FORCE_UNLOAD && (flags & O_TRUNC)}; taints 'R'. */
    private boolean tryForceUnload(int flags) {
        boolean f = (flags & O_TRUNC) != 0;
        if (f) {
            addTaint(TAINT_FORCED_RMMOD);
        }
        return f;
    }

    private void runExit(Module mod) {
        ModuleCode c = code.get(mod);
        if (c == null || !mod.image().hasExit()) {
            return;
        }
        try {
            c.exit();
        } catch (Exception | LinkageError e) {
            klog.accept(mod.name() + ": exit threw " + e);
        }
    }

    /** Models free_module() with module_unload_free(): drops the uses of other modules. */
    private void freeModule(Module mod) {
        lockModuleMutex();
        try {
            modules.remove(mod.name(), mod);
            code.remove(mod);
        } finally {
            moduleMutex.unlock();
        }
        List<Module> targets;
        synchronized (mod.targetList) {
            targets = new ArrayList<>(mod.targetList);
            mod.targetList.clear();
        }
        for (Module t : targets) {
            t.sourceList.remove(mod);
            modulePut(t, usesHolder(mod));
        }
        mod.markFreed();
    }

    private void notifyAll(Module mod, ModuleState event) {
        for (ModuleNotifier n : notifiers) {
            notifyQuietly(n, mod, event);
        }
    }

    private void notifyQuietly(ModuleNotifier n, Module mod, ModuleState event) {
        try {
            n.onModuleEvent(mod, event);
        } catch (RuntimeException e) {
            klog.accept("module notifier failed on " + event + " of " + mod.name() + ": " + e.getMessage());
        }
    }
}
