# DCTCP-like, op set_state(sk, new_state): entering TCP_CA_Loss (4) remembers loss_cwnd = cwnd.
.license "GPL"
.struct_ops tcp_congestion_ops.set_state
dctcp_set_state:
    r2 = *(u64 *)(r1 +8)
    r1 = *(u64 *)(r1 +0)
    if r2 != 4 goto out
    r3 = *(u32 *)(r1 +1444)
    *(u32 *)(r1 +1312) = r3
out:
    exit
