package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ProviderType;

/** How kfunc calls in generated prologues and epilogues are handled (see README, "kfunc policies"). */
@ProviderType
public enum KfuncPolicy {
    /** The seed series, v2 6/8 + 7/8: generators report their module, which the program pins. */
    SEED,
    /** v6.15 add_kfunc_in_insns(): the instruction's own offset; vmlinux kfuncs only. */
    UPSTREAM,
    /** The reviewer's alternative: BPF_EMIT_CALL to a plain function, no descriptor, no reference. */
    EMIT_CALL
}
