// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: the pro/epilogue struct_ops programs of the seed written in C
 * (not a copy of the selftest): three struct_ops programs sharing a static subprogram and a
 * module kfunc, three syscall programs calling the bpf_kfunc_st_ops_test_* kfuncs, and the
 * struct_ops map "pro_epilogue" binding the three members.
 */
typedef unsigned long long u64;

struct st_ops_args {
	u64 a;
};

struct bpf_testmod_st_ops {
	int (*test_prologue)(struct st_ops_args *args);
	int (*test_epilogue)(struct st_ops_args *args);
	int (*test_pro_epilogue)(struct st_ops_args *args);
	struct module *owner;
};

#define SEC(n) __attribute__((section(n), used))
#define __ksym __attribute__((section(".ksyms")))
#define __noinline __attribute__((noinline))

extern int bpf_kfunc_st_ops_inc10(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_prologue(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_epilogue(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_pro_epilogue(struct st_ops_args *args) __ksym;

char _license[] SEC("license") = "GPL";

static __noinline int subprog(struct st_ops_args *args)
{
	args->a += 1;
	return args->a;
}

/* struct_ops programs receive an array of u64 arguments (BPF_PROG's ctx) */
SEC("struct_ops/test_prologue")
int test_prologue(unsigned long long *ctx)
{
	struct st_ops_args *args = (struct st_ops_args *)ctx[0];

	bpf_kfunc_st_ops_inc10(args);
	return subprog(args);
}

SEC("struct_ops/test_epilogue")
int test_epilogue(unsigned long long *ctx)
{
	struct st_ops_args *args = (struct st_ops_args *)ctx[0];

	bpf_kfunc_st_ops_inc10(args);
	return subprog(args);
}

SEC("struct_ops/test_pro_epilogue")
int test_pro_epilogue(unsigned long long *ctx)
{
	struct st_ops_args *args = (struct st_ops_args *)ctx[0];

	bpf_kfunc_st_ops_inc10(args);
	return subprog(args);
}

SEC("syscall")
int syscall_prologue(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_st_ops_test_prologue(&args);
}

SEC("syscall")
int syscall_epilogue(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_st_ops_test_epilogue(&args);
}

SEC("syscall")
int syscall_pro_epilogue(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_st_ops_test_pro_epilogue(&args);
}

SEC(".struct_ops.link")
struct bpf_testmod_st_ops pro_epilogue = {
	.test_prologue = (void *)test_prologue,
	.test_epilogue = (void *)test_epilogue,
	.test_pro_epilogue = (void *)test_pro_epilogue,
};
