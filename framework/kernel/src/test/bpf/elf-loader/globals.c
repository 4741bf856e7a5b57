// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: syscall programs only (what the model verifies), using an
 * array map and a hash map from .maps, global data in .data, .rodata and .bss, a static and a
 * global subprogram, .kconfig externs and a weak kfunc no kernel has (its call is dead code).
 *
 * count(): first run 3 + 7 + 1 + 6 + 20 = 37, second run 6 + 7 + 2 + 6 + 20 = 41
 * (hits = 3 added into arr[0] each run; limit = 7; runs counts the runs; LINUX_KERNEL_VERSION >> 16
 * is 6 on the model's 6.12; times_ten(2) = 20).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} seen SEC(".maps");

int hits = 3;
const volatile int limit = 7;
__u64 runs;

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int bpf_no_such_kfunc(void) __ksym __weak;

char LICENSE[] SEC("license") = "GPL";

static __attribute__((noinline)) int times_ten(int x)
{
	return x * 10;
}

__attribute__((noinline)) int plus_limit(int x)
{
	return x + limit;
}

SEC("syscall")
int count(void *ctx)
{
	__u32 key = 0, one = 1;
	__u64 *v;

	v = bpf_map_lookup_elem(&arr, &key);
	if (!v)
		return -1;
	*v += hits;
	runs += 1;
	bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
	if (bpf_no_such_kfunc)
		bpf_no_such_kfunc();
	return plus_limit(*v) + runs + (LINUX_KERNEL_VERSION >> 16) + times_ten(2);
}

SEC("syscall")
int peek(void *ctx)
{
	__u32 key = 0;
	__u32 *s = bpf_map_lookup_elem(&seen, &key);

	return s ? *s + times_ten(1) : times_ten(0);
}
