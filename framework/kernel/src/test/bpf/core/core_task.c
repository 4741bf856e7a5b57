// CO-RE test object for bpf-osgi (BtfExt / BpfCoreRelocator tests).
// Local types carry preserve_access_index so clang records bpf_core_relo entries
// against them; the ___flavor suffixes are matched by essential name.
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
	unsigned int sched_reset_on_fork:1;
	unsigned int sched_contributes_to_load:1;
} __attribute__((preserve_access_index));

/* a flavor with a field that no kernel has: its existence check becomes 0 */
struct task_struct___old {
	int pid;
	long made_up_field;
} __attribute__((preserve_access_index));

enum pid_type___local {
	PIDTYPE_PID___local,
	PIDTYPE_TGID___local,
	PIDTYPE_MADE_UP___local = 42,
};

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
};

struct made_up_type {
	int x;
};

__u64 out[16];

SEC("kprobe/do_nanosleep")
int core_task(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct task_struct___old *o = (void *)t;
	int pid = BPF_CORE_READ(t, pid);
	int ppid = BPF_CORE_READ(t, real_parent, tgid);

	out[0] = pid;
	out[1] = ppid;
	out[2] = bpf_core_field_exists(t->tgid);
	out[3] = bpf_core_field_exists(o->made_up_field);
	out[4] = bpf_core_field_size(t->comm);
	out[5] = bpf_core_field_offset(t->comm);
	out[6] = BPF_CORE_READ_BITFIELD_PROBED(t, sched_reset_on_fork);
	out[7] = bpf_core_type_exists(struct made_up_type);
	out[8] = bpf_core_type_exists(struct task_struct);
	out[9] = bpf_core_type_size(struct task_struct);
	out[10] = bpf_core_enum_value_exists(enum pid_type___local, PIDTYPE_MADE_UP___local);
	out[11] = bpf_core_enum_value(enum pid_type, PIDTYPE_PGID);
	out[12] = bpf_core_enum_value(enum pid_type___local, PIDTYPE_TGID___local);
	out[13] = bpf_core_type_id_kernel(struct task_struct);
	out[14] = bpf_core_type_id_local(struct task_struct);
	/* bpf_core_type_matches() needs clang 15+: TYPE_MATCHES is tested with hand-made records */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
