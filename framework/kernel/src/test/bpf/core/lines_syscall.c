// Line info test object for bpf-osgi: a sleepable syscall program (the model verifies that
// type) with a static subprogram, so that func_info has two records and line_info spans both.
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct args {
	int a;
	int b;
};

static __attribute__((noinline)) int clamp_diff(int x, int y)
{
	if (x > y)
		return x - y;
	return y - x;
}

SEC("syscall")
int lines(struct args *ctx)
{
	int d = clamp_diff(ctx->a, ctx->b);

	if (d > 100)
		d = 100;
	return d;
}

char LICENSE[] SEC("license") = "GPL";
