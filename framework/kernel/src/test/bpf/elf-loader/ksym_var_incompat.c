// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: a typed ksym whose type is not the kernel's (runqueues is a
 * struct rq, the object says long): libbpf 1.5 fails the load ("extern (var ksym) 'runqueues':
 * incompatible types, expected [..] int long, but kernel has [..] struct rq").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const long runqueues __ksym;

SEC("syscall")
int ksym_incompat(void *ctx)
{
	unsigned long rq = (unsigned long)&runqueues;

	asm volatile("" : "+r"(rq));
	return rq == 0 ? 2 : 3;
}

char _license[] SEC("license") = "GPL";
