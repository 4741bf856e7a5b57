# Returning the Qdisc pointer from dequeue: not a referenced sk_buff, and not a scalar.
.license "GPL"
.struct_ops Qdisc_ops.dequeue
dequeue_returns_qdisc:
    r0 = *(u64 *)(r1 +0)
    exit
