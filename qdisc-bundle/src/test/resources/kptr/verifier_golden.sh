#!/bin/sh
# Records the live kernel's verifier answers to kptr programs into verifier_golden.golden, and
# (needs bpftool) the xlated dump of one accepted bpf_kptr_xchg program into xchg_xlated.golden.
# Needs root, cc and libbpf-dev. The kptr type with a destructor is task_struct on the live
# kernel; the model's is sk_buff (bpf_kfree_skb_dtor, net/sched/bpf_qdisc.c v6.16).
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
cc -O2 -o "$tmp/golden" verifier_golden.c -lbpf
{
  echo "# uname -r: $(uname -r)"
  "$tmp/golden" task_struct
} > verifier_golden.golden
{
  echo "# uname -r: $(uname -r)"
  echo "# bpftool prog dump xlated id ID opcodes of xchg_accepted (verifier_golden.c xchg_xlated())"
  "$tmp/golden" task_struct xlated
} > xchg_xlated.golden
rm -rf "$tmp"
cat verifier_golden.golden xchg_xlated.golden
