# bpf_qdisc_bstats_update belongs to dequeue (qdisc_dequeue_kfunc_set): in enqueue the kfunc
# filter says -EACCES, which check_kfunc_call() reports as "not allowed".
.license "GPL"
.struct_ops Qdisc_ops.enqueue
enqueue_calls_bstats_update:
    r6 = *(u64 *)(r1 +0)
    r1 = *(u64 *)(r1 +8)
    r2 = r6
    call bpf_qdisc_bstats_update
    r1 = r6
    call bpf_kfree_skb
    r0 = 0
    exit
