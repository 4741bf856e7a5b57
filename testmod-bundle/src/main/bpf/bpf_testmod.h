/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_testmod's BTF (tools/testing/selftests/bpf/test_kmods/bpf_testmod.h and the kfunc
 * registration of bpf_testmod.c), as pahole + resolve_btfids would produce it for the .ko.
 * Compiled at module COMING into split BTF on top of vmlinux BTF.
 */
#pragma once

struct st_ops_args {
	u64 a;
};

struct bpf_testmod_st_ops {
	int (*test_prologue)(struct st_ops_args *args);
	int (*test_epilogue)(struct st_ops_args *args);
	int (*test_pro_epilogue)(struct st_ops_args *args);
	struct module *owner;
};

/* the struct_ops value type bpf_struct_ops_desc_init() looks up: bpf_struct_ops_<name> */
struct bpf_struct_ops_bpf_testmod_st_ops {
	struct bpf_struct_ops_common_value common;
	struct bpf_testmod_st_ops data;
};

__bpf_kfunc int bpf_kfunc_st_ops_test_prologue(struct st_ops_args *args);
__bpf_kfunc int bpf_kfunc_st_ops_test_epilogue(struct st_ops_args *args);
__bpf_kfunc int bpf_kfunc_st_ops_test_pro_epilogue(struct st_ops_args *args);
__bpf_kfunc int bpf_kfunc_st_ops_inc10(struct st_ops_args *args);
/* dropped v2 8/8: called from the generated epilogue, in no kfunc set (so no bpf_kfunc tag) */
int bpf_kfunc_st_ops_inc100(struct st_ops_args *args);

/* registered for SCHED_CLS, TRACING, SYSCALL and STRUCT_OPS; flags as of Aug 2024 (v6.12) */
BTF_KFUNCS_START(bpf_testmod_check_kfunc_ids)
BTF_ID_FLAGS(func, bpf_kfunc_st_ops_test_prologue, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_kfunc_st_ops_test_epilogue, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_kfunc_st_ops_test_pro_epilogue, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_kfunc_st_ops_inc10)
BTF_KFUNCS_END(bpf_testmod_check_kfunc_ids)

/* dropped v2 8/8: the kfuncs st_ops_gen_epilogue() calls */
BTF_ID_LIST(st_ops_epilogue_kfunc_list)
BTF_ID(func, bpf_kfunc_st_ops_inc10)
BTF_ID(func, bpf_kfunc_st_ops_inc100)

/* bpf_testmod.c: DEFINE_PER_CPU(int, bpf_testmod_ksym_percpu) = 123; (the selftests' ksyms_module
 * reads it through a typed ksym: ld_imm64 BPF_PSEUDO_BTF_ID with this BTF's fd) */
extern __percpu int bpf_testmod_ksym_percpu;
