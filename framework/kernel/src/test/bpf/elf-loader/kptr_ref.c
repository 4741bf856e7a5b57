// SPDX-License-Identifier: GPL-2.0
/* kptr_map.c with a referenced kptr (struct sk_buff __kptr *) in the map value: BPF_BTF_LOAD's
 * btf_parse_struct_metas() wants a destructor for sk_buff (btf_find_dtor_kfunc()); v6.12 has
 * none (bpf_kfree_skb_dtor came with bpf_qdisc in 6.16), so the BTF is refused with -ENOENT and
 * libbpf goes on without it ("BTF is optional"): the map has no kptr and `peek`'s dereference is
 * refused.
 */
#define SLOT_KPTR __kptr
#include "kptr_map.c"
