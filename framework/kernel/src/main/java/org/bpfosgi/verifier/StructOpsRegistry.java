package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfIdRef;
import org.bpfosgi.btf.BtfIdSet;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.Module;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.Kfunc;
import org.bpfosgi.subsystem.KfuncFilter;
import org.bpfosgi.subsystem.KfuncSet;
import org.bpfosgi.subsystem.StructOps;

/**
 * The kernel's per-BTF registrations the verifier consults: the struct_ops descriptors
 * ({@code btf->struct_ops_tab}, filled by {@code register_bpf_struct_ops()}) and the kfunc sets
 * ({@code btf->kfunc_set_tab}, filled by {@code register_btf_kfunc_id_set()}), plus the kfunc
 * bodies bound by name in {@link Kallsyms}.
 *
 * <p><b>For the host.</b> When a subsystem's {@link BpfSubsystem} service appears, call
 * {@link #register(Module, BtfObject, BpfSubsystem)} with the module (null for a built-in
 * subsystem, whose BTF was folded into vmlinux BTF) and the BTF object its header was compiled
 * into (the module's BTF, or vmlinux's for a built-in), <em>while the module is COMING</em>
 * (that is where module_init registers them); when the service goes away (module_exit), call
 * {@link #unregister(Module, BtfObject)}. Register returns 0 or a negative errno, which should
 * fail module_init as the kernel's would; details go to the kernel log.
 *
 * <p>Thread-safe: registration and lookups synchronise on the registry.
 */
public final class StructOpsRegistry {
    /** What one BTF object carries. */
    private static final class PerBtf {
        final List<StructOpsDesc> structOps = new ArrayList<>();
        /** hook to (kfunc btf id to KF_ flags), sorted by id as the kernel's set is. */
        final Map<BpfProgType, TreeMap<Integer, Integer>> kfuncSets = new EnumMap<>(BpfProgType.class);
        /** hook to owner-registered (a module may register once per hook). */
        final Map<BpfProgType, Boolean> moduleHooks = new EnumMap<>(BpfProgType.class);
        /** hook to its filters ({@code hook_filter->filters[]}), in registration order. */
        final Map<BpfProgType, List<KfuncFilter>> filters = new EnumMap<>(BpfProgType.class);
    }

    private final Kallsyms kallsyms;
    private final Consumer<String> klog;
    private final Map<BtfObject, PerBtf> perBtf = new IdentityHashMap<>();

    public StructOpsRegistry(Kallsyms kallsyms, Consumer<String> klog) {
        this.kallsyms = kallsyms;
        this.klog = klog;
    }

    public Kallsyms kallsyms() {
        return kallsyms;
    }

    /**
     * A subsystem's module_init registrations, in the order bpf_testmod does them: its kfunc
     * bodies become symbols, then register_btf_kfunc_id_set() for each registration, then
     * register_bpf_struct_ops() for each struct_ops type. On failure everything registered here
     * is undone and the negative errno returned.
     */
    public synchronized int register(Module owner, BtfObject btf, BpfSubsystem subsystem) {
        for (Map.Entry<String, Kfunc> k : subsystem.functions().entrySet()) {
            kallsyms.add(k.getKey(), owner, k.getValue());
        }
        if (owner != null && btf != null) {
            kallsyms.addBtfVars(btf.btf(), owner); // the module's variables (its per-cpu ones, ksyms)
        }
        for (KfuncSet kset : subsystem.kfuncSets()) {
            for (BpfProgType hook : kset.progTypes()) {
                int err = registerBtfKfuncIdSet(owner, btf, kset, hook);
                if (err < 0) {
                    unregister(owner, btf);
                    return err;
                }
            }
        }
        for (StructOps stOps : subsystem.structOps()) {
            int err = registerBpfStructOps(owner, btf, stOps);
            if (err < 0) {
                unregister(owner, btf);
                return err;
            }
        }
        return 0;
    }

    /**
     * A subsystem's module_exit (or a failed init undoing itself). The kernel has no
     * unregister_bpf_struct_ops() or unregister of kfunc sets: the descriptors and kfunc sets
     * live in the module's BTF object and go only when it is freed ({@link #btfFree}), which
     * can be after the module is gone when a program load still holds the BTF (fd_array,
     * kfunc_btf_tab). The module's symbols go with it. For a built-in nothing is ever
     * unregistered in the kernel; the model allows it for tests and drops its struct_ops.
     */
    public synchronized void unregister(Module owner, BtfObject btf) {
        if (owner == null) {
            PerBtf p = perBtf.get(btf);
            if (p != null) {
                p.structOps.removeIf(d -> d.owner() == null);
            }
        } else {
            kallsyms.removeModule(owner);
        }
    }

    /**
     * Models btf_free()'s btf_free_struct_ops_tab() and btf_free_kfunc_set_tab(): what the
     * BTF object carried goes with its last reference.
     */
    public synchronized void btfFree(BtfObject btf) {
        perBtf.remove(btf);
    }

    /**
     * Models register_btf_kfunc_id_set(prog_type, kset) → __register_btf_kfunc_id_set(): the set
     * named by {@code kset} in the BTF's resolved {@code .BTF_ids}, and its filter.
     */
    public synchronized int registerBtfKfuncIdSet(Module owner, BtfObject btf, KfuncSet kset, BpfProgType hookType) {
        Optional<BtfIdSet> set = btf.compiled() == null ? Optional.empty() : btf.compiled().set(kset.setName());
        if (set.isEmpty()) {
            klog.accept("kfunc set " + kset.setName() + " is not in the BTF of " + btf.name());
            return Errno.ENOENT.negative();
        }
        return registerBtfKfuncIdSet(owner, btf, set.get(), kset.filter(), hookType);
    }

