#!/bin/sh
# Records the live kernel's BPF_MAP_CREATE answers for value BTF with kptr fields
# (map_create()/map_check_btf(), kernel/bpf/syscall.c) into map_create.golden.
# Needs root, clang/cc and libbpf-dev. The kernel type with a kptr destructor is task_struct
# (register_btf_id_dtor_kfuncs() in kernel/bpf/helpers.c); the model's is sk_buff
# (bpf_kfree_skb_dtor, net/sched/bpf_qdisc.c v6.16).
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
cc -O2 -o "$tmp/golden" map_create_golden.c -lbpf
{
  echo "# uname -r: $(uname -r)"
  "$tmp/golden" task_struct
} > map_create.golden
rm -rf "$tmp"
cat map_create.golden
