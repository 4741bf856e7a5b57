package org.bpfosgi.subsystem;

import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Models {@code struct bpf_verifier_ops} (include/linux/bpf.h, v6.12): the callbacks the
 * verifier calls through {@code env->ops} for programs of one struct_ops type
 * ({@link StructOps#verifierOps()}).
 *
 * <p>Every callback the kernel may leave NULL has a defined NULL behaviour. Where the verifier's
 * only use of the pointer is to call it, the default method does exactly what the verifier does
 * for a NULL pointer (documented on each). Where the verifier tests the pointer for NULL
 * separately ({@code gen_prologue}: a {@code seen_direct_write} without it is a misconfiguration),
 * the callback is an {@link Optional}, empty for NULL.
 */
@ConsumerType
public interface VerifierOps {

    /**
     * Models {@code is_valid_access(off, size, type, prog, info)}. NULL (the default): every
     * context access is refused, as check_ctx_access() does without the callback.
     */
    default boolean isValidAccess(int off, int size, BpfAccessType type, BpfProgInfo prog, InsnAccessAux info) {
        return false;
    }

    /**
     * Models {@code btf_struct_access(log, reg, off, size)}, asked for a write through a
     * {@code PTR_TO_BTF_ID}: returns to allow it, throws {@link KernelException} with the errno to
     * refuse. NULL (the default): check_ptr_to_btf_access() logs "only read is supported" and
     * refuses with -EACCES.
     */
    default void btfStructAccess(VerifierLog log, BtfRegInfo reg, int off, int size) {
        log.log("only read is supported\n");
        throw new KernelException(Errno.EACCES);
    }

    /** Models {@code get_func_proto(func_id, prog)}; null: the helper is not available. NULL (default): none is. */
    default BpfFuncProto getFuncProto(int funcId, BpfProgInfo prog) {
        return null;
    }

    /** {@code gen_prologue}; empty: NULL. Called by convert_ctx_accesses(). */
    default Optional<GenPrologue> genPrologue() {
        return Optional.empty();
    }

    /** {@code gen_epilogue}; empty: NULL (no epilogue). Called by convert_ctx_accesses(). */
    default Optional<GenEpilogue> genEpilogue() {
        return Optional.empty();
    }
}
