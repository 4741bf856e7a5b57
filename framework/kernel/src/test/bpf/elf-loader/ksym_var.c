// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: typed ksyms (extern variables of the kernel). libbpf 1.5
 * resolves each against vmlinux BTF (bpf_object__resolve_ksym_var_btf_id()) and emits an
 * ld_imm64 BPF_PSEUDO_BTF_ID with the VAR's id (insn[1].imm = the BTF fd, 0 for vmlinux); a weak
 * one that the kernel lacks is left unset, so its address is 0 and the guarded code is dead.
 * runqueues is a per-cpu variable: the verifier gives it PTR_TO_BTF_ID | MEM_PERCPU.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq {
	unsigned int nr_running;
};

extern const struct rq runqueues __ksym;
extern const int bpf_prog_active __ksym;
extern const int no_such_kernel_var __ksym __weak;

SEC("syscall")
int ksym_vars(void *ctx)
{
	unsigned long rq = (unsigned long)&runqueues;
	unsigned long active = (unsigned long)&bpf_prog_active;

	if (&no_such_kernel_var)
		return 1;
	asm volatile("" : "+r"(rq), "+r"(active));
	if (rq == 0 || active == 0)
		return 2;
	return 3;
}

char _license[] SEC("license") = "GPL";
