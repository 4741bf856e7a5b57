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
        /** {@code btf->dtor_kfunc_tab}: type id to its destructor kfunc's id, sorted by type id. */
        TreeMap<Integer, Integer> dtors;
    }

    /** BTF_DTOR_KFUNC_MAX_CNT. */
    static final int BTF_DTOR_KFUNC_MAX_CNT = 256;

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

    /** A kernel-log line. */
    void klog(String line) {
        klog.accept(line);
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
        if (!subsystem.dtorKfuncs().isEmpty()) {
            int err = registerBtfIdDtorKfuncs(owner, btf, subsystem.dtorKfuncs());
            if (err < 0) {
                unregister(owner, btf);
                return err;
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

    /**
     * Models register_btf_id_dtor_kfuncs(dtors, add_cnt, owner) (kernel/bpf/btf.c, v6.12) on the
     * owner's BTF ({@code btf}: vmlinux's for built-in code): too many (-E2BIG, pr_err),
     * btf_check_dtor_kfuncs() — each destructor a FUNC whose FUNC_PROTO returns void and takes one
     * pointer (-EINVAL) — a module registering twice (WARN, -EINVAL), then the entries are added
     * and the table sorted by type id. On failure the BTF's table is freed
     * (btf_free_dtor_kfunc_tab()), as the kernel does.
     */
    public synchronized int registerBtfIdDtorKfuncs(Module owner, BtfObject btf, List<org.bpfosgi.subsystem.BtfIdDtorKfunc> dtors) {
        PerBtf p = perBtf.computeIfAbsent(btf, b -> new PerBtf());
        int ret = registerDtors(owner, btf, p, dtors);
        if (ret < 0) {
            p.dtors = null;
        }
        return ret;
    }

    private int registerDtors(Module owner, BtfObject btf, PerBtf p, List<org.bpfosgi.subsystem.BtfIdDtorKfunc> dtors) {
        if (dtors.size() >= BTF_DTOR_KFUNC_MAX_CNT) {
            klog.accept("cannot register more than " + BTF_DTOR_KFUNC_MAX_CNT + " kfunc destructors");
            return Errno.E2BIG.negative();
        }
        List<int[]> pairs = new ArrayList<>();
        for (org.bpfosgi.subsystem.BtfIdDtorKfunc d : dtors) {
            Optional<org.bpfosgi.btf.BtfIdList> list = btf.compiled() == null ? Optional.empty()
                    : Optional.ofNullable(btf.compiled().idLists().get(d.idList()));
            if (list.isEmpty() || d.btfIdIndex() >= list.get().entries().size()
                    || d.kfuncBtfIdIndex() >= list.get().entries().size()) {
                // the module's own array: in C an out-of-bounds read of its BTF_ID_LIST
                klog.accept("dtor kfunc list " + d.idList() + " is not in the BTF of " + btf.name()
                        + " or too short");
                return Errno.EINVAL.negative();
            }
            pairs.add(new int[] {list.get().id(d.btfIdIndex()), list.get().id(d.kfuncBtfIdIndex())});
        }
        // btf_check_dtor_kfuncs(): 'void func(type *)'
        org.bpfosgi.btf.Btf b = btf.btf();
        for (int[] pr : pairs) {
            int f = pr[1];
            if (f <= 0 || f >= b.nrTypes() || b.kind(f) != BtfKind.FUNC) {
                return Errno.EINVAL.negative();
            }
            int protoId = ((org.bpfosgi.btf.BtfType.Func) b.type(f)).type();
            if (b.kind(protoId) != BtfKind.FUNC_PROTO) {
                return Errno.EINVAL.negative();
            }
            org.bpfosgi.btf.BtfType.FuncProto proto = (org.bpfosgi.btf.BtfType.FuncProto) b.type(protoId);
            if (proto.returnType() != 0 || proto.params().size() != 1
                    || b.kind(proto.params().get(0).type()) != BtfKind.PTR) {
                return Errno.EINVAL.negative();
            }
        }
        if (p.dtors != null && owner != null) {
            // WARN_ON_ONCE(tab && btf_is_module(btf)): only one call allowed for modules
            klog.accept("WARNING: " + owner.name() + " registers kfunc destructors twice");
            return Errno.EINVAL.negative();
        }
        int tabCnt = p.dtors == null ? 0 : p.dtors.size();
        if (tabCnt + pairs.size() >= BTF_DTOR_KFUNC_MAX_CNT) {
            klog.accept("cannot register more than " + BTF_DTOR_KFUNC_MAX_CNT + " kfunc destructors");
            return Errno.E2BIG.negative();
        }
        if (p.dtors == null) {
            p.dtors = new TreeMap<>();
        }
        for (int[] pr : pairs) {
            p.dtors.put(pr[0], pr[1]);
        }
        return 0;
    }

    /**
     * Models btf_find_dtor_kfunc(btf, btf_id): the destructor's FUNC id registered for the type,
     * or -ENOENT (no table, or the type is not in it).
     */
    public synchronized int btfFindDtorKfunc(BtfObject btf, int btfId) {
        PerBtf p = perBtf.get(btf);
        if (p == null || p.dtors == null) {
            return Errno.ENOENT.negative();
        }
        Integer f = p.dtors.get(btfId);
        return f == null ? Errno.ENOENT.negative() : f;
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
