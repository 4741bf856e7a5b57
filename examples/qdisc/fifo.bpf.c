// SPDX-License-Identifier: GPL-2.0
/* A FIFO bpf qdisc (net/sched/bpf_qdisc.c, the bpf_qdisc series modelled by qdisc-bundle) as
 * one object: a ring of `struct sk_buff __kptr *` slots in a .maps array, head/tail counters in
 * .bss, and the five members bpf_qdisc_validate() requires (enqueue, dequeue, init, reset,
 * destroy) bound in a .struct_ops.link map of type Qdisc_ops whose id is "bpf_fifo".
 *
 * enqueue moves the skb's reference into the tail slot with bpf_kptr_xchg(), or, when the ring
 * is full, counts qstats.drops and drops it into to_free with bpf_qdisc_skb_drop()
 * (NET_XMIT_DROP); dequeue xchg()s the head slot out, counts bstats with
 * bpf_qdisc_bstats_update() and returns the skb (the referenced-kptr return of dequeue); reset
 * xchg()s every slot out and frees what it finds with bpf_kfree_skb(). init and destroy have no
 * body of their own: bpf_qdisc's gen_prologue / gen_epilogue add the watchdog init / cancel.
 *
 * Built by build.sh beside this file (clang 14: the types are declared here rather than taken
 * from vmlinux.h, because clang 14 keeps the __kptr tag only on an incomplete struct; build.sh
 * then turns the FWD sk_buff into an empty STRUCT with fwd-to-struct.py, the form a compiler
 * that keeps the tag emits, and one bpf_core_types_are_compat() matches to the kfuncs'
 * struct sk_buff parameters). Qdisc's fields are
 * CO-RE relocations (preserve_access_index) against the kernel's BTF.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CAPACITY 4	/* a power of 2 */
#define NET_XMIT_SUCCESS 0
#define NET_XMIT_DROP 1

struct sk_buff;
struct netlink_ext_ack;
struct nlattr;

/* Complete structs (only the members used, CO-RE relocated): libbpf's
 * bpf_core_types_are_compat() wants a kfunc's struct parameter to be a STRUCT, not a FWD. */
struct bpf_sk_buff_ptr {
	struct sk_buff *skb;
};

struct qdisc_skb_head {
	__u32 qlen;
} __attribute__((preserve_access_index));

struct gnet_stats_queue {
	__u32 drops;
} __attribute__((preserve_access_index));

struct Qdisc {
	struct qdisc_skb_head q;
	struct gnet_stats_queue qstats;
} __attribute__((preserve_access_index));

extern void bpf_kfree_skb(struct sk_buff *skb) __ksym;
extern void bpf_qdisc_skb_drop(struct sk_buff *skb, struct bpf_sk_buff_ptr *to_free_list) __ksym;
extern void bpf_qdisc_bstats_update(struct Qdisc *sch, const struct sk_buff *skb) __ksym;

struct skb_slot {
	struct sk_buff __kptr *skb;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CAPACITY);
	__type(key, __u32);
	__type(value, struct skb_slot);
} ring SEC(".maps");

/* packets ever enqueued (tail) and dequeued (head): the ring holds tail - head */
__u64 head, tail;

char _license[] SEC("license") = "GPL";

/* int enqueue(struct sk_buff *skb, struct Qdisc *sch, struct bpf_sk_buff_ptr *to_free) */
SEC("struct_ops/fifo_enqueue")
int fifo_enqueue(unsigned long long *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	struct Qdisc *sch = (struct Qdisc *)ctx[1];
	struct bpf_sk_buff_ptr *to_free = (struct bpf_sk_buff_ptr *)ctx[2];
	struct skb_slot *slot;
	__u32 key;

	if (tail - head >= CAPACITY)
		goto drop;
	key = tail & (CAPACITY - 1);
	slot = bpf_map_lookup_elem(&ring, &key);
	if (!slot)
		goto drop;
	skb = bpf_kptr_xchg(&slot->skb, skb);
	if (skb)	/* not reached: the slot at tail is empty */
		bpf_kfree_skb(skb);
	tail++;
	sch->q.qlen++;
	return NET_XMIT_SUCCESS;
drop:
	sch->qstats.drops++;
	bpf_qdisc_skb_drop(skb, to_free);
	return NET_XMIT_DROP;
}

/* struct sk_buff *dequeue(struct Qdisc *sch) */
SEC("struct_ops/fifo_dequeue")
struct sk_buff *fifo_dequeue(unsigned long long *ctx)
{
	struct Qdisc *sch = (struct Qdisc *)ctx[0];
	struct skb_slot *slot;
	struct sk_buff *skb;
	__u32 key;

	if (head >= tail)
		return NULL;
	key = head & (CAPACITY - 1);
	slot = bpf_map_lookup_elem(&ring, &key);
	if (!slot)
		return NULL;
	skb = bpf_kptr_xchg(&slot->skb, NULL);
	if (!skb)
		return NULL;
	head++;
	sch->q.qlen--;
	bpf_qdisc_bstats_update(sch, skb);
	return skb;
}

/* int init(struct Qdisc *sch, struct nlattr *arg, struct netlink_ext_ack *extack) */
SEC("struct_ops/fifo_init")
int fifo_init(unsigned long long *ctx)
{
	return 0;
}

/* void reset(struct Qdisc *sch) */
SEC("struct_ops/fifo_reset")
void fifo_reset(unsigned long long *ctx)
{
	struct Qdisc *sch = (struct Qdisc *)ctx[0];
	struct skb_slot *slot;
	struct sk_buff *skb;
	__u32 key;
	int i;

	/* the counter is i, not key: key's address is taken, so clang keeps key in a 4-byte
	 * stack slot, which v6.12's check_stack_write_fixed_off() does not track as a register
	 * (off % BPF_REG_SIZE != 0) and the verifier would see no progress ("infinite loop
	 * detected") */
	for (i = 0; i < CAPACITY; i++) {
		key = i;
		slot = bpf_map_lookup_elem(&ring, &key);
		if (!slot)
			continue;
		skb = bpf_kptr_xchg(&slot->skb, NULL);
		if (skb)
			bpf_kfree_skb(skb);
	}
	head = tail = 0;
	sch->q.qlen = 0;
}

/* void destroy(struct Qdisc *sch) */
SEC("struct_ops/fifo_destroy")
void fifo_destroy(unsigned long long *ctx)
{
}

/* The members libbpf matches by name in the kernel's struct Qdisc_ops. */
struct Qdisc_ops {
	int (*enqueue)(struct sk_buff *skb, struct Qdisc *sch, struct bpf_sk_buff_ptr *to_free);
	struct sk_buff *(*dequeue)(struct Qdisc *sch);
	char id[16];
	int (*init)(struct Qdisc *sch, struct nlattr *arg, struct netlink_ext_ack *extack);
	void (*reset)(struct Qdisc *sch);
	void (*destroy)(struct Qdisc *sch);
};

SEC(".struct_ops.link")
struct Qdisc_ops fifo = {
	.enqueue = (void *)fifo_enqueue,
	.dequeue = (void *)fifo_dequeue,
	.init = (void *)fifo_init,
	.reset = (void *)fifo_reset,
	.destroy = (void *)fifo_destroy,
	.id = "bpf_fifo",
};
