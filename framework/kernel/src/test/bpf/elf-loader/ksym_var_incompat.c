// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: a typed ksym whose type is not the kernel's
 * (bpf_testmod_ksym_percpu is an int, the object says a struct): libbpf 1.5 fails the load
 * ("extern (var ksym) 'bpf_testmod_ksym_percpu': incompatible types, expected [..] struct
 * not_an_int, but kernel has [..] int int").
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct not_an_int {
	int x;
};

extern const struct not_an_int bpf_testmod_ksym_percpu __ksym;

SEC("syscall")
int ksym_incompat(void *ctx)
{
	unsigned long v = (unsigned long)&bpf_testmod_ksym_percpu;

	asm volatile("" : "+r"(v));
	return v == 0 ? 2 : 3;
}

char _license[] SEC("license") = "GPL";
