#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
SEC("struct_ops") __u32 BPF_PROG(reno_ssthresh, struct sock *sk) { struct tcp_sock *tp = (struct tcp_sock *)sk; __u32 c = tp->snd_cwnd >> 1; return c < 2 ? 2 : c; }
SEC("struct_ops") void BPF_PROG(reno_cong_avoid, struct sock *sk, __u32 ack, __u32 acked) { tcp_reno_cong_avoid(sk, ack, acked); }
SEC("struct_ops") __u32 BPF_PROG(reno_undo_cwnd, struct sock *sk) { struct tcp_sock *tp = (struct tcp_sock *)sk; return tp->snd_cwnd > tp->prior_cwnd ? tp->snd_cwnd : tp->prior_cwnd; }
SEC(".struct_ops")   /* bpftool v7.1 (libbpf 1.1) here does not know .struct_ops.link */
struct tcp_congestion_ops reno = {
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.flags = 0,
	.name = CCNAME,
};
