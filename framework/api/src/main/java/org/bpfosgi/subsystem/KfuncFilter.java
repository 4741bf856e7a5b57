package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Models {@code btf_kfunc_filter_t}: {@code int (*filter)(const struct bpf_prog *prog, u32 kfunc_id)}.
 * The kernel treats any non-zero return as "not allowed" (__btf_kfunc_id_set_contains() ignores
 * the errno), so the model's filter answers yes or no.
 */
@ConsumerType
@FunctionalInterface
public interface KfuncFilter {
    /** True when {@code prog} may call the kfunc with BTF id {@code kfuncId} (the kernel's 0). */
    boolean allows(BpfProgInfo prog, int kfuncId);
}
