package org.bpfosgi.subsystem;

import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.isa.Insn;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a verifier callback sees of {@code const struct bpf_prog *prog} while it is being
 * verified, plus the kernel functions a subsystem's ops call back into (in the kernel these are
 * exported symbols: {@code bpf_tracing_btf_ctx_access}, {@code bpf_base_func_proto}).
 */
@ProviderType
public interface BpfProgInfo {
    /** {@code prog->aux->name}. */
    String name();

    /** {@code prog->aux->attach_func_name}: the struct_ops member, e.g. "test_prologue". */
    String attachFuncName();

    /** {@code prog->aux->attach_st_ops_member_off}: byte offset of the member in its struct. */
    int attachStOpsMemberOff();

    /** {@code prog->aux->attach_btf}: the BTF the struct_ops type (and its member's prototype) lives in. */
    BtfTypes attachBtf();

    /**
     * {@code prog->aux->st_ops}: the struct_ops type the program implements a member of (what
     * bpf_qdisc_kfunc_filter() compares with its own {@code &bpf_Qdisc_ops}); null while
     * check_struct_ops_btf_id() has not found it yet.
     */
    StructOps stOps();

    /** {@code prog->insnsi[0]} as it is now (gen_prologue copies it). */
    Insn firstInsn();

    /** Models kernel/trace/bpf_trace.c bpf_tracing_btf_ctx_access(). */
    boolean tracingBtfCtxAccess(int off, int size, BpfAccessType type, InsnAccessAux info);

    /** Models kernel/bpf/helpers.c bpf_base_func_proto(); null when the helper is not in the base set. */
    BpfFuncProto baseFuncProto(int funcId);
}
