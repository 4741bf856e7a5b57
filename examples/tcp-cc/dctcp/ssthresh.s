# DCTCP-like, op ssthresh(sk): loss_cwnd = cwnd; max(cwnd - ((cwnd * alpha) >> 11), 2).
.license "GPL"
.struct_ops tcp_congestion_ops.ssthresh
dctcp_ssthresh:
    r1 = *(u64 *)(r1 +0)
    r2 = *(u32 *)(r1 +1444)
    *(u32 *)(r1 +1312) = r2
    r3 = *(u32 *)(r1 +1304)
    r3 *= r2
    r3 >>= 11
    r0 = r2
    r0 -= r3
    if r0 >= 2 goto out
    r0 = 2
out:
    exit
