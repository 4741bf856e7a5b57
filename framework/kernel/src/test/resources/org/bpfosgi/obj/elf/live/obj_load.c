// SPDX-License-Identifier: GPL-2.0
/* Loads a BPF ELF object with the machine's libbpf as bpf_object__load() does and prints what
 * the ELF loader's golden files record: libbpf's warnings and infos, the load verdict, per map its name,
 * whether it was created with BTF (btf_id != 0) and its key/value type ids, per program the
 * BPF_PROG_TEST_RUN retval. libbpf 1.5's bpf_object__populate_internal_map() re-mmap()s every
 * BPF_F_MMAPABLE internal map at load (PROT_READ for BPF_F_RDONLY_PROG, else read-write) and
 * fails the load when that fails; the machine's libbpf (1.1) does not, so this program makes the
 * same mmap() call after the load and prints its errno ("mmap NAME: ok" / "mmap NAME: -524").
 * Used by record-live.sh; ElfMapBtfTest compares the model with it.
 * Build: cc -O2 -o obj_load obj_load.c -lbpf       Run (root): obj_load FILE.o
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vprintf(fmt, ap);	/* libbpf's own "libbpf: " prefix included, as its default printer */
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.o\n", argv[0]);
		return 2;
	}
	libbpf_set_print(print);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("open: %d\n", -errno);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		printf("load: %d\n", err);
		bpf_object__close(obj);
		return 1;
	}
	printf("load: ok\n");
	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len)) {
			printf("map %s: info %d\n", bpf_map__name(map), -errno);
			continue;
		}
		printf("map %s: btf %s key_type %u value_type %u\n", bpf_map__name(map), info.btf_id ? "yes" : "no",
		       info.btf_key_type_id, info.btf_value_type_id);
	}
	bpf_object__for_each_map(map, obj) {
		__u32 flags = bpf_map__map_flags(map);
		size_t sz = (bpf_map__value_size(map) + 4095) / 4096 * 4096;
		void *p;

		if (!bpf_map__is_internal(map) || !(flags & BPF_F_MMAPABLE))
			continue;
		p = mmap(NULL, sz, (flags & BPF_F_RDONLY_PROG) ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(map), 0);
		if (p == MAP_FAILED) {
			printf("mmap %s: %d\n", bpf_map__name(map), -errno);
			continue;
		}
		printf("mmap %s: ok\n", bpf_map__name(map));
		munmap(p, sz);
	}
	bpf_object__for_each_program(prog, obj) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		if (!bpf_program__autoload(prog))
			continue;	/* SEC("?...") */
		err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
		if (err)
			printf("run %s: %d\n", bpf_program__name(prog), -errno);
		else
			printf("run %s: retval %d\n", bpf_program__name(prog), (int)opts.retval);
	}
	bpf_object__close(obj);
	return 0;
}