    /** {@link #registerBtfKfuncIdSet(Module, BtfObject, KfuncSet, BpfProgType)} with the resolved set itself. */
    public synchronized int registerBtfKfuncIdSet(Module owner, BtfObject btf, BtfIdSet kset,
                                                  Optional<KfuncFilter> filter, BpfProgType hookType) {
        Optional<BtfIdSet> set = Optional.of(kset);
        String setName = kset.name();
        if (!set.get().kfuncs()) {
            // WARN_ON(!(kset->set->flags & BTF_SET8_KFUNCS))
            klog.accept("WARNING: kfunc set " + setName + " is not a BTF_KFUNCS set");
            return Errno.EINVAL.negative();
        }
        BpfProgType hook = hookOf(hookType);
        PerBtf p = perBtf.computeIfAbsent(btf, b -> new PerBtf());
        if (owner != null && p.moduleHooks.containsKey(hook)) {
            // btf_populate_kfunc_set(): a module may register once per hook
            klog.accept("WARNING: " + owner.name() + " registers a second kfunc set for one hook");
            return Errno.EINVAL.negative();
        }
        for (BtfIdRef r : set.get().entries()) {
            int id = r.id();
            if (id <= 0 || btf.btf().kind(id) != BtfKind.FUNC
                    || btf.btf().kind(((org.bpfosgi.btf.BtfType.Func) btf.btf().type(id)).type()) != BtfKind.FUNC_PROTO) {
                klog.accept("kfunc " + r.name() + " is not a function");
                return Errno.EINVAL.negative();
            }
        }
        TreeMap<Integer, Integer> tab = p.kfuncSets.computeIfAbsent(hook, h -> new TreeMap<>());
        for (BtfIdRef r : set.get().entries()) {
            tab.put(r.id(), r.flags());
        }
        if (owner != null) {
            p.moduleHooks.put(hook, true);
        }
        // btf_populate_kfunc_set(): the filter is added to the hook's filter list
        filter.ifPresent(f -> p.filters.computeIfAbsent(hook, h -> new ArrayList<>()).add(f));
        return 0;
    }

    /** Models bpf_prog_type_to_kfunc_hook(): UNSPEC is the COMMON hook. */
    private static BpfProgType hookOf(BpfProgType t) {
        return t;
    }

    /**
     * Models register_bpf_struct_ops() → btf_add_struct_ops() → bpf_struct_ops_desc_init(),
     * ending with {@code st_ops->init(btf)} ("Error in init bpf_struct_ops %s", -EINVAL).
     */
    public synchronized int registerBpfStructOps(Module owner, BtfObject btf, StructOps stOps) {
        PerBtf p = perBtf.computeIfAbsent(btf, b -> new PerBtf());
        String name = stOps.name();
        for (StructOpsDesc d : p.structOps) {
            if (d.stOps() == stOps) {
                // btf_add_struct_ops(): the same st_ops twice
                return Errno.EEXIST.negative();
            }
        }
        int typeId = btf.btf().findByNameKind(name, BtfKind.STRUCT);
        if (typeId < 0) {
            klog.accept("Cannot find struct " + name + " in " + btf.name());
            return Errno.EINVAL.negative();
        }
        String valueName = "bpf_struct_ops_" + name;
        int valueId = btf.btf().findByNameKind(valueName, BtfKind.STRUCT);
        if (valueId < 0) {
            klog.accept("Cannot find struct " + valueName + " in " + btf.name());
            return Errno.EINVAL.negative();
        }
        try {
            stOps.init(btf.btf());
        } catch (RuntimeException e) {
            // a KernelException is the callback's error return; anything else is its bug: both fail the init
            klog.accept("Error in init bpf_struct_ops " + name);
            return Errno.EINVAL.negative();
        }
        p.structOps.add(new StructOpsDesc(name, btf, typeId, valueId, owner, stOps));
        return 0;
    }

    /** Models bpf_struct_ops_find(btf, type_id). */
    public synchronized Optional<StructOpsDesc> find(BtfObject btf, int typeId) {
        PerBtf p = perBtf.get(btf);
        if (p == null) {
            return Optional.empty();
        }
        return p.structOps.stream().filter(d -> d.typeId() == typeId).findFirst();
    }

    /** All struct_ops descriptors of a BTF (for the loader's "TYPE.MEMBER" lookup). */
    public synchronized List<StructOpsDesc> structOps(BtfObject btf) {
        PerBtf p = perBtf.get(btf);
        return p == null ? List.of() : List.copyOf(p.structOps);
    }

    /**
     * Models btf_kfunc_id_set_contains(btf, kfunc_btf_id, prog) → __btf_kfunc_id_set_contains():
     * the KF_ flags of the kfunc in the COMMON hook's set, else in the program type's hook's set,
     * unless one of that hook's filters refuses it for {@code prog}; empty when in neither.
     */
    public synchronized OptionalInt kfuncFlags(BtfObject btf, int funcId, BpfProgType progType, BpfProgInfo prog) {
        PerBtf p = perBtf.get(btf);
        if (p == null) {
            return OptionalInt.empty();
        }
        for (BpfProgType hook : new BpfProgType[] {BpfProgType.UNSPEC, progType}) {
            TreeMap<Integer, Integer> tab = p.kfuncSets.get(hook);
            if (tab != null && tab.containsKey(funcId)) {
                for (KfuncFilter f : p.filters.getOrDefault(hook, List.of())) {
                    if (!f.allows(prog, funcId)) {
                        return OptionalInt.empty();
                    }
                }
                return OptionalInt.of(tab.get(funcId));
            }
        }
        return OptionalInt.empty();
    }
}
