# DCTCP-like congestion control (after the kernel selftest progs/bpf_dctcp.c). Its state lives
# in icsk_ca_priv (tcp_sock +1296, writable): +0 old_delivered, +4 old_delivered_ce,
# +8 alpha, +12 next_seq, +16 loss_cwnd, +20 ce_state.
# op init(sk): alpha = DCTCP_MAX_ALPHA (1024), next_seq = snd_nxt, the delivered counters.
.license "GPL"
.struct_ops tcp_congestion_ops.init
dctcp_init:
    r1 = *(u64 *)(r1 +0)
    r2 = 1024
    *(u32 *)(r1 +1304) = r2
    r2 = *(u32 *)(r1 +1668)
    *(u32 *)(r1 +1308) = r2
    r2 = *(u32 *)(r1 +1692)
    *(u32 *)(r1 +1296) = r2
    r2 = *(u32 *)(r1 +1696)
    *(u32 *)(r1 +1300) = r2
    *(u32 *)(r1 +1312) = 0
    *(u32 *)(r1 +1316) = 0
    exit
