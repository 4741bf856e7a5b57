// SPDX-License-Identifier: GPL-2.0
/*
 * Asks the live kernel's verifier the kptr questions QdiscKptrVerifierGoldenTest asks the model
 * (check_map_access(), check_map_kptr_access(), process_kptr_func(), bpf_kptr_xchg,
 * check_reference_leak()): SYSCALL programs against an array map whose value is
 * { long a; struct DTOR_TYPE __kptr *p; } (task_struct on the live kernel) and a plain array map.
 * Prints "name errno last-log-line" per case. Built and run by verifier_golden.sh.
 * With a second argument "xlated": loads the accepted program xchg_accepted instead (its map a
 * BPF_F_INNER_MAP array, so the lookup stays a call of array_map_lookup_elem, not an inlined
 * struct bpf_array offset, which differs between kernels) and prints
 * "bpftool prog dump xlated id ID opcodes": do_misc_fixups()' inlined bpf_kptr_xchg.
 */
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define ST_W(d, o, i)     I(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ST_DW(d, o, i)    I(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define STX_DW(d, s, o)   I(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define STX_W(d, s, o)    I(BPF_STX | BPF_MEM | BPF_W, d, s, o, 0)
#define LDX_DW(d, s, o)   I(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define LDX_W(d, s, o)    I(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define MOV_R(d, s)       I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_I(d, i)       I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_I(d, i)       I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define JEQ_I(d, i, o)    I(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define CALL(f)           I(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()            I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define KCALL(id)         I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, id)
#define LD_MAP(d, fd)     I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), I(0, 0, 0, 0, 0)
/* insns 0-5: *(u32 *)(r10 -4) = 0; r2 = fp-4; r1 = map; call bpf_map_lookup_elem */
#define LOOKUP(fd) ST_W(10, -4, 0), MOV_R(2, 10), ADD_I(2, -4), LD_MAP(1, fd), CALL(1)
/* the same with an unknown key (bpf_ktime_get_ns()): the result may be NULL also where the kernel
 * elides the null check of constant-key array lookups (v6.14+) */
#define LOOKUP_VAR(fd) CALL(5), STX_W(10, 0, -4), MOV_R(2, 10), ADD_I(2, -4), LD_MAP(1, fd), CALL(1)

static char log_buf[1 << 20];

static void one(const char *name, struct bpf_insn *insns, int cnt)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log_buf, .log_size = sizeof(log_buf), .log_level = 1,
		    .prog_flags = BPF_F_SLEEPABLE);
	log_buf[0] = 0;
	int fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, name, "GPL", insns, cnt, &o);
	int err = fd < 0 ? errno : 0;
	/* the "Unreleased reference" line if any (v6.12's last line; later kernels add a
	 * "... would lead to reference leak" line after it), else the last line that is not the
	 * "processed ..." summary */
	char *last = NULL, *leak = NULL, *line = strtok(log_buf, "\n");
	for (; line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "Unreleased reference", 20))
			leak = line;
		if (strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17))
			last = line;
	}
	printf("%s %d %s\n", name, err, !err ? "" : leak ? leak : last ? last : "");
	if (fd >= 0)
		close(fd);
}

/* bpf_kptr_xchg(&v->p, NULL) of a looked-up value, the old pointer released (DTOR_TYPE's release
 * kfunc), then bpftool's xlated dump of what the kernel made of it */
