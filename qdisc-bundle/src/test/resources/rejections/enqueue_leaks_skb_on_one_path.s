# The skb is dropped only when sch->q.qlen (at 144) >= sch->limit (at 20): the other path
# returns with the reference held.
.license "GPL"
.struct_ops Qdisc_ops.enqueue
enqueue_leaks_skb_on_one_path:
    r6 = *(u64 *)(r1 +0)
    r7 = *(u64 *)(r1 +8)
    r2 = *(u64 *)(r1 +16)
    r3 = *(u32 *)(r7 +144)
    r4 = *(u32 *)(r7 +20)
    if r3 < r4 goto out
    r1 = r6
    call bpf_qdisc_skb_drop
    r0 = 1
    exit
out:
    r0 = 0
    exit
