// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark object: a congestion control ("bpf_osgi_big") of about 5,000 instructions whose
 * four ops each read struct tcp_sock fields some 400 times through a laundered pointer
 * (barrier_var: the compiler must reload, so every read is its own load with its own CO-RE
 * field-offset relocation). Straight-line code: cheap for the verifier, heavy for the loader
 * (ELF, BTF, .BTF.ext and ~1,600 CO-RE relocations against vmlinux).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

#define FIELDS(X) \
	X(max_window) X(rcv_ssthresh) X(reordering) X(notsent_lowat) X(tsoffset) X(snd_wnd) \
	X(mss_cache) X(snd_cwnd) X(prr_out) X(lost_out) X(sacked_out) X(copied_seq) X(snd_wl1) \
	X(tlp_high_seq) X(rttvar_us) X(retrans_out) X(lost) X(snd_ssthresh) X(segs_out) \
	X(data_segs_out) X(bytes_sent) X(snd_sml) X(write_seq) X(pushed_seq) X(lsndtime) \
	X(mdev_us) X(rtt_seq)

#define STEP(f) barrier_var(tp); acc = (acc ^ tp->f) * 3;
#define ROUND FIELDS(STEP)
#define ROUNDS5 ROUND ROUND ROUND ROUND ROUND
#define ROUNDS15 ROUNDS5 ROUNDS5 ROUNDS5

static __always_inline __u64 mix_all(struct tcp_sock *tp, __u64 acc)
{
	ROUNDS15
	ROUND
	return acc;
}

SEC("struct_ops/big_init")
void BPF_PROG(big_init, struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	tp->snd_ssthresh = (__u32)mix_all(tp, 1) | 2;
}

SEC("struct_ops/big_ssthresh")
__u32 BPF_PROG(big_ssthresh, struct sock *sk)
{
	return (__u32)mix_all((struct tcp_sock *)sk, 2) | 2;
}

SEC("struct_ops/big_cong_avoid")
void BPF_PROG(big_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	tp->snd_cwnd = (__u32)mix_all(tp, acked) | 2;
}

SEC("struct_ops/big_undo_cwnd")
__u32 BPF_PROG(big_undo_cwnd, struct sock *sk)
{
	return (__u32)mix_all((struct tcp_sock *)sk, 4) | 2;
}

/*
 * record-golden.sh builds a copy with -DST_OPS_SEC='".struct_ops"': the machine's bpftool links
 * libbpf 1.1, which predates .struct_ops.link (libbpf 1.2); the programs are the same.
 */
#ifndef ST_OPS_SEC
#define ST_OPS_SEC ".struct_ops.link"
#endif
SEC(ST_OPS_SEC)
struct tcp_congestion_ops osgi_big = {
	.init = (void *)big_init,
	.ssthresh = (void *)big_ssthresh,
	.cong_avoid = (void *)big_cong_avoid,
	.undo_cwnd = (void *)big_undo_cwnd,
	.name = "bpf_osgi_big",
};