static int xchg_xlated(struct btf *btf, int key, int value, const char *release)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_INNER_MAP, .btf_fd = btf__fd(btf),
		    .btf_key_type_id = key, .btf_value_type_id = value);
	int kinner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "kinner", 4, 16, 2, &mo);
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int rel = vmlinux ? btf__find_by_name_kind(vmlinux, release, BTF_KIND_FUNC) : -1;
	if (kinner < 0 || rel < 0) {
		printf("setup_failed %d\n", kinner < 0 ? errno : -rel);
		return 1;
	}
	struct bpf_insn xchg_accepted[] = { LOOKUP_VAR(kinner), JEQ_I(0, 0, 7), MOV_R(1, 0), ADD_I(1, 8), MOV_I(2, 0),
					    CALL(194), JEQ_I(0, 0, 2), MOV_R(1, 0), KCALL(rel), MOV_I(0, 0), EXIT() };
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log_buf, .log_size = sizeof(log_buf), .log_level = 1,
		    .prog_flags = BPF_F_SLEEPABLE);
	int fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "xchg_accepted", "GPL", xchg_accepted,
			       sizeof(xchg_accepted) / sizeof(xchg_accepted[0]), &o);
	if (fd < 0) {
		printf("load_failed %d\n%s", errno, log_buf);
		return 1;
	}
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char cmd[96];
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		printf("info_failed %d\n", errno);
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "bpftool prog dump xlated id %u opcodes", info.id);
	fflush(stdout);
	return system(cmd) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *dtor = argc > 1 ? argv[1] : "task_struct";
	struct btf *btf = btf__new_empty();
	int i = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	int l = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	int d = btf__add_struct(btf, dtor, 0);
	int p = btf__add_ptr(btf, btf__add_type_tag(btf, "kptr", d));
	int s = btf__add_struct(btf, "value", 16);
	btf__add_field(btf, "a", l, 0, 0);
	btf__add_field(btf, "p", p, 64, 0);
	if (btf__load_into_kernel(btf)) {
		printf("btf_load_failed %d\n", errno);
		return 1;
	}
	if (argc > 2 && !strcmp(argv[2], "xlated"))
		return xchg_xlated(btf, i, s, !strcmp(dtor, "task_struct") ? "bpf_task_release" : "bpf_kfree_skb");
	LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_fd = btf__fd(btf), .btf_key_type_id = i, .btf_value_type_id = s);
	int kmap = bpf_map_create(BPF_MAP_TYPE_ARRAY, "kmap", 4, 16, 2, &mo);
	int plain = bpf_map_create(BPF_MAP_TYPE_ARRAY, "plain", 4, 16, 2, NULL);
	if (kmap < 0 || plain < 0) {
		printf("map_create_failed %d\n", errno);
		return 1;
	}
	struct bpf_insn xchg_maybe_null[] = { LOOKUP_VAR(kmap), MOV_R(1, 0), MOV_I(2, 0), CALL(194), MOV_I(0, 0), EXIT() };
	struct bpf_insn stx_to_ref_kptr[] = { LOOKUP(kmap), JEQ_I(0, 0, 2), MOV_I(1, 0), STX_DW(0, 1, 8), MOV_I(0, 0), EXIT() };
	struct bpf_insn st_zero_to_ref_kptr[] = { LOOKUP(kmap), JEQ_I(0, 0, 1), ST_DW(0, 8, 0), MOV_I(0, 0), EXIT() };
	struct bpf_insn deref_without_null_check[] = { LOOKUP(kmap), JEQ_I(0, 0, 2), LDX_DW(1, 0, 8), LDX_W(0, 1, 0),
						       MOV_I(0, 0), EXIT() };
	struct bpf_insn deref_after_null_check[] = { LOOKUP(kmap), JEQ_I(0, 0, 3), LDX_DW(1, 0, 8), JEQ_I(1, 0, 1),
						     LDX_W(0, 1, 0), MOV_I(0, 0), EXIT() };
	struct bpf_insn helper_over_kptr[] = { LOOKUP(kmap), JEQ_I(0, 0, 5), MOV_R(2, 0), ADD_I(2, 8), LD_MAP(1, plain),
					       CALL(1), MOV_I(0, 0), EXIT() };
	struct bpf_insn misaligned[] = { LOOKUP(kmap), JEQ_I(0, 0, 2), MOV_I(1, 0), STX_DW(0, 1, 4), MOV_I(0, 0), EXIT() };
	struct bpf_insn size_not_dw[] = { LOOKUP(kmap), JEQ_I(0, 0, 1), LDX_W(1, 0, 8), MOV_I(0, 0), EXIT() };
	struct bpf_insn xchg_no_btf_map[] = { LOOKUP(plain), JEQ_I(0, 0, 3), MOV_R(1, 0), MOV_I(2, 0), CALL(194),
					      MOV_I(0, 0), EXIT() };
	struct bpf_insn xchg_at_a_not_kptr[] = { LOOKUP(kmap), JEQ_I(0, 0, 3), MOV_R(1, 0), MOV_I(2, 0), CALL(194),
						 MOV_I(0, 0), EXIT() };
	struct bpf_insn xchg_result_leaked[] = { LOOKUP_VAR(kmap), JEQ_I(0, 0, 4), MOV_R(1, 0), ADD_I(1, 8), MOV_I(2, 0),
						 CALL(194), MOV_I(0, 0), EXIT() };
	struct bpf_insn xchg_result_null_checked_away[] = { LOOKUP_VAR(kmap), JEQ_I(0, 0, 5), MOV_R(1, 0), ADD_I(1, 8),
							    MOV_I(2, 0), CALL(194), JEQ_I(0, 0, 0), MOV_I(0, 0), EXIT() };
#define ONE(x) one(#x, x, sizeof(x) / sizeof(x[0]))
	ONE(xchg_maybe_null);
	ONE(stx_to_ref_kptr);
	ONE(st_zero_to_ref_kptr);
	ONE(deref_without_null_check);
	ONE(deref_after_null_check);
	ONE(helper_over_kptr);
	ONE(misaligned);
	ONE(size_not_dw);
	ONE(xchg_no_btf_map);
	ONE(xchg_at_a_not_kptr);
	ONE(xchg_result_leaked);
	ONE(xchg_result_null_checked_away);
	return 0;
}
