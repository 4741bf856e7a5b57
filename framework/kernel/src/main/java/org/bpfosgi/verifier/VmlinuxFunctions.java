package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfIdRef;
import org.bpfosgi.btf.BtfIdSet;
import org.bpfosgi.btf.KfFlags;
import org.bpfosgi.btf.api.BtfKind;

import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.Kfunc;

/**
 * vmlinux's own BPF-callable functions in the model: the base helpers (symbols for
 * do_misc_fixups()) and the generic kfuncs of kernel/bpf/helpers.c that the built-in BTF declares
 * ({@code generic_btf_ids}: bpf_cgroup_acquire, bpf_cgroup_release, bpf_cgroup_from_id), with
 * their kfunc set registered as kernel/bpf/helpers.c kfunc_init() registers it.
 *
 * <p>The model has no cgroups: bpf_cgroup_from_id() finds none and returns NULL (which is what
 * the selftests' kfunc prologue relies on: "cgroup id 0 never exists"); acquire returns its
 * argument; release does nothing.
 */
public final class VmlinuxFunctions {
    private VmlinuxFunctions() {
    }

    /** Boot-time registrations against vmlinux BTF; returns 0 or a negative errno. */
    public static int register(StructOpsRegistry registry, BtfObject vmlinux) {
        Kallsyms ks = registry.kallsyms();
        for (var e : BaseFuncProtos.all().entrySet()) {
            ks.add(e.getValue().name(), null, null);
        }
        // net/core helpers a subsystem's get_func_proto may return (bpf_tcp_ca, bpf_qdisc):
        // bpf_sk_setsockopt/bpf_sk_getsockopt (filter.c), bpf_sk_storage_get/delete
        // (bpf_sk_storage.c), under the helper names do_misc_fixups() looks up
        for (String helper : List.of("bpf_setsockopt", "bpf_getsockopt", "bpf_sk_storage_get", "bpf_sk_storage_delete")) {
            ks.add(helper, null, null);
        }
        // kernel variables (per-cpu ones in vmlinux BTF) are kallsyms data symbols:
        // check_pseudo_btf_id() finds a ksym's address by its VAR's name
        ks.addBtfVars(vmlinux.btf(), null);
        Kfunc acquire = (mem, args) -> args[0];
        Kfunc release = (mem, args) -> 0;
        Kfunc fromId = (mem, args) -> 0;
        ks.add("bpf_cgroup_acquire", null, acquire);
        ks.add("bpf_cgroup_release", null, release);
        ks.add("bpf_cgroup_from_id", null, fromId);
        // the map ops do_misc_fixups() patches map helper calls into (MapOps: htab_map_update_elem,
        // array_map_lookup_elem, ..., and htab_map_gen_lookup()'s __htab_map_lookup_elem)
        for (String fn : MapOps.symbols()) {
            ks.add(fn, null, null);
        }
        // generic_btf_ids, resolved by name as resolve_btfids does (the real vmlinux BTF has the
        // functions but not the model's .BTF_ids sets); a function the BTF lacks is left out
        List<BtfIdRef> ids = new ArrayList<>();
        Object[][] set = {{"bpf_cgroup_acquire", KfFlags.KF_ACQUIRE | KfFlags.KF_RCU | KfFlags.KF_RET_NULL},
            {"bpf_cgroup_release", KfFlags.KF_RELEASE}, {"bpf_cgroup_from_id", KfFlags.KF_ACQUIRE | KfFlags.KF_RET_NULL}};
        for (Object[] e : set) {
            int id = vmlinux.btf().findByNameKind((String) e[0], BtfKind.FUNC);
            if (id > 0) {
                ids.add(new BtfIdRef("func", (String) e[0], id, (Integer) e[1], "kernel/bpf/helpers.c"));
            }
        }
        ids.sort(Comparator.comparingInt(BtfIdRef::id));
        BtfIdSet generic = new BtfIdSet("generic_btf_ids", true, KfFlags.BTF_SET8_KFUNCS, ids);
        for (BpfProgType t : List.of(BpfProgType.TRACING, BpfProgType.SCHED_CLS, BpfProgType.XDP,
                BpfProgType.STRUCT_OPS, BpfProgType.SYSCALL)) {
            int r = registry.registerBtfKfuncIdSet(null, vmlinux, generic, Optional.empty(), t);
            if (r < 0) {
                return r;
            }
        }
        return 0;
    }
}
