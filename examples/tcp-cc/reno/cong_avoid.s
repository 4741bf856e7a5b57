# Reno-like congestion control, op cong_avoid(sk, ack, acked): the kernel's Reno through the
# bpf_tcp_ca kfunc tcp_reno_cong_avoid (slow start below ssthresh, then +1 per cwnd acked).
.license "GPL"
.struct_ops tcp_congestion_ops.cong_avoid
reno_cong_avoid:
    r2 = *(u64 *)(r1 +8)
    r3 = *(u64 *)(r1 +16)
    r1 = *(u64 *)(r1 +0)
    call tcp_reno_cong_avoid
    exit
