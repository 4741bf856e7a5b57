package org.bpfosgi.btf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage.BtfSource;
import org.bpfosgi.module.ModuleTable;

/**
 * The kernel's registry of BTF objects (kernel/bpf/btf.c): {@code btf_idr} (ids allocated
 * cyclically from 1, vmlinux first), {@code btf_get}/{@code btf_put}, the {@code btf_modules}
 * list with its {@code BTF_MODULE_F_LIVE} flag, {@code btf_try_get_module()} and
 * {@code btf_get_module_btf()}. The module notifier that fills it is {@link BtfModuleNotifier}.
 */
public final class BtfRegistry {
    /** BTF_MODULE_F_LIVE. */
    public static final int BTF_MODULE_F_LIVE = 1 << 0;

    /** An entry of the {@code btf_modules} list ({@code struct btf_module}). */
    static final class BtfModule {
        final Module module;
        final BtfObject btf;
        volatile int flags;

        BtfModule(Module module, BtfObject btf) {
            this.module = module;
            this.btf = btf;
        }
    }

    private final ModuleTable modules;
    private final TreeMap<Integer, BtfObject> idr = new TreeMap<>();
    private final List<BtfModule> btfModules = new ArrayList<>();
    private final Map<String, CompiledBtf> builtinIds = new LinkedHashMap<>();
    private int nextId = 1;
    private final BtfObject vmlinux;
    private final List<java.util.function.Consumer<BtfObject>> freeListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Boots the registry: vmlinux BTF gets id 1, as in btf_vmlinux_init / the first idr_alloc.
     *
     * @param vmlinux the vmlinux BTF (real or built-in)
     * @param modules the module table, for try_module_get in {@link #btfTryGetModule}; may be null
     */
    public BtfRegistry(Btf vmlinux, ModuleTable modules) {
        this.modules = modules;
        this.vmlinux = new BtfObject(allocId(), "vmlinux", vmlinux, new CompiledBtf(vmlinux, Map.of(), Map.of()), null);
        idr.put(this.vmlinux.id(), this.vmlinux);
    }

    /** Models btf_alloc_id(): {@code idr_alloc_cyclic(&btf_idr, btf, 1, INT_MAX)}. */
    private synchronized int allocId() {
        for (int tries = 0; tries < Integer.MAX_VALUE; tries++) {
            int id = nextId;
            nextId = nextId == Integer.MAX_VALUE - 1 ? 1 : nextId + 1;
            if (!idr.containsKey(id)) {
                return id;
            }
        }
        throw new BtfException("btf_idr is full");
    }

    /** The vmlinux BTF object (id 1). */
    public BtfObject vmlinux() {
        return vmlinux;
    }

    /** vmlinux BTF. */
    public Btf vmlinuxBtf() {
        return vmlinux.btf();
    }

    /**
     * Folds a built-in subsystem's header into vmlinux BTF (its types and kfuncs become vmlinux
     * types, so kfunc calls to them have {@code off} 0). Types vmlinux already has by name and
     * kind are reused, not duplicated — the real 6.18 vmlinux already has {@code Qdisc_ops},
     * {@code tcp_congestion_ops} and the tcp_reno kfuncs. Only allowed before any module BTF is
     * registered, since module BTF is split at vmlinux's type count.
     *
     * @param name the built-in subsystem (module) name, for {@link #compiledIds(String)}
     */
    public synchronized CompiledBtf extendVmlinux(String name, BtfSource source) {
        if (!btfModules.isEmpty()) {
            throw new BtfException("vmlinux BTF cannot be extended after module BTF was registered");
        }
        CompiledBtf c = CDeclCompiler.compileBuiltin(source.fileName(), source.text(), vmlinux.btf());
        Btf merged = BtfFiles.flatten(c.btf());
        CompiledBtf result = new CompiledBtf(merged, c.idLists(), c.sets());
        Map<String, BtfIdList> lists = new LinkedHashMap<>(vmlinux.compiled().idLists());
        lists.putAll(c.idLists());
        Map<String, BtfIdSet> sets = new LinkedHashMap<>(vmlinux.compiled().sets());
        sets.putAll(c.sets());
        vmlinux.replace(merged, new CompiledBtf(merged, lists, sets));
        builtinIds.put(name, result);
        return result;
    }

    /**
     * Models BPF_BTF_LOAD (btf_new_fd(): btf_parse() of a program's BTF, then btf_alloc_id()):
     * a program BTF object ({@code btf_is_kernel()} false) with the caller's reference — what
     * libbpf loads from an object's {@code .BTF} and passes as a map's {@code btf_fd}. The
     * model's callers hand over parsed BTF (stand-alone or split on vmlinux); it is not run
     * through btf_check_all_types() here.
     */
    public synchronized BtfObject btfLoad(String name, Btf btf) {
        return btfLoad(name, btf, null);
    }

    /**
     * {@link #btfLoad(String, Btf)} with what btf_free() releases besides the object: the
     * references its {@code struct_meta_tab} holds (btf_struct_metas_free()), run once when the
     * last reference is put.
     */
    public synchronized BtfObject btfLoad(String name, Btf btf, Runnable onFree) {
        BtfObject o = new BtfObject(allocId(), name == null ? "" : name, btf, null, null, false);
        o.onFree = onFree;
        idr.put(o.id(), o);
        return o;
    }

    /** Registers a module's compiled BTF (btf_module_notify COMING): new id, not LIVE, list holds a ref. */
    synchronized BtfObject registerModule(Module mod, CompiledBtf compiled) {
        BtfObject o = new BtfObject(allocId(), mod.name(), compiled.btf(), compiled, mod);
        idr.put(o.id(), o);
        btfModules.add(new BtfModule(mod, o));
        return o;
    }

    synchronized void markLive(Module mod) {
        for (BtfModule m : btfModules) {
            if (m.module == mod) {
                m.flags |= BTF_MODULE_F_LIVE;
            }
        }
    }

    /** btf_module_notify GOING: remove the id, unlink, drop the list's reference. */
    void unregisterModule(Module mod) {
        BtfModule entry = null;
        synchronized (this) {
            for (BtfModule m : btfModules) {
                if (m.module == mod) {
                    entry = m;
                }
            }
            if (entry == null) {
                return;
            }
            btfModules.remove(entry);
            idr.remove(entry.btf.id(), entry.btf);
        }
        btfPut(entry.btf);
    }

    /** Models btf_get(). */
    public void btfGet(BtfObject btf) {
        btf.get();
    }

    /**
     * Models btf_put(): on the last reference, the id is removed from the IDR and the object
     * freed — btf_free(), which also frees what lives in the BTF object: its struct_ops
     * descriptors and kfunc sets (btf_free_struct_ops_tab, btf_free_kfunc_set_tab). Those are
     * the {@link #onFree} listeners, called outside the registry's lock.
     */
    public void btfPut(BtfObject btf) {
        if (btf.put()) {
            synchronized (this) {
                idr.remove(btf.id(), btf);
            }
            for (java.util.function.Consumer<BtfObject> l : freeListeners) {
                l.accept(btf);
            }
            if (btf.onFree != null) {
                btf.onFree.run();
            }
        }
    }

    /** Runs {@code onFree} for each BTF object when its last reference is put (btf_free()). */
    public void onFree(java.util.function.Consumer<BtfObject> onFree) {
        freeListeners.add(onFree);
    }

    /** Models btf_get_by_id() as used by BPF_BTF_GET_FD_BY_ID: the object with a new reference. */
    public synchronized Optional<BtfObject> getById(int id) {
        BtfObject o = idr.get(id);
        return o != null && o.tryGet() ? Optional.of(o) : Optional.empty();
    }

    /** The object with this id, without taking a reference (for listing and dumping). */
    public synchronized Optional<BtfObject> peek(int id) {
        return Optional.ofNullable(idr.get(id));
    }

    /** A module's BTF object by module name (without a reference). */
    public synchronized Optional<BtfObject> moduleBtf(String name) {
        for (BtfModule m : btfModules) {
            if (m.module.name().equals(name)) {
                return Optional.of(m.btf);
            }
        }
        return Optional.empty();
    }

    /** Whether the module's btf_modules entry has BTF_MODULE_F_LIVE. */
    public synchronized boolean isLive(String moduleName) {
        for (BtfModule m : btfModules) {
            if (m.module.name().equals(moduleName)) {
                return (m.flags & BTF_MODULE_F_LIVE) != 0;
            }
        }
        return false;
    }

    /**
     * Models btf_try_get_module(): the module owning {@code btf}, with a module reference held by
     * {@code holder}, only if its entry is LIVE and try_module_get() succeeds; else empty.
     *
     * <p>The kernel walks btf_modules and calls try_module_get() in one go under
     * btf_module_mutex, so the module cannot go through its GOING notifier (which takes the same
     * mutex to drop the entry) and be freed in between. The model passes the
     * {@code try_module_get:NAME} point (where the race harness may park the caller) before it
     * takes the registry lock, and then looks up, checks the LIVE flag and gets under the lock,
     * without a point: a module whose entry went away meanwhile is not touched at all.
     */
    public Optional<Module> btfTryGetModule(BtfObject btf, String holder) {
        Module candidate = liveOwner(btf);
        if (candidate == null || modules == null) {
            return Optional.empty();
        }
        modules.point("try_module_get:" + candidate.name());
        synchronized (this) {
            Module now = liveOwner(btf);
            if (now == null || !modules.tryModuleGetAfterPoint(now, holder)) {
                return Optional.empty();
            }
            return Optional.of(now);
        }
    }

    /** The module of {@code btf}'s btf_modules entry if that entry is LIVE, else null. */
    private synchronized Module liveOwner(BtfObject btf) {
        for (BtfModule m : btfModules) {
            if (m.btf == btf) {
                return (m.flags & BTF_MODULE_F_LIVE) != 0 ? m.module : null;
            }
        }
        return null;
    }

    /**
     * Models btf_get_module_btf(): null module = vmlinux BTF with a reference; else the module's
     * BTF with a reference, or empty if it has none.
     */
    public synchronized Optional<BtfObject> btfGetModuleBtf(Module mod) {
        if (mod == null) {
            vmlinux.get();
            return Optional.of(vmlinux);
        }
        for (BtfModule m : btfModules) {
            if (m.module == mod) {
                m.btf.get();
                return Optional.of(m.btf);
            }
        }
        return Optional.empty();
    }

    /**
     * The resolved BTF id lists and sets of a module (its own BTF) or of a built-in subsystem
     * folded into vmlinux: what its verifier-ops service carries.
     */
    public synchronized Optional<CompiledBtf> compiledIds(String moduleName) {
        if (builtinIds.containsKey(moduleName)) {
            return Optional.of(builtinIds.get(moduleName));
        }
        return moduleBtf(moduleName).map(BtfObject::compiled);
    }

    /** All registered objects by id. */
    /** The BTF objects of loaded modules, in load order (what a loader searches for kfuncs). */
    public synchronized List<BtfObject> moduleBtfs() {
        return list().stream().filter(BtfObject::isModule).toList();
    }

    /** The reference count of a BTF object ({@code refcount_read(&btf->refcnt)}). */
    public int refcnt(BtfObject btf) {
        return btf.refcnt();
    }

    public synchronized List<BtfObject> list() {
        return List.copyOf(idr.values());
    }

    /** {@code bpftool btf list} text: {@code 1: name [vmlinux]  size 5520272B}. */
    public String listText() {
        StringBuilder sb = new StringBuilder();
        for (BtfObject o : list()) {
            sb.append(o.id()).append(": name [").append(o.name()).append("]  size ").append(o.btf().rawSize())
                    .append("B\n");
        }
        return sb.toString();
    }
}
