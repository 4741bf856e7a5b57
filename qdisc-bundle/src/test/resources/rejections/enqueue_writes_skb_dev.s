# skb->dev = NULL in enqueue: dev shares storage with rbnode/list in struct sk_buff, and the
# qdisc layer needs it intact, so bpf_qdisc_btf_struct_access() allows only tstamp and cb data.
# sk_buff.dev is at 16 (x86-64; the built-in base has the 6.18 layout).
.license "GPL"
.struct_ops Qdisc_ops.enqueue
enqueue_writes_skb_dev:
    r6 = *(u64 *)(r1 +0)
    r2 = 0
    *(u64 *)(r6 +16) = r2
    r1 = r6
    call bpf_kfree_skb
    r0 = 0
    exit
