# DCTCP-like, op undo_cwnd(sk): max(snd_cwnd, loss_cwnd).
.license "GPL"
.struct_ops tcp_congestion_ops.undo_cwnd
dctcp_undo_cwnd:
    r1 = *(u64 *)(r1 +0)
    r0 = *(u32 *)(r1 +1444)
    r2 = *(u32 *)(r1 +1312)
    if r0 >= r2 goto out
    r0 = r2
out:
    exit
