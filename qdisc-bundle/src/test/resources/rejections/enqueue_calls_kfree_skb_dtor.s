# bpf_kfree_skb_dtor is registered as the sk_buff kptr destructor (register_btf_id_dtor_kfuncs),
# not in qdisc_kfunc_ids: a program may not call it.
.license "GPL"
.struct_ops Qdisc_ops.enqueue
enqueue_calls_kfree_skb_dtor:
    r1 = *(u64 *)(r1 +0)
    call bpf_kfree_skb_dtor
    r0 = 0
    exit
