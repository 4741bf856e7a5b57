// SPDX-License-Identifier: GPL-2.0
/*
 * A congestion control in C against vmlinux.h ("bpf_osgi_cc"): Reno's window growth with a
 * gentler decrease (cwnd * 3/4 on loss, never below 2), written with CO-RE so that it loads
 * wherever struct tcp_sock has these fields at whatever offsets:
 *  - direct reads of tcp_sock / inet_connection_sock fields (trusted struct_ops arguments):
 *    preserve_access_index makes each one a CO-RE field-offset relocation;
 *  - BPF_CORE_READ (bpf_probe_read_kernel with relocated offsets) for a nested field;
 *  - bpf_core_field_exists() for a field older kernels lack, and bpf_core_type_exists();
 *  - the bpf_tcp_ca kfuncs tcp_slow_start and tcp_cong_avoid_ai.
 * Registered through the .struct_ops.link map below (bpftool struct_ops register).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char _license[] SEC("license") = "GPL";

extern __u32 tcp_slow_start(struct tcp_sock *tp, __u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, __u32 w, __u32 acked) __ksym;

/* a local flavour of struct tcp_sock: CO-RE matches it to the kernel's by the name before ___ */
struct tcp_sock___osgi {
	__u32 snd_cwnd;
	__u32 snd_ssthresh;
	__u32 prior_cwnd;
	__u32 does_not_exist_anywhere;
} __attribute__((preserve_access_index));

static __always_inline struct tcp_sock *tcp(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static __noinline __u32 three_quarters(__u32 cwnd)
{
	__u32 w = cwnd - (cwnd >> 2);

	return w < 2 ? 2 : w;
}

SEC("struct_ops/osgi_init")
void BPF_PROG(osgi_init, struct sock *sk)
{
	struct tcp_sock *tp = tcp(sk);

	if (bpf_core_field_exists(tp->snd_ssthresh))
		tp->snd_ssthresh = 0x7fffffff;
}

SEC("struct_ops/osgi_ssthresh")
__u32 BPF_PROG(osgi_ssthresh, struct sock *sk)
{
	struct tcp_sock___osgi *tp = (void *)sk;

	if (bpf_core_field_exists(tp->does_not_exist_anywhere))
		return tp->does_not_exist_anywhere;
	return three_quarters(tp->snd_cwnd);
}

SEC("struct_ops/osgi_cong_avoid")
void BPF_PROG(osgi_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp(sk);
	struct inet_connection_sock *icsk = (void *)sk;

	if (icsk->icsk_ca_state != 0 && !bpf_core_type_exists(struct tcp_congestion_ops))
		return;
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
}

SEC("struct_ops/osgi_undo_cwnd")
__u32 BPF_PROG(osgi_undo_cwnd, struct sock *sk)
{
	__u32 cwnd = BPF_CORE_READ(tcp(sk), snd_cwnd);
	__u32 prior = tcp(sk)->prior_cwnd;

	return cwnd > prior ? cwnd : prior;
}

/*
 * record-golden.sh builds a copy with -DST_OPS_SEC='".struct_ops"': the machine's bpftool links
 * libbpf 1.1, which predates .struct_ops.link (libbpf 1.2); the programs are the same.
 */
#ifndef ST_OPS_SEC
#define ST_OPS_SEC ".struct_ops.link"
#endif
SEC(ST_OPS_SEC)
struct tcp_congestion_ops osgi_cc = {
	.init = (void *)osgi_init,
	.ssthresh = (void *)osgi_ssthresh,
	.cong_avoid = (void *)osgi_cong_avoid,
	.undo_cwnd = (void *)osgi_undo_cwnd,
	.name = "bpf_osgi_cc",
};
