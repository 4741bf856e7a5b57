/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verifier tests' copy of bpf_testmod's BTF header, used only while the bundle's own
 * testmod-bundle/src/main/bpf/bpf_testmod.h (owned by the BTF branch) is a placeholder.
 */
#pragma once

struct bpf_struct_ops_common_value {
	refcount_t refcnt;
	int state;
};

struct st_ops_args {
	u64 a;
};

struct bpf_testmod_st_ops {
	int (*test_prologue)(struct st_ops_args *args);
	int (*test_epilogue)(struct st_ops_args *args);
	int (*test_pro_epilogue)(struct st_ops_args *args);
	struct module *owner;
};

struct bpf_struct_ops_bpf_testmod_st_ops {
	struct bpf_struct_ops_common_value common;
	struct bpf_testmod_st_ops data;
};

__bpf_kfunc int bpf_kfunc_st_ops_test_prologue(struct st_ops_args *args);
__bpf_kfunc int bpf_kfunc_st_ops_test_epilogue(struct st_ops_args *args);
__bpf_kfunc int bpf_kfunc_st_ops_test_pro_epilogue(struct st_ops_args *args);
__bpf_kfunc int bpf_kfunc_st_ops_inc10(struct st_ops_args *args);
int bpf_kfunc_st_ops_inc100(struct st_ops_args *args);

BTF_KFUNCS_START(bpf_testmod_check_kfunc_ids)
BTF_ID_FLAGS(func, bpf_kfunc_st_ops_test_prologue, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_kfunc_st_ops_test_epilogue, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_kfunc_st_ops_test_pro_epilogue, KF_TRUSTED_ARGS | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_kfunc_st_ops_inc10)
BTF_KFUNCS_END(bpf_testmod_check_kfunc_ids)

BTF_ID_LIST(st_ops_epilogue_kfunc_list)
BTF_ID(func, bpf_kfunc_st_ops_inc10)
BTF_ID(func, bpf_kfunc_st_ops_inc100)
