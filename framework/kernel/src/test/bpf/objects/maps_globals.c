// SPDX-License-Identifier: GPL-2.0
/*
 * BTF-defined maps (an array and a hash), global data in all three sections (.data, .rodata,
 * .bss: libbpf's internal array maps maps_glo.data / .rodata / .bss), a static subprogram, a
 * global subprogram (verified on its own, from its BTF) and a bpf-to-bpf call chain two deep.
 * SEC("syscall"): the live kernel loads and runs it (BPF_PROG_TEST_RUN), and so does the model.
 *
 * A run: counts itself in .bss and in hits[0], adds `step` (.rodata) to `total` (.data),
 * remembers the total under key `runs` in the hash and returns total + mix(runs).
 *
 * No static variables: clang leaves their DATASEC offsets 0 with no symbol to fix them from
 * (libbpf btf_fixup_datasec skips STATIC VARs), the kernel refuses the overlapping entries
 * ("Invalid offset") and libbpf goes on without BTF: a libbpf detail, not this object's subject.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

const volatile __u64 step = 7;		/* .rodata (frozen by libbpf) */
__u64 total = 100;			/* .data */
__u32 runs;				/* .bss */
char note[16] = "bpf-osgi";		/* .data: an array read at a bounded variable index */

/* static: linked into the caller, verified with the caller's state */
static __noinline __u64 twice(__u64 v)
{
	return v * 2 + note[v & 7];
}

/* global: verified once, alone, with scalar arguments from its BTF prototype */
__noinline int mix(int a, int b)
{
	return (a ^ b) + (int)twice(a);
}

static __noinline int count_hit(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &slot);

	if (!v)
		return -1;
	__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("syscall")
int maps_and_globals(void *ctx)
{
	__u32 key;
	__u64 t;

	runs++;
	if (count_hit(0))
		return -1;
	total += step;
	t = total;
	key = runs;
	bpf_map_update_elem(&totals, &key, &t, BPF_ANY);
	return (int)t + mix(runs, 3);
}
