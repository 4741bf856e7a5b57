// SPDX-License-Identifier: GPL-2.0
/* kptr_map.c with BPF_F_RDONLY_PROG on the map: map_check_btf() refuses a record in a map
 * programs may not write (-EACCES), libbpf 1.5's bpf_object__create_map() warns "Error in
 * bpf_create_map_xattr(slots):...(-13). Retrying without BTF." and creates it without BTF: the
 * value has no kptr and `peek`'s dereference is refused.
 */
#define SLOT_FLAGS BPF_F_RDONLY_PROG
#include "kptr_map.c"
