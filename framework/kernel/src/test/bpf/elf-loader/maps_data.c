// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: BTF-defined maps, global data (.data, .rodata, .bss, a custom
 * .data.custom section, a static variable), global and static subprograms, a bpf-to-bpf call
 * chain, .kconfig externs and a weak missing kfunc.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__uint(key_size, 8);
	__uint(value_size, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, 4);
	__array(values, int (void *));
} jumps SEC(".maps");

int hits = 3;                         /* .data */
const volatile int limit = 7;         /* .rodata */
__u64 scratch[4];                     /* .bss */
int custom SEC(".data.custom") = 5;   /* .data.custom */
static int sticky;                    /* .bss, static: section symbol + offset */

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern int bpf_missing_kfunc(void) __ksym __weak;

char LICENSE[] SEC("license") = "GPL";

static __attribute__((noinline)) int static_helper(int x)
{
	return x * 2 + limit;
}

__attribute__((noinline)) int global_helper(int x)
{
	return static_helper(x) + 1;
}

SEC("syscall")
int classify(void *ctx)
{
	__u32 key = 1;
	__u64 *v;

	v = bpf_map_lookup_elem(&counters, &key);
	if (v)
		*v += 1;
	scratch[2] = hits;
	sticky += custom;
	if (bpf_missing_kfunc)
		bpf_missing_kfunc();
	return global_helper(hits) + static_helper(LINUX_KERNEL_VERSION & 1) + CONFIG_HZ + sticky;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	return static_helper(skb->len);
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jumps, 0);
	return 0;
}
