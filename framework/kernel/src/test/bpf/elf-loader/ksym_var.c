// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: typed ksyms (extern variables of the kernel). libbpf 1.5
 * resolves each with bpf_object__resolve_ksym_var_btf_id(): bpf_testmod_ksym_percpu is in no
 * vmlinux type, so find_ksym_btf_id() goes on to the module BTFs and finds it in bpf_testmod's
 * own; the ld_imm64 becomes BPF_PSEUDO_BTF_ID with the VAR's id and insn[1].imm = that BTF's
 * fd. The verifier records the module BTF in used_btfs with a module reference: the loaded
 * program pins bpf_testmod. A weak ksym the kernel lacks is left unset: its address is 0 and the
 * guarded return is dead code, so the program returns 3.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_testmod_ksym_percpu __ksym;
extern const int no_such_kernel_var __ksym __weak;

SEC("syscall")
int ksym_vars(void *ctx)
{
	unsigned long v = (unsigned long)&bpf_testmod_ksym_percpu;

	if (&no_such_kernel_var)
		return 1;
	asm volatile("" : "+r"(v));
	return v == 0 ? 2 : 3;
}

char _license[] SEC("license") = "GPL";
