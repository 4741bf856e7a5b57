// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: a strong kfunc extern whose prototype is not the kernel's.
 * bpf_testmod declares int bpf_kfunc_st_ops_inc10(struct st_ops_args *args); this object
 * declares a second argument, so libbpf's bpf_object__resolve_ksym_func_btf_id() refuses it
 * ("func_proto [N] incompatible with bpf_testmod [M]", -EINVAL) before any program is loaded.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct st_ops_args;
extern int bpf_kfunc_st_ops_inc10(struct st_ops_args *args, int extra) __ksym;

SEC("syscall")
int wrong_proto(void *ctx)
{
	return bpf_kfunc_st_ops_inc10((struct st_ops_args *)0, 1);
}

char _license[] SEC("license") = "GPL";
