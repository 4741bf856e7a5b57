#!/usr/bin/env bash
# The live kernel's answers for examples/tcp-cc/reno.bpf's .name member, compared by RenoObjectTest:
# reno_object.c (the same Reno-like ops in C) compiled with three names and registered with
# bpftool; the errno is the BPF_MAP_UPDATE_ELEM's (bpftool v7.1 prints "Success" for it).
# Recorded on 6.18 (2026-12-02): "bpf_reno2x" registered (tcp_available_congestion_control:
# reno bbr cubic bpf_reno2x); a second one EEXIST (dmesg: "TCP: bpf_reno2x already registered or
# non-unique key"); "" EINVAL; "bpf_reno_0123456" (16 characters, no NUL) EINVAL.
# Needs root, clang, bpftool, strace. Leaves nothing registered.
set -euo pipefail
src="$(dirname "$(readlink -f "$0")")/reno_object.c"
d="$(mktemp -d)"; cd "$d"
bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h
cp "$src" reno.c
cc() { clang -O2 -g -target bpf -D__TARGET_ARCH_x86 "-DCCNAME=$1" -c reno.c -o "$2"; }
cc '"bpf_reno2x"' ok.o; cc '""' empty.o; cc '"bpf_reno_0123456"' full.o
errno() { strace -e trace=bpf bpftool struct_ops register "$1" 2>&1 | grep BPF_MAP_UPDATE_ELEM | tail -1 | sed 's/.*= //'; }
echo "ok:    $(errno ok.o)"
cat /proc/sys/net/ipv4/tcp_available_congestion_control
echo "dup:   $(errno ok.o)"
echo "empty: $(errno empty.o)"
echo "full:  $(errno full.o)"
for id in $(bpftool struct_ops show | awk -F: '/ reno +tcp_congestion_ops/ {print $1}'); do
  bpftool struct_ops unregister id "$id"
done
