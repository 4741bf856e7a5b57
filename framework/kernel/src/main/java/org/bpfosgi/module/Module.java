package org.bpfosgi.module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Models {@code struct module} (include/linux/module.h): its state, its reference count
 * ({@code refcnt}, with {@link #MODULE_REF_BASE}) and its "used by" lists. Unlike the kernel,
 * every reference is taken on behalf of a named holder, so that a user debugging a refused
 * unload sees who holds what; the count itself follows the kernel exactly.
 *
 * <p>Reference operations are lock-free, as the kernel's are (atomics under preempt_disable);
 * state changes are made by {@link ModuleTable} under its module_mutex.
 */
public final class Module {
    /** kernel/module/main.c: {@code #define MODULE_REF_BASE 1}. */
    public static final int MODULE_REF_BASE = 1;
    /** The holder name of the reference module_unload_init() takes for the duration of init. */
    public static final String INIT_HOLD = "init hold";

    private final ModuleImage image;
    private volatile ModuleState state = ModuleState.UNFORMED;
    /** {@code atomic_t refcnt}: MODULE_REF_BASE + external references (+1 init hold during init). */
    private final AtomicInteger refcnt = new AtomicInteger();
    /** Who holds the external references: holder name to count. Not in the kernel. */
    private final Map<String, Integer> holders = new LinkedHashMap<>();
    /** {@code source_list}: modules that use this one (its "Used by"). */
    final Set<Module> sourceList = Collections.synchronizedSet(new LinkedHashSet<>());
    /** {@code target_list}: modules this one uses. */
    final Set<Module> targetList = Collections.synchronizedSet(new LinkedHashSet<>());
    private volatile boolean freed;
    private final List<String> useAfterFree = Collections.synchronizedList(new ArrayList<>());

    Module(ModuleImage image) {
        this.image = image;
    }

    public String name() {
        return image.name();
    }

    public ModuleImage image() {
        return image;
    }

    public ModuleState state() {
        return state;
    }

    void setState(ModuleState state) {
        this.state = state;
    }

    /** True once free_module() ran: every later use is a use-after-free. */
    public boolean isFreed() {
        return freed;
    }

    void markFreed() {
        freed = true;
    }

    /** Models include/linux/module.h module_is_live(): {@code state != MODULE_STATE_GOING}. */
    public boolean isLive() {
        return state != ModuleState.GOING;
    }

    /** The raw {@code refcnt} (what /sys/module/NAME/refcnt shows is {@link #refcount()}). */
    public int rawRefcnt() {
        return refcnt.get();
    }

    /**
     * Models kernel/module/main.c module_refcount(): {@code refcnt - MODULE_REF_BASE};
     * -1 means "unloading".
     */
    public int refcount() {
        return refcnt.get() - MODULE_REF_BASE;
    }

    /** Models module_unload_init(): refcnt = MODULE_REF_BASE, plus the init hold. */
    void unloadInit() {
        refcnt.set(MODULE_REF_BASE);
        refcnt.incrementAndGet();
        addHolder(INIT_HOLD);
    }

    /**
     * Models try_module_get(): succeeds only if the module is live (not GOING; COMING counts as
     * live) and refcnt was non-zero (atomic_inc_not_zero).
     */
    boolean tryGet(String holder) {
        if (freed) {
            useAfterFree.add("try_module_get by " + holder + " after the module was freed");
            return false;
        }
        if (!isLive()) {
            return false;
        }
        while (true) {
            int c = refcnt.get();
            if (c == 0) {
                return false;
            }
            if (refcnt.compareAndSet(c, c + 1)) {
                addHolder(holder);
                // the state may have become GOING between the check and the increment; the
                // kernel has the same window (delete_module then sees the reference).
                return true;
            }
        }
    }

    /** Models __module_get(): unconditional increment; the caller already holds a reference. */
    void get(String holder) {
        if (freed) {
            useAfterFree.add("__module_get by " + holder + " after the module was freed");
            return;
        }
        refcnt.incrementAndGet();
        addHolder(holder);
    }

    /**
     * Models module_put(): atomic_dec_if_positive; a put that would go below zero is refused and
     * WARNs. Returns false in that case (or for an unknown holder, which the kernel cannot see).
     */
    boolean put(String holder, List<String> warnings) {
        if (freed) {
            useAfterFree.add("module_put by " + holder + " after the module was freed");
            warnings.add("BUG: module_put(" + name() + ") by " + holder + ": use after free");
            return false;
        }
        // the holder is forgotten before the count drops, so that whoever sees the count at its
        // base (delete_module) never sees a holder that has already let go
        boolean known = removeHolder(holder);
        while (true) {
            int c = refcnt.get();
            if (c <= 0) {
                if (known) {
                    addHolder(holder);
                }
                warnings.add("WARNING: module_put(" + name() + ") by " + holder
                        + ": refcount would go negative (WARN_ON(ret < 0))");
                return false;
            }
            if (refcnt.compareAndSet(c, c - 1)) {
                if (!known) {
                    warnings.add("WARNING: module_put(" + name() + ") by " + holder
                            + " who holds no reference");
                }
                return true;
            }
        }
    }

    /**
     * Models try_release_module_ref(): subtract MODULE_REF_BASE; if references remain, add the
     * base back unless the count meanwhile reached zero (atomic_add_unless(.., 0)), in which case
     * the release succeeded after all. Returns the number of remaining references (0 = released).
     */
    int tryReleaseModuleRef() {
        int ret = refcnt.addAndGet(-MODULE_REF_BASE);
        if (ret < 0) {
            throw new IllegalStateException("BUG_ON(ret < 0) in try_release_module_ref for " + name());
        }
        if (ret != 0) {
            while (true) {
                int c = refcnt.get();
                if (c == 0) {
                    return 0;
                }
                if (refcnt.compareAndSet(c, c + MODULE_REF_BASE)) {
                    return c;
                }
            }
        }
        return 0;
    }

    private void addHolder(String holder) {
        synchronized (holders) {
            holders.merge(holder, 1, Integer::sum);
        }
    }

    private boolean removeHolder(String holder) {
        synchronized (holders) {
            Integer n = holders.get(holder);
            if (n == null) {
                return false;
            }
            if (n == 1) {
                holders.remove(holder);
            } else {
                holders.put(holder, n - 1);
            }
            return true;
        }
    }

    /** Named holders of references, in the order they first took one, with their counts. */
    public Map<String, Integer> holders() {
        synchronized (holders) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(holders));
        }
    }

    /** The modules using this one ({@code source_list}), by name. */
    public List<String> usedBy() {
        synchronized (sourceList) {
            return sourceList.stream().map(Module::name).toList();
        }
    }

    /** The modules this one uses ({@code target_list}), by name. */
    public List<String> uses() {
        synchronized (targetList) {
            return targetList.stream().map(Module::name).toList();
        }
    }

    /** Uses of this module after it was freed (only possible after a forced unload). */
    public List<String> useAfterFreeReports() {
        synchronized (useAfterFree) {
            return List.copyOf(useAfterFree);
        }
    }

    /** Records a use of this module's code or data after it was freed (forced unload). */
    public void reportUseAfterFree(String what) {
        useAfterFree.add(what);
    }

    @Override
    public String toString() {
        return name() + "[" + state + ", refcount " + refcount() + "]";
    }
}
