package org.bpfosgi.subsystem;

import java.util.List;

/**
 * A subsystem's verifier ops: the service form of the kernel's {@code struct bpf_verifier_ops}
 * together with the {@code struct bpf_struct_ops} types the subsystem registers.
 *
 * <p>A subsystem bundle publishes exactly one of these from the Declarative Services component
 * whose activate/deactivate are its module_init/module_exit. The host binds it to the module
 * named by the bundle's {@code Bpf-Module} header. The verifier callbacks
 * (gen_prologue, gen_epilogue, is_valid_access, btf_struct_access, get_func_proto) are added by
 * the verifier; until a subsystem implements them, the defaults mean "nothing to generate".
 */
public interface VerifierOps {

    /** The struct_ops types the subsystem registers, e.g. {@code bpf_testmod_st_ops}. */
    List<String> structOpsTypes();
}
