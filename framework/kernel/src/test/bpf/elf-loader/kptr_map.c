// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: a .maps array whose value holds an untrusted kptr
 * (struct sk_buff __kptr_untrusted *), and plain global data (.data, .rodata, .bss: DATASEC value
 * types without special fields). libbpf 1.5 creates every map with the object's BTF (btf_fd,
 * btf_key_type_id, btf_value_type_id), so map_create() finds the kptr (btf_parse_fields()) and the
 * verifier gives a load of `skb` the type untrusted_ptr_or_null_sk_buff, which `peek` may
 * dereference after its NULL check. Without the map's BTF the load is a scalar and the
 * dereference is refused ("R1 invalid mem access 'scalar'").
 *
 * clang 14 drops the btf_type_tag of a pointer member whose struct is complete (PTR -> FWD, no
 * TYPE_TAG), and keeps it for an incomplete one (PTR -> TYPE_TAG "kptr_untrusted" -> FWD), which
 * v6.12's btf_find_kptr() refuses (-EINVAL: not a struct). build.sh therefore turns the FWD
 * 'sk_buff' of this object's .BTF into an empty STRUCT (same record size: fwd-to-struct.py), the
 * form a compiler that keeps the tag emits with a complete struct; the kernel looks the name up
 * in vmlinux BTF (btf_parse_kptr()) anyway.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef __kptr_untrusted	/* bpf_helpers.h of libbpf 1.1 has no __kptr_untrusted */
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#endif

struct sk_buff;

#ifndef SLOT_KPTR
#define SLOT_KPTR __kptr_untrusted
#endif

struct slot {
	__u64 cookie;
	struct sk_buff SLOT_KPTR *skb;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct slot);
#ifdef SLOT_FLAGS
	__uint(map_flags, SLOT_FLAGS);
#endif
} slots SEC(".maps");

__u64 seen = 5;			/* .data */
const volatile __u32 bias = 3;	/* .rodata */
__u32 runs;			/* .bss */

char _license[] SEC("license") = "GPL";

SEC("syscall")
int peek(void *ctx)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct sk_buff *skb;

	runs++;
	if (!s)
		return -1;
	skb = s->skb;
	if (skb && *(unsigned long *)skb)	/* skb->next: an untrusted load */
		return 1;
	return seen + bias + runs;
}
