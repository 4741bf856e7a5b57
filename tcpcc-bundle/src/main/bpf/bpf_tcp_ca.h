/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF TCP congestion control's BTF (net/ipv4/bpf_tcp_ca.c). Built in: folded into
 * vmlinux BTF at boot; the real vmlinux already has tcp_congestion_ops and the tcp_reno kfuncs,
 * which are then reused. tcp_sock, sock, ... come from vmlinux BTF.
 */
#pragma once

/* include/linux/bpf.h BTF_STRUCT_OPS_TYPE(): data is ____cacheline_aligned_in_smp */
struct bpf_struct_ops_tcp_congestion_ops {
	struct bpf_struct_ops_common_value common;
	struct tcp_congestion_ops data __attribute__((aligned(64)));
};

__bpf_kfunc u32 tcp_reno_ssthresh(struct sock *sk);
__bpf_kfunc void tcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked);
__bpf_kfunc u32 tcp_reno_undo_cwnd(struct sock *sk);
__bpf_kfunc u32 tcp_slow_start(struct tcp_sock *tp, u32 acked);
__bpf_kfunc void tcp_cong_avoid_ai(struct tcp_sock *tp, u32 w, u32 acked);

BTF_KFUNCS_START(bpf_tcp_ca_check_kfunc_ids)
BTF_ID_FLAGS(func, tcp_reno_ssthresh)
BTF_ID_FLAGS(func, tcp_reno_cong_avoid)
BTF_ID_FLAGS(func, tcp_reno_undo_cwnd)
BTF_ID_FLAGS(func, tcp_slow_start)
BTF_ID_FLAGS(func, tcp_cong_avoid_ai)
BTF_KFUNCS_END(bpf_tcp_ca_check_kfunc_ids)

/* bpf_tcp_ca_init(): the ids is_valid_access / btf_struct_access compare against */
BTF_ID_LIST(bpf_tcp_ca_ids)
BTF_ID(struct, sock)
BTF_ID(struct, tcp_sock)
BTF_ID(struct, tcp_congestion_ops)
