# After bpf_kfree_skb (KF_RELEASE) every copy of the skb pointer is a scalar: skb->len after
# the free is an invalid access.
.license "GPL"
.struct_ops Qdisc_ops.enqueue
enqueue_uses_skb_after_free:
    r6 = *(u64 *)(r1 +0)
    r1 = r6
    call bpf_kfree_skb
    r0 = *(u32 *)(r6 +112)
    exit
