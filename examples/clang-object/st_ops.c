// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_testmod_st_ops programs with plain C bodies: each adds 10 through the module's kfunc and 1
 * through a static subprogram, then returns args->a. bpf_testmod's gen_prologue adds 1000 before
 * the body (test_prologue, test_pro_epilogue) and gen_epilogue adds 10000 and doubles a after
 * it (test_epilogue, test_pro_epilogue). The syscall programs run them through the module's
 * bpf_kfunc_st_ops_test_* kfuncs with a zeroed st_ops_args, so their return values are
 * 1011, 20022 and 22022 when the map below is registered (-1 when nothing is).
 *
 * Built by examples/clang-object.gosh: `cc st_ops.c -o build/st_ops.o module bpf_testmod` runs
 * clang -O2 -g -target bpf -mcpu=v3 against this machine's `btf dump module bpf_testmod format c`
 * (st_ops.o beside this file is that build: without clang, and in ClangTestmodObjectsTest). Struct
 * st_ops_args is a record under preserve_access_index, so args->a is a CO-RE field offset
 * relocated against bpf_testmod's split BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern int bpf_kfunc_st_ops_inc10(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_prologue(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_epilogue(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_pro_epilogue(struct st_ops_args *args) __ksym;

/* a static subprogram: linked into every program that calls it (R_BPF_64_32 to .text) */
static __noinline int add_one(struct st_ops_args *args)
{
	args->a += 1;
	return args->a;
}

static __always_inline int body(struct st_ops_args *args)
{
	bpf_kfunc_st_ops_inc10(args);
	return add_one(args);
}

SEC("struct_ops/test_prologue")
int BPF_PROG(c_prologue, struct st_ops_args *args)
{
	return body(args);
}

SEC("struct_ops/test_epilogue")
int BPF_PROG(c_epilogue, struct st_ops_args *args)
{
	return body(args);
}

SEC("struct_ops/test_pro_epilogue")
int BPF_PROG(c_pro_epilogue, struct st_ops_args *args)
{
	return body(args);
}

SEC(".struct_ops.link")
struct bpf_testmod_st_ops st_ops_c = {
	.test_prologue = (void *)c_prologue,
	.test_epilogue = (void *)c_epilogue,
	.test_pro_epilogue = (void *)c_pro_epilogue,
};

SEC("syscall")
int run_prologue(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_st_ops_test_prologue(&args);
}

SEC("syscall")
int run_epilogue(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_st_ops_test_epilogue(&args);
}

SEC("syscall")
int run_pro_epilogue(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_st_ops_test_pro_epilogue(&args);
}
