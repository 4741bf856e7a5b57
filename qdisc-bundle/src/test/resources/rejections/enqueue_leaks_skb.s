# enqueue(struct sk_buff *skb__ref, ...): the skb is a reference the program owns from insn 0
# (do_check_common() acquires it for the __ref argument); returning without enqueueing,
# dropping or freeing it leaks it.
.license "GPL"
.struct_ops Qdisc_ops.enqueue
enqueue_leaks_skb:
    r0 = 0
    exit
