// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: the same mismatched prototype as kfunc_proto.c, but weak and
 * guarded by a test of its address (what bpf_ksym_exists() expands to): libbpf leaves an incompatible weak kfunc unresolved (its address
 * is 0), so the guarded call is dead code and the program returns 7.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct st_ops_args;
extern int bpf_kfunc_st_ops_inc10(struct st_ops_args *args, int extra) __ksym __weak;

SEC("syscall")
int weak_wrong_proto(void *ctx)
{
	if (&bpf_kfunc_st_ops_inc10)
		return bpf_kfunc_st_ops_inc10((struct st_ops_args *)0, 1);
	return 7;
}

char _license[] SEC("license") = "GPL";
