package org.bpfosgi.subsystem;

import java.util.Optional;
import java.util.Set;

import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.errno.KernelException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Models {@code struct bpf_struct_ops} (include/linux/bpf.h, v6.12): one struct_ops type a
 * module registers with {@code register_bpf_struct_ops()}, with the {@code bpf_verifier_ops} its
 * programs are verified with and the callbacks the struct_ops map calls.
 *
 * <p>Required callbacks (the kernel calls them without a NULL check: {@code init},
 * {@code init_member}, {@code reg}, {@code unreg}) are abstract methods; optional ones (the
 * kernel tests them for NULL: {@code check_member}, {@code validate}, {@code update}) return an
 * {@link Optional} of the callback, empty for NULL. A callback fails by throwing
 * {@link KernelException} with the errno the kernel callback would return.
 */
@ConsumerType
public interface StructOps {

    /** {@code st_ops->name}: the struct's name in the owner's BTF, e.g. {@code bpf_testmod_st_ops}. */
    String name();

    /** {@code st_ops->verifier_ops}: what {@code env->ops} becomes for its programs. */
    VerifierOps verifierOps();

    /**
     * The members with a non-NULL {@code cfi_stubs} slot: the members a BPF program may
     * implement ({@code bpf_struct_ops_supported()}).
     */
    Set<String> cfiStubs();

    /**
     * The arguments of {@code member} that are referenced objects the program owns: the cfi
     * stub's parameters named with the {@code __ref} suffix (kernel/bpf/bpf_struct_ops.c
     * prepare_arg_info(), v6.14; e.g. bpf_qdisc's {@code enqueue(struct sk_buff *skb__ref, ...)}).
     * do_check_common() acquires one reference per such argument before the first instruction,
     * a load of the argument carries it, and a program that neither releases nor returns it fails
     * with "Unreleased reference". Default: none (every argument of a v6.12 struct_ops type).
     */
    default Set<Integer> refcountedArgs(String member) {
        return Set.of();
    }

    /**
     * {@code st_ops->init(btf)}: called once by {@code bpf_struct_ops_desc_init()} with the
     * owner's BTF; throwing fails the registration (and so module_init).
     */
    void init(BtfTypes btf);

    /** {@code st_ops->check_member(t, member, prog)}; empty: NULL, every supported member is allowed. */
    default Optional<CheckMember> checkMember() {
        return Optional.empty();
    }

    /**
     * {@code st_ops->init_member(t, member, kdata, udata)}: initialises a non-function member of
     * the kernel copy {@code kdata} from the user's value {@code udata} (addresses in
     * {@code mem}). Returns true when it handled the member (the kernel's 1), false to let the
     * generic code check it (0).
     */
    boolean initMember(StructOpsMember member, KernelMemory mem, long kdata, long udata);

    /** {@code st_ops->validate(kdata)}; empty: NULL, no validation. */
    default Optional<Validate> validate() {
        return Optional.empty();
    }

    /** {@code st_ops->reg(kdata, link)}: registers the filled-in struct with the subsystem. */
    void reg(KernelMemory mem, long kdata);

    /** {@code st_ops->unreg(kdata, link)}. */
    void unreg(KernelMemory mem, long kdata);

    /** {@code st_ops->update(kdata, old_kdata, link)}; empty: NULL, link update is -EOPNOTSUPP. */
    default Optional<Update> update() {
        return Optional.empty();
    }

    /** {@code check_member(t, member, prog)}. */
    @ConsumerType
    @FunctionalInterface
    interface CheckMember {
        /** Throws {@link KernelException} to refuse the program for this member. */
        void check(StructOpsMember member, BpfProgInfo prog);
    }

    /** {@code validate(kdata)}. */
    @ConsumerType
    @FunctionalInterface
    interface Validate {
        /** Throws {@link KernelException} to refuse the map update. */
        void validate(KernelMemory mem, long kdata);
    }

    /** {@code update(kdata, old_kdata, link)}. */
    @ConsumerType
    @FunctionalInterface
    interface Update {
        /** Throws {@link KernelException} to refuse the update. */
        void update(KernelMemory mem, long kdata, long oldKdata);
    }
}
