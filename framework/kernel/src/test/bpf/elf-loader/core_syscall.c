// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: CO-RE relocations in syscall programs, resolved at load
 * against the model's vmlinux BTF. The local types carry ___flavour suffixes and only the
 * members used; one type exists nowhere (its existence relocates to 0).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct tcp_sock___local {
	unsigned int snd_cwnd;
} __attribute__((preserve_access_index));

struct sk_buff___local {
	unsigned int len;
} __attribute__((preserve_access_index));

struct no_such_type___local {
	int a;
} __attribute__((preserve_access_index));

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int cwnd_offset(void *ctx)
{
	return bpf_core_field_offset(struct tcp_sock___local, snd_cwnd);
}

SEC("syscall")
int skb_size(void *ctx)
{
	return bpf_core_type_size(struct sk_buff___local);
}

SEC("syscall")
int existence(void *ctx)
{
	return bpf_core_type_exists(struct no_such_type___local) * 100 +
	       bpf_core_field_exists(struct sk_buff___local, len) * 10 +
	       bpf_core_type_exists(struct tcp_sock___local);
}
