# Reno-like congestion control, op ssthresh: u32 ssthresh(struct sock *sk), after a loss.
# max(snd_cwnd >> 1, 2) written out in BPF (what the tcp_reno_ssthresh kfunc does).
# Offsets are the x86-64 6.18 struct tcp_sock (the built-in base has the same layout).
.license "GPL"
.struct_ops tcp_congestion_ops.ssthresh
reno_ssthresh:
    r1 = *(u64 *)(r1 +0)
    r0 = *(u32 *)(r1 +1444)
    r0 >>= 1
    if r0 >= 2 goto out
    r0 = 2
out:
    exit
