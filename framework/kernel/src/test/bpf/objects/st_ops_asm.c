// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_testmod_st_ops programs with naked asm bodies (clang 14 accepts __attribute__((naked))
 * for -target bpf: the function is the asm and nothing else), so the instructions the
 * verifier's convert_ctx_accesses() sees are exactly these:
 *
 *  asm_prologue      (test_prologue)      args = ctx[0]; a += 10 (kfunc); a += 3 (static asm subprog); return a
 *  asm_two_exits     (test_epilogue)      a == 0 ? (a = 7, return 7) : (a = 5, r1 clobbered, return 5):
 *                                         both exits become jumps to the one generated epilogue
 *  asm_loop_to_start (test_pro_epilogue)  jumps back to insn 0: must land after the prologue
 *
 * Expected run results (zeroed args): prologue 1000+10+3 = 1013; two_exits (10000+7)*2 = 20014;
 * loop_to_start: prologue once, then (1000+10000)*2 = 22000.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define __naked __attribute__((naked))
#define __imm(name) [name]"i"(name)

char _license[] SEC("license") = "GPL";

extern int bpf_kfunc_st_ops_inc10(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_prologue(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_epilogue(struct st_ops_args *args) __ksym;
extern int bpf_kfunc_st_ops_test_pro_epilogue(struct st_ops_args *args) __ksym;

/* a static subprogram in asm: a += 3, returns a (r1 = args) */
static __naked __noinline __attribute__((used)) int add_three(void)
{
	asm volatile (
	"r2 = *(u64 *)(r1 + 0);"
	"r2 += 3;"
	"*(u64 *)(r1 + 0) = r2;"
	"r0 = r2;"
	"exit;"
	::: "memory");
}

SEC("struct_ops/test_prologue")
__naked int asm_prologue(void)
{
	asm volatile (
	"r1 = *(u64 *)(r1 + 0);"
	"r6 = r1;"
	"call %[bpf_kfunc_st_ops_inc10];"
	"r1 = r6;"
	"call add_three;"
	"exit;"
	:: __imm(bpf_kfunc_st_ops_inc10)
	: "memory");
}

SEC("struct_ops/test_epilogue")
__naked int asm_two_exits(void)
{
	asm volatile (
	"r1 = *(u64 *)(r1 + 0);"
	"r2 = *(u64 *)(r1 + 0);"
	"if r2 != 0 goto 1f;"
	"r3 = 7;"
	"*(u64 *)(r1 + 0) = r3;"
	"r0 = 7;"
	"exit;"
"1:"
	"r3 = 5;"
	"*(u64 *)(r1 + 0) = r3;"
	"r0 = 5;"
	"r1 = 0;"
	"exit;"
	::: "memory");
}

SEC("struct_ops/test_pro_epilogue")
__naked int asm_loop_to_start(void)
{
	asm volatile (
"2:"
	"if r1 == 0 goto 3f;"
	"r1 = 0;"
	"goto 2b;"
"3:"
	"r0 = 0;"
	"exit;"
	::: "memory");
}

SEC(".struct_ops.link")
struct bpf_testmod_st_ops st_ops_asm = {
	.test_prologue = (void *)asm_prologue,
	.test_epilogue = (void *)asm_two_exits,
	.test_pro_epilogue = (void *)asm_loop_to_start,
};

/* C uses of the kfunc the asm names through __imm: they give libbpf the extern's BTF */
SEC("syscall")
int run_prologue(void *ctx)
{
	struct st_ops_args args = {};

	bpf_kfunc_st_ops_inc10(&args);
	args.a = 0;
	return bpf_kfunc_st_ops_test_prologue(&args);
}

SEC("syscall")
int run_two_exits(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_st_ops_test_epilogue(&args);
}

SEC("syscall")
int run_loop_to_start(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_st_ops_test_pro_epilogue(&args);
}
