// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: a prog array declared with __type(key, ...) and
 * __type(value, ...). libbpf 1.5 creates it with btf_key_type_id / btf_value_type_id (PROG_ARRAY is
 * not in bpf_object__create_map()'s list of types whose BTF ids it drops); v6.12's
 * prog_array_map_ops has no map_check_btf, so map_check_btf() checks only the key and value
 * sizes (and btf_parse_fields() of an INT value is an ERR record, ignored): the map has BTF.
 * The program is not autoloaded (a prog array is not for sleepable SEC("?syscall") programs).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jump SEC(".maps");

char _license[] SEC("license") = "GPL";

SEC("?syscall")
int jumper(void *ctx)
{
	bpf_tail_call(ctx, &jump, 0);
	return 7;
}
