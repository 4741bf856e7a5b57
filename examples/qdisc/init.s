# A bpf_qdisc init that does nothing of its own: r0 = 0. bpf_qdisc_gen_prologue() puts its
# 8 instructions in front (watchdog init and the root-or-mq check in bpf_qdisc_init_prologue,
# with an early exit when that fails).
.license "GPL"
.struct_ops Qdisc_ops.init
fifo_init:
    r0 = 0
    exit
