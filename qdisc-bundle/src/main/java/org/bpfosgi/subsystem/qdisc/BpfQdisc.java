package org.bpfosgi.subsystem.qdisc;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.Kfunc;
import org.bpfosgi.subsystem.KfuncSet;
import org.bpfosgi.subsystem.StructOps;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The bpf_qdisc code (net/sched/bpf_qdisc.c, v6.16): activate is its initcall
 * bpf_qdisc_kfunc_init(), which registers the kfunc set {@code qdisc_kfunc_ids} with its filter
 * for STRUCT_OPS programs, then the destructor of sk_buff kptrs
 * ({@code register_btf_id_dtor_kfuncs()} of {@code {skb_kfunc_dtor_ids[0], skb_kfunc_dtor_ids[1]}}:
 * struct sk_buff, bpf_kfree_skb_dtor — so a map value may hold an {@code struct sk_buff __kptr *}
 * and freeing the value frees the skb), then the struct_ops type {@code Qdisc_ops}.
 *
 * <p>Not modelled: what {@link QdiscKfuncs} lists.
 */
@Component(service = BpfSubsystem.class, immediate = true, property = "bpf.module=bpf_qdisc")
public class BpfQdisc implements BpfSubsystem {
    private final QdiscOps qdiscOps = new QdiscOps();
    private final QdiscKfuncs kfuncs = new QdiscKfuncs(qdiscOps::types);

    /** bpf_qdisc_kfunc_init: the registrations themselves are made by the kernel from this service. */
    @Activate
    void init() {
    }

    /** module_exit. */
    @Deactivate
    void exit() {
    }

    /** The kfunc bodies, with what they did to skbs and watchdogs. */
    QdiscKfuncs kfuncs() {
        return kfuncs;
    }

    @Override
    public List<StructOps> structOps() {
        return List.of(qdiscOps);
    }

    /** {@code register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS, &bpf_qdisc_kfunc_set)} with its filter. */
    @Override
    public List<KfuncSet> kfuncSets() {
        return List.of(new KfuncSet("qdisc_kfunc_ids", List.of(BpfProgType.STRUCT_OPS), Optional.of(qdiscOps.filter())));
    }

    /** {@code register_btf_id_dtor_kfuncs(skb_kfunc_dtors, 1, THIS_MODULE)}. */
    @Override
    public List<org.bpfosgi.subsystem.BtfIdDtorKfunc> dtorKfuncs() {
        return List.of(new org.bpfosgi.subsystem.BtfIdDtorKfunc("skb_kfunc_dtor_ids", 0, 1));
    }

    @Override
    public Map<String, Kfunc> functions() {
        return Map.of(
                "bpf_skb_get_hash", kfuncs::skbGetHash,
                "bpf_kfree_skb", kfuncs::kfreeSkb,
                "bpf_kfree_skb_dtor", kfuncs::kfreeSkb,
                "bpf_qdisc_skb_drop", kfuncs::qdiscSkbDrop,
                "bpf_qdisc_watchdog_schedule", kfuncs::watchdogSchedule,
                "bpf_qdisc_bstats_update", kfuncs::bstatsUpdate,
                "bpf_qdisc_init_prologue", kfuncs::initPrologue,
                "bpf_qdisc_reset_destroy_epilogue", kfuncs::resetDestroyEpilogue,
                "bpf_dynptr_from_skb", kfuncs::dynptrFromSkb);
    }
}
