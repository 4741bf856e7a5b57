/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bpf qdisc's BTF (net/sched/bpf_qdisc.c, v6.16+). Built in by default: folded
 * into vmlinux BTF at boot (types vmlinux already has are reused); as a module, compiled into
 * split BTF at COMING. Qdisc, Qdisc_ops, sk_buff, ... come from vmlinux BTF.
 */
#pragma once

/* what the enqueue argument to_free (struct sk_buff **) is exposed as */
struct bpf_sk_buff_ptr {
	struct sk_buff *skb;
};

struct bpf_struct_ops_Qdisc_ops {
	struct bpf_struct_ops_common_value common;
	struct Qdisc_ops data;
};

__bpf_kfunc u32 bpf_skb_get_hash(struct sk_buff *skb);
__bpf_kfunc void bpf_kfree_skb(struct sk_buff *skb);
__bpf_kfunc void bpf_qdisc_skb_drop(struct sk_buff *skb, struct bpf_sk_buff_ptr *to_free_list);
__bpf_kfunc void bpf_qdisc_watchdog_schedule(struct Qdisc *sch, u64 expire, u64 delta_ns);
__bpf_kfunc void bpf_qdisc_bstats_update(struct Qdisc *sch, const struct sk_buff *skb);
__bpf_kfunc int bpf_qdisc_init_prologue(struct Qdisc *sch, struct netlink_ext_ack *extack);
__bpf_kfunc void bpf_qdisc_reset_destroy_epilogue(struct Qdisc *sch);
__bpf_kfunc int bpf_dynptr_from_skb(struct __sk_buff *s, u64 flags, struct bpf_dynptr *ptr__uninit);
__bpf_kfunc void bpf_kfree_skb_dtor(void *skb);

BTF_KFUNCS_START(qdisc_kfunc_ids)
BTF_ID_FLAGS(func, bpf_skb_get_hash)
BTF_ID_FLAGS(func, bpf_kfree_skb, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_qdisc_skb_drop, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_dynptr_from_skb)
BTF_ID_FLAGS(func, bpf_qdisc_watchdog_schedule)
BTF_ID_FLAGS(func, bpf_qdisc_init_prologue)
BTF_ID_FLAGS(func, bpf_qdisc_reset_destroy_epilogue)
BTF_ID_FLAGS(func, bpf_qdisc_bstats_update)
BTF_KFUNCS_END(qdisc_kfunc_ids)

/* the filter's per-op subsets (bpf_qdisc_kfunc_filter) */
BTF_SET_START(qdisc_common_kfunc_set)
BTF_ID(func, bpf_skb_get_hash)
BTF_ID(func, bpf_kfree_skb)
BTF_ID(func, bpf_dynptr_from_skb)
BTF_SET_END(qdisc_common_kfunc_set)

BTF_SET_START(qdisc_enqueue_kfunc_set)
BTF_ID(func, bpf_qdisc_skb_drop)
BTF_ID(func, bpf_qdisc_watchdog_schedule)
BTF_SET_END(qdisc_enqueue_kfunc_set)

BTF_SET_START(qdisc_dequeue_kfunc_set)
BTF_ID(func, bpf_qdisc_watchdog_schedule)
BTF_ID(func, bpf_qdisc_bstats_update)
BTF_SET_END(qdisc_dequeue_kfunc_set)

/* btf_struct_access() and the prologue/epilogue need these ids */
BTF_ID_LIST(bpf_qdisc_ids)
BTF_ID(struct, Qdisc)
BTF_ID(struct, sk_buff)
BTF_ID(struct, bpf_sk_buff_ptr)
BTF_ID(func, bpf_qdisc_init_prologue)
BTF_ID(func, bpf_qdisc_reset_destroy_epilogue)

/*
 * register_btf_id_dtor_kfuncs(): an sk_buff kptr in a map value is released with
 * bpf_kfree_skb_dtor when the value is freed. v6.16 writes the second entry as
 * BTF_ID_FLAGS(func, bpf_kfree_skb_dtor, KF_RELEASE), which in a BTF_ID_LIST only appends
 * a flags word after the id (index 2, not read by the registration).
 */
BTF_ID_LIST(skb_kfunc_dtor_ids)
BTF_ID(struct, sk_buff)
BTF_ID(func, bpf_kfree_skb_dtor)
