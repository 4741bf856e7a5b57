# DCTCP-like, op cwnd_event(sk, ev): CA_EVENT_ECN_IS_CE (5) sets ce_state, CA_EVENT_ECN_NO_CE
# (4) clears it (the kernel's dctcp_ece_ack_update without the delayed-ACK part).
.license "GPL"
.struct_ops tcp_congestion_ops.cwnd_event
dctcp_cwnd_event:
    r2 = *(u64 *)(r1 +8)
    r1 = *(u64 *)(r1 +0)
    if r2 != 5 goto no_ce
    *(u32 *)(r1 +1316) = 1
    exit
no_ce:
    if r2 != 4 goto out
    *(u32 *)(r1 +1316) = 0
out:
    exit
