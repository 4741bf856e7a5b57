package org.bpfosgi.subsystem;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a subsystem module registers from its {@code module_init}: the service a subsystem bundle
 * publishes from the Declarative Services component whose activate/deactivate are its
 * {@code module_init}/{@code module_exit}. The host binds it to the module named by the bundle's
 * {@code Bpf-Module} header and hands it to the kernel, in the order the kernel's modules do it
 * (bpf_testmod_init(), bpf_tcp_ca_kfunc_init(), bpf_qdisc_kfunc_init()): the module's symbols
 * (kallsyms), then one {@code register_btf_kfunc_id_set()} per {@link KfuncSet} and program type,
 * then {@code register_btf_id_dtor_kfuncs()} of {@link #dtorKfuncs()}, then one {@code register_bpf_struct_ops()} per {@link StructOps}. A refusal fails module_init
 * with the kernel's errno, and nothing of the subsystem stays registered.
 */
@ConsumerType
public interface BpfSubsystem {

    /** The {@code struct bpf_struct_ops} the module registers, in order (bpf_testmod has three). */
    List<StructOps> structOps();

    /** The {@code register_btf_kfunc_id_set()} calls, in order. */
    default List<KfuncSet> kfuncSets() {
        return List.of();
    }

    /**
     * The destructors the module registers with {@code register_btf_id_dtor_kfuncs()} (one call,
     * after the kfunc sets and before the struct_ops types, as bpf_qdisc_kfunc_init() does in
     * v6.16): the types a map value may hold as referenced kptrs.
     */
    default List<BtfIdDtorKfunc> dtorKfuncs() {
        return List.of();
    }

    /**
     * The module's functions by symbol name, as kallsyms sees them: kfunc bodies (bound by name
     * to the BTF FUNC of the same name) and plain functions a generator may call with
     * {@code BPF_EMIT_CALL} (a {@code BPF_CALL_N} wrapper).
     */
    default Map<String, Kfunc> functions() {
        return Map.of();
    }
}
