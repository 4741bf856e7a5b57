package org.bpfosgi.subsystem;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Models {@code struct btf_kfunc_id_set} as one module passes it to
 * {@code register_btf_kfunc_id_set(prog_type, &kset)}: the name of a {@code BTF_KFUNCS_START(name)}
 * set in the subsystem's BTF header, the program types it is registered for, and the optional
 * {@code filter} ({@code kset->filter}; empty = NULL).
 */
@ProviderType
public record KfuncSet(String setName, List<BpfProgType> progTypes, Optional<KfuncFilter> filter) {
    public KfuncSet {
        Objects.requireNonNull(setName, "setName");
        progTypes = List.copyOf(progTypes);
        Objects.requireNonNull(filter, "filter");
    }

    /** A set without a filter. */
    public KfuncSet(String setName, List<BpfProgType> progTypes) {
        this(setName, progTypes, Optional.empty());
    }
}
