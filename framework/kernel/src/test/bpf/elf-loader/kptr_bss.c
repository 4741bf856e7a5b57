// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: an untrusted kptr in .bss. The .bss map's DATASEC value type
 * has a kptr field (btf_find_datasec_var()), so map_create() gives the map a record; the map is
 * BPF_F_MMAPABLE (a global variable), and libbpf 1.5 re-mmap()s it after creating it, which
 * bpf_map_mmap() refuses for a map with a record (-ENOTSUPP): the object does not load. The FWD
 * 'sk_buff' is made an empty STRUCT by build.sh, as in kptr_map.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef __kptr_untrusted	/* bpf_helpers.h of libbpf 1.1 has no __kptr_untrusted */
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#endif

struct sk_buff;

struct sk_buff __kptr_untrusted *cached;	/* .bss */

char _license[] SEC("license") = "GPL";

SEC("syscall")
int probe(void *ctx)
{
	struct sk_buff *skb = cached;

	if (skb && *(unsigned long *)skb)	/* skb->next: an untrusted load */
		return 1;
	return 0;
}
