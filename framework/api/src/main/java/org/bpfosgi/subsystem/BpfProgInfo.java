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

    /** The policy this load runs under for kfunc calls in generated pro/epilogues. */
    KfuncPolicy kfuncPolicy();

    /**
     * The owner's resolved {@code BTF_ID_LIST(listName)}, as the generator reads its global
     * array (the struct_ops type's module, or vmlinux for a built-in subsystem);
     * IllegalArgumentException if the owner declares no such list.
     */
    int[] btfIdList(String listName);

    /**
     * Models kernel/bpf/btf.c bpf_find_btf_id(name, kind) on vmlinux BTF (exported in v6.15 for
     * bpf_testmod's st_ops_init): the type id, negative (-ENOENT) when absent.
     */
    int findBtfId(String name, org.bpfosgi.btf.api.BtfKind kind);

    /**
     * {@code BPF_CALL_IMM(fn)}: the address of {@code function} in the model's kallsyms minus
     * {@code __bpf_call_base}, the imm of {@code BPF_EMIT_CALL(fn)}; IllegalArgumentException when
     * kallsyms has no such symbol.
     */
    int bpfCallImm(String function);
}
