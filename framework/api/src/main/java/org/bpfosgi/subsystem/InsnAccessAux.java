package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Models {@code struct bpf_insn_access_aux}: the out-parameter of {@code is_valid_access}. The
 * verifier reads it after a successful context access to type the loaded register.
 * {@link #regType} is {@code SCALAR} or a pointer to a BTF struct ({@link #btfId} in the
 * attach BTF), with {@link #trusted} / {@link #maybeNull} as the PTR_TRUSTED / PTR_MAYBE_NULL flags.
 */
@ProviderType
public final class InsnAccessAux {
    /** The register type of the loaded value (a subset of {@code enum bpf_reg_type}). */
    public enum RegType { SCALAR_VALUE, PTR_TO_BTF_ID }

    public RegType regType = RegType.SCALAR_VALUE;
    /** For PTR_TO_BTF_ID: the struct's type id. */
    public int btfId;
    /** PTR_TRUSTED. */
    public boolean trusted;
    /** PTR_MAYBE_NULL. */
    public boolean maybeNull;
    /** {@code ctx_field_size}: 0 means the access size itself. */
    public int ctxFieldSize;
    /** Where btf_ctx_access() and the ops log (the verifier log). */
    public final VerifierLog log;

    public InsnAccessAux(VerifierLog log) {
        this.log = log;
    }
}
