package org.bpfosgi.subsystem;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A subsystem's verifier ops: the service form of the kernel's {@code struct bpf_verifier_ops}
 * (include/linux/bpf.h) together with the {@code struct bpf_struct_ops} types the subsystem
 * registers, its kfunc-set registrations and the Java bodies of its kfuncs.
 *
 * <p>A subsystem bundle publishes exactly one of these from the Declarative Services component
 * whose activate/deactivate are its module_init/module_exit. The host binds it to the module named
 * by the bundle's {@code Bpf-Module} header and hands it to the kernel's struct_ops registry.
 * Every callback has the kernel's default: a missing callback in the kernel (NULL) is the default
 * method here, with the same effect.
 */
public interface VerifierOps {

    /** The struct_ops types the subsystem registers, e.g. {@code bpf_testmod_st_ops}. */
    List<String> structOpsTypes();

    /**
     * The members of a struct_ops type a BPF program may implement: those with a non-NULL
     * {@code cfi_stubs} slot ({@code bpf_struct_ops_supported()}). By default, all function
     * pointer members.
     */
    default boolean memberSupported(String structOpsType, String member) {
        return true;
    }

    /**
     * Models {@code st_ops->check_member(t, member, prog)}: 0 or a negative errno.
     */
    default int checkMember(String structOpsType, String member, BpfProgInfo prog) {
        return 0;
    }

    /** The kfunc sets the module registers with register_btf_kfunc_id_set(), in order. */
    default List<KfuncSetRegistration> kfuncSets() {
        return List.of();
    }

    /** The Java bodies of the module's kfuncs, by function name (its kallsyms entries). */
    default Map<String, Kfunc> kfuncs() {
        return Map.of();
    }

    /**
     * Models {@code is_valid_access(off, size, type, prog, info)}. The kernel's default (no
     * callback) rejects every context access.
     */
    default boolean isValidAccess(int off, int size, BpfAccessType type, BpfProgInfo prog, InsnAccessAux info) {
        return false;
    }

    /**
     * Models {@code btf_struct_access(log, reg, off, size)} for a write through a
     * {@code PTR_TO_BTF_ID}: 0 allows it, a negative errno refuses. The default is what the
     * verifier does when the callback is NULL: "only read is supported".
     */
    default int btfStructAccess(VerifierLog log, BtfRegInfo reg, int off, int size) {
        log.log("only read is supported\n");
        return -13; // -EACCES
    }

    /** Models {@code get_func_proto(func_id, prog)}; null: the helper is not available. */
    default BpfFuncProto getFuncProto(int funcId, BpfProgInfo prog) {
        return null;
    }

    /**
     * {@code ops->gen_prologue}: empty is the kernel's NULL callback. Called by
     * convert_ctx_accesses() (kernel/bpf/verifier.c).
     */
    default Optional<GenPrologue> genPrologue() {
        return Optional.empty();
    }

    /** {@code ops->gen_epilogue} (v6.12): empty is the kernel's NULL callback. */
    default Optional<GenEpilogue> genEpilogue() {
        return Optional.empty();
    }
}
