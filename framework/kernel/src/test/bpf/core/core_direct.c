// CO-RE test object for bpf-osgi: direct (LDX) field loads through a BTF pointer, a static
// subprogram (func_info for two functions, line_info across both) and a bitfield read.
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	int prio;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct task_struct___v2 {
	int pid;
	long dont_exist;
} __attribute__((preserve_access_index));

__u64 seen[4];

static __attribute__((noinline)) int parent_tgid(struct task_struct *t)
{
	struct task_struct *p = t->real_parent;

	if (!p)
		return -1;
	return p->tgid;
}

SEC("tp_btf/sched_switch")
int core_direct(__u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct___v2 *v2 = (void *)prev;

	seen[0] = prev->pid;
	seen[1] = prev->prio;
	seen[2] = parent_tgid(prev);
	if (bpf_core_field_exists(v2->dont_exist))
		seen[3] = v2->dont_exist;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
