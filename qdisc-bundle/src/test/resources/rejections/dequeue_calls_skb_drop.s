# bpf_qdisc_skb_drop is enqueue's (qdisc_enqueue_kfunc_set): dequeue has no to_free list.
.license "GPL"
.struct_ops Qdisc_ops.dequeue
dequeue_calls_skb_drop:
    r1 = 0
    r2 = 0
    call bpf_qdisc_skb_drop
    r0 = 0
    exit
