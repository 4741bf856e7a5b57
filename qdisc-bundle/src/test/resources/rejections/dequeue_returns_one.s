# dequeue returns struct sk_buff *: from v6.15 a struct_ops program of a pointer-returning
# member returns a referenced kptr of that type, or NULL (check_return_code(): retval_range(0, 0)).
.license "GPL"
.struct_ops Qdisc_ops.dequeue
dequeue_returns_one:
    r0 = 1
    exit
