/* Oracle for bpf-osgi: BPF_PROG_TEST_RUN of a syscall program, and a syscall program using a
 * prog array. Build: clang -O2 -g -target bpf -c tc.bpf.c -o tc.bpf.o; cc tc.c -o tc -lbpf.
 * Run as root; prints one line per case. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

struct args { unsigned long long n; unsigned int idx; unsigned int pad; };

static char log_buf[65536];

static void run(int fd, unsigned size, unsigned repeat, const char *what)
{
	struct args a = { .n = 41 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = size ? &a : NULL, .ctx_size_in = size, .repeat = repeat);
	int err = bpf_prog_test_run_opts(fd, &o);
	if (err)
		printf("run %s: err %d\n", what, -errno);
	else
		printf("run %s: retval %u n %llu\n", what, o.retval, a.n);
}

int main(void)
{
	libbpf_set_print(NULL);
	struct bpf_object *obj = bpf_object__open_file("tc.bpf.o", NULL);
	if (!obj || bpf_object__load(obj)) { printf("load failed\n"); return 1; }
	int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "count"));
	run(prog, sizeof(struct args), 0, "ctx_size_in 16");
	run(prog, 8, 0, "ctx_size_in 8");
	run(prog, 4, 0, "ctx_size_in 4");
	run(prog, 0, 0, "ctx_size_in 0");
	run(prog, sizeof(struct args), 1, "repeat 1");
	bpf_object__close(obj);

	obj = bpf_object__open_file("tc.bpf.o", NULL);
	struct bpf_program *t = bpf_object__find_program_by_name(obj, "tail");
	bpf_program__set_autoload(t, true);
	bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "count"), false);
	bpf_program__set_log_buf(t, log_buf, sizeof(log_buf));
	bpf_program__set_log_level(t, 1);
	int err = bpf_object__load(obj);
	printf("load tail: err %d\n%s", err, log_buf);
	return 0;
}
