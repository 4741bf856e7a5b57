// CO-RE test object for bpf-osgi: an unguarded read of a field no kernel has. libbpf poisons
// the load (0xbad2310 call), the verifier reaches it, and libbpf rewrites the verifier log
// ("<invalid CO-RE relocation>", fixup_log_failed_core_relo()).
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct task_struct___nope {
	int no_such_field;
} __attribute__((preserve_access_index));

SEC("syscall")
int core_poison(void *ctx)
{
	struct task_struct___nope *t = ctx;

	return t->no_such_field;
}

char LICENSE[] SEC("license") = "GPL";
