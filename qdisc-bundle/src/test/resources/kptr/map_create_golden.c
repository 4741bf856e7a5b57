// SPDX-License-Identifier: GPL-2.0
/*
 * Asks the live kernel (BPF_MAP_CREATE with value BTF) the map_check_btf() questions
 * QdiscKptrMapCreateGoldenTest asks the model. Each case loads its own program BTF
 * (BPF_BTF_LOAD): an INT "int", a STRUCT DTOR_TYPE (the kernel type with a registered kptr
 * destructor: task_struct on the live kernel), a STRUCT "Qdisc" (no destructor), and the value
 * struct of the case. Prints "name errno" (0 = created). Built and run by map_create_golden.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

enum val { V_DTOR_KPTR, V_NODTOR_KPTR, V_BAD_TAG, V_TWO_TAGS, V_UNTRUSTED };
/*
 * How the kptr field is spelled (btf_find_struct_field() -> btf_find_field_one() ->
 * btf_get_field_type() / btf_find_kptr(), kernel/bpf/btf.c):
 *   S_PLAIN           struct T __kptr *p
 *   S_TYPEDEF_TARGET  typedef struct T target_t; target_t __kptr *p   (PTR -> TYPE_TAG -> TYPEDEF -> STRUCT)
 *   S_CONST_TARGET    const struct T __kptr *p                         (PTR -> TYPE_TAG -> CONST -> STRUCT)
 *   S_TYPEDEF_MEMBER  typedef struct T __kptr *tp; tp p               (member type TYPEDEF -> PTR -> ...)
 *   S_VOLATILE_PTR    struct T __kptr * volatile p                     (VOLATILE -> PTR -> ...)
 *   S_NESTED          struct inner { struct T __kptr *p; }; struct inner in
 *   S_TYPEDEF_NESTED  typedef struct inner inner_t; inner_t in
 */
enum spelling { S_PLAIN, S_TYPEDEF_TARGET, S_CONST_TARGET, S_TYPEDEF_MEMBER, S_VOLATILE_PTR, S_NESTED, S_TYPEDEF_NESTED };
static enum spelling spelling = S_PLAIN;

static const char *nodtor_type = "Qdisc";

static int make_btf(const char *dtor_type, enum val v, int *int_id, int *val_id)
{
	struct btf *btf = btf__new_empty();
	int i = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	int l = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	int d = btf__add_struct(btf, dtor_type, 0);
	int q = btf__add_struct(btf, nodtor_type, 0);
	int target = v == V_NODTOR_KPTR ? q : d;
	if (spelling == S_TYPEDEF_TARGET)
		target = btf__add_typedef(btf, "target_t", target);
	if (spelling == S_CONST_TARGET)
		target = btf__add_const(btf, target);
	const char *tag = v == V_BAD_TAG ? "kptr_foo" : v == V_UNTRUSTED ? "kptr_untrusted" : "kptr";
	int t = btf__add_type_tag(btf, tag, target);
	if (v == V_TWO_TAGS)
		t = btf__add_type_tag(btf, "kptr", t);
	int p = btf__add_ptr(btf, t);
	if (spelling == S_TYPEDEF_MEMBER)
		p = btf__add_typedef(btf, "tp", p);
	if (spelling == S_VOLATILE_PTR)
		p = btf__add_volatile(btf, p);
	if (spelling == S_NESTED || spelling == S_TYPEDEF_NESTED) {
		int in = btf__add_struct(btf, "inner", 8);
		btf__add_field(btf, "p", p, 0, 0);
		p = spelling == S_TYPEDEF_NESTED ? btf__add_typedef(btf, "inner_t", in) : in;
	}
	int s = btf__add_struct(btf, "value", 16);
	btf__add_field(btf, "a", l, 0, 0);
	btf__add_field(btf, spelling == S_NESTED || spelling == S_TYPEDEF_NESTED ? "in" : "p", p, 64, 0);
	if (btf__load_into_kernel(btf))
		return -errno;
	*int_id = i;
	*val_id = s;
	return btf__fd(btf);
}

