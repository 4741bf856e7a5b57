# Releasing the skb twice: the second bpf_kfree_skb gets what is now a scalar.
.license "GPL"
.struct_ops Qdisc_ops.enqueue
enqueue_frees_skb_twice:
    r6 = *(u64 *)(r1 +0)
    r1 = r6
    call bpf_kfree_skb
    r1 = r6
    call bpf_kfree_skb
    r0 = 0
    exit
