// SPDX-License-Identifier: GPL-2.0
/* Oracle for bpf-osgi's syscall test runs and map checks (see README.md next to this file). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct args {
	unsigned long long n;
	unsigned int idx;
	unsigned int pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp SEC(".maps");

/* a sleepable (syscall) program may not use a prog array */
SEC("?syscall")
int tail(struct args *a)
{
	bpf_tail_call(a, &jmp, a->idx);
	return 0;
}

SEC("syscall")
int count(struct args *a)
{
	a->n += 1;
	return a->n;
}

char _license[] SEC("license") = "GPL";