static void one(const char *name, const char *dtor_type, enum val v, enum bpf_map_type type,
		__u32 key_size, __u32 value_size, __u32 flags, int key_kind /* 0 none, 1 int, 2 value type */,
		int use_value_type, int kernel_btf)
{
	int int_id, val_id;
	int fd = make_btf(dtor_type, v, &int_id, &val_id);
	if (fd < 0) {
		printf("%s btf_load_failed %d\n", name, -fd);
		return;
	}
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	o.btf_fd = fd;
	if (kernel_btf) {
		int vfd = bpf_btf_get_fd_by_id(1);
		o.btf_fd = vfd;
	}
	o.btf_key_type_id = key_kind == 1 ? int_id : key_kind == 2 ? val_id : 0;
	o.btf_value_type_id = use_value_type ? val_id : 0;
	int m = bpf_map_create(type, "golden", key_size, value_size, 2, &o);
	printf("%s %d\n", name, m < 0 ? errno : 0);
	if (m >= 0)
		close(m);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *dtor = argc > 1 ? argv[1] : "task_struct";

	if (argc > 2)
		nodtor_type = argv[2];

	one("dtor_kptr_array", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 1, 1, 0);
	one("dtor_kptr_hash", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_HASH, 4, 16, 0, 1, 1, 0);
	one("nodtor_kptr_fails_btf_load", dtor, V_NODTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 1, 1, 0);
	one("bad_tag_created_err_record", dtor, V_BAD_TAG, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 1, 1, 0);
	one("two_tags_created_err_record", dtor, V_TWO_TAGS, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 1, 1, 0);
	one("untrusted_kptr", dtor, V_UNTRUSTED, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 1, 1, 0);
	one("rdonly_prog_with_kptr", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, BPF_F_RDONLY_PROG, 1, 1, 0);
	one("wronly_prog_with_kptr", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, BPF_F_WRONLY_PROG, 1, 1, 0);
	one("value_size_mismatch", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 24, 0, 1, 1, 0);
	one("key_size_mismatch", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 8, 16, 0, 1, 1, 0);
	one("array_key_not_int", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 16, 16, 0, 2, 1, 0);
	one("hash_without_key_type", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_HASH, 4, 16, 0, 0, 1, 0);
	one("array_without_key_type", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 0, 1, 0);
	one("key_type_without_value_type", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 1, 0, 0);
	one("kernel_btf_fd", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 1, 1, 1);
	/* map_check_btf()'s map types for kptr fields (v6.12): the per-cpu and LRU ones too */
	one("dtor_kptr_percpu_array", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 0, 1, 1, 0);
	one("dtor_kptr_percpu_hash", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_PERCPU_HASH, 4, 16, 0, 1, 1, 0);
	one("dtor_kptr_lru_hash", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_LRU_HASH, 4, 16, 0, 1, 1, 0);
	one("dtor_kptr_lru_percpu_hash", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 16, 0, 1, 1, 0);
	one("dtor_kptr_lru_hash_no_common_lru", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_LRU_HASH, 4, 16, BPF_F_NO_COMMON_LRU, 1, 1, 0);
	one("untrusted_kptr_percpu_array", dtor, V_UNTRUSTED, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 0, 1, 1, 0);
	one("untrusted_kptr_lru_percpu_hash", dtor, V_UNTRUSTED, BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 16, 0, 1, 1, 0);
	one("rdonly_prog_with_kptr_percpu_hash", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_PERCPU_HASH, 4, 16, BPF_F_RDONLY_PROG, 1, 1, 0);
	one("percpu_array_key_not_int", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_PERCPU_ARRAY, 16, 16, 0, 2, 1, 0);
	one("prog_array_with_kptr_value", dtor, V_DTOR_KPTR, BPF_MAP_TYPE_PROG_ARRAY, 4, 16, 0, 1, 1, 0);
	/* the spellings: a kptr record shows as -EACCES with BPF_F_RDONLY_PROG (map_check_btf()) */
	static const struct { enum spelling s; const char *name; } sp[] = {
		{ S_TYPEDEF_TARGET, "typedef_target" }, { S_CONST_TARGET, "const_target" },
		{ S_TYPEDEF_MEMBER, "typedef_member" }, { S_VOLATILE_PTR, "volatile_ptr" },
		{ S_NESTED, "nested_struct" }, { S_TYPEDEF_NESTED, "typedef_nested_struct" },
	};
	for (unsigned i = 0; i < sizeof(sp) / sizeof(sp[0]); i++) {
		char n[96];
		spelling = sp[i].s;
		snprintf(n, sizeof(n), "%s_rdonly_prog", sp[i].name);
		one(n, dtor, V_DTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, BPF_F_RDONLY_PROG, 1, 1, 0);
		snprintf(n, sizeof(n), "%s_nodtor", sp[i].name);
		one(n, dtor, V_NODTOR_KPTR, BPF_MAP_TYPE_ARRAY, 4, 16, 0, 1, 1, 0);
	}
	return 0;
}
