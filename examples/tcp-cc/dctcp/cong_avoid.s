# DCTCP-like, op cong_avoid(sk, ack, acked): Reno's growth (tcp_reno_cong_avoid), as dctcp.
.license "GPL"
.struct_ops tcp_congestion_ops.cong_avoid
dctcp_cong_avoid:
    r2 = *(u64 *)(r1 +8)
    r3 = *(u64 *)(r1 +16)
    r1 = *(u64 *)(r1 +0)
    call tcp_reno_cong_avoid
    exit
