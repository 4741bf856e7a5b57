package org.bpfosgi.subsystem;

import java.util.List;

/**
 * Models one {@code register_btf_kfunc_id_set(prog_type, &kset)} call: the name of a
 * {@code BTF_KFUNCS_START(name)} set in the subsystem's BTF header, and the program types it is
 * registered for.
 */
public record KfuncSetRegistration(String setName, List<BpfProgType> progTypes) {
    public KfuncSetRegistration {
        progTypes = List.copyOf(progTypes);
    }
}
