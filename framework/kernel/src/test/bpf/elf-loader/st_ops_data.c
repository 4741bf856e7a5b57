// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: a struct_ops variable whose local struct is not the kernel's
 * layout. libbpf matches members by name (bpf_map__init_kern_struct_ops): the local type has a
 * ___flavour suffix, its members in another order, and a data member the kernel struct lacks
 * ("extra", zero here, so it is skipped; the test patches it to non-zero to see libbpf's
 * refusal). The map is a legacy ".struct_ops" one (registered by the map update, no link), and
 * a spare program in "?struct_ops/..." stays unloaded.
 */
typedef unsigned long long u64;

struct st_ops_args {
	u64 a;
};

struct bpf_testmod_st_ops___local {
	int extra;
	int (*test_pro_epilogue)(struct st_ops_args *args);
	int (*test_prologue)(struct st_ops_args *args);
};

#define SEC(n) __attribute__((section(n), used))

char _license[] SEC("license") = "GPL";

SEC("struct_ops/test_prologue")
int plus_one(unsigned long long *ctx)
{
	struct st_ops_args *args = (struct st_ops_args *)ctx[0];

	return args->a + 1;
}

SEC("struct_ops/test_pro_epilogue")
int plus_two(unsigned long long *ctx)
{
	struct st_ops_args *args = (struct st_ops_args *)ctx[0];

	return args->a + 2;
}

SEC("?struct_ops/test_epilogue")
int spare(unsigned long long *ctx)
{
	return 0;
}

SEC(".struct_ops")
struct bpf_testmod_st_ops___local local_ops = {
	.test_pro_epilogue = (void *)plus_two,
	.test_prologue = (void *)plus_one,
	.extra = 0,
};
