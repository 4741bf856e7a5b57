/* SPDX-License-Identifier: GPL-2.0 */
/* hello_ops's BTF, as pahole + resolve_btfids would produce it for hello_ops.ko. */
#pragma once

struct hello_args {
	u64 n;
};

/* the struct_ops type: one program slot */
struct hello_ops {
	int (*greet)(struct hello_args *args);
	struct module *owner;
};

/* the value type bpf_struct_ops_desc_init() looks up: bpf_struct_ops_<name> */
struct bpf_struct_ops_hello_ops {
	struct bpf_struct_ops_common_value common;
	struct hello_ops data;
};

__bpf_kfunc int bpf_hello_double(struct hello_args *args);

BTF_KFUNCS_START(hello_kfunc_ids)
BTF_ID_FLAGS(func, bpf_hello_double)
BTF_KFUNCS_END(hello_kfunc_ids)
