# to_free (struct sk_buff **) reads as a trusted struct bpf_sk_buff_ptr *: writing through it
# (e.g. to chain the skb by hand) is refused; bpf_qdisc_skb_drop does the chaining.
.license "GPL"
.struct_ops Qdisc_ops.enqueue
enqueue_writes_to_free:
    r6 = *(u64 *)(r1 +0)
    r2 = *(u64 *)(r1 +16)
    *(u64 *)(r2 +0) = r6
    r0 = 0
    exit
