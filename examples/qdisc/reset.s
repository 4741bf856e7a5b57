# A bpf_qdisc reset with an empty body: bpf_qdisc_gen_epilogue() replaces its exit with the
# call of bpf_qdisc_reset_destroy_epilogue (cancels the watchdog).
.license "GPL"
.struct_ops Qdisc_ops.reset
fifo_reset:
    exit
