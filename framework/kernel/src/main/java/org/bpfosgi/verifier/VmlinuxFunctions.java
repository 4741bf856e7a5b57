package org.bpfosgi.verifier;

import java.util.List;

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
    public static int register(StructOpsRegistry registry, BtfHandle vmlinux) {
        Kallsyms ks = registry.kallsyms();
        for (var e : BaseFuncProtos.all().entrySet()) {
            ks.add(e.getValue().name(), null, null);
        }
        Kfunc acquire = (mem, args) -> args[0];
        Kfunc release = (mem, args) -> 0;
        Kfunc fromId = (mem, args) -> 0;
        ks.add("bpf_cgroup_acquire", null, acquire);
        ks.add("bpf_cgroup_release", null, release);
        ks.add("bpf_cgroup_from_id", null, fromId);
        if (vmlinux.compiled() != null && vmlinux.compiled().set("generic_btf_ids").isPresent()) {
            for (BpfProgType t : List.of(BpfProgType.TRACING, BpfProgType.SCHED_CLS, BpfProgType.XDP,
                    BpfProgType.STRUCT_OPS, BpfProgType.SYSCALL)) {
                int r = registry.registerBtfKfuncIdSet(null, vmlinux, "generic_btf_ids", t);
                if (r < 0) {
                    return r;
                }
            }
        }
        return 0;
    }
}
