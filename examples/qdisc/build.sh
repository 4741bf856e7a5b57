#!/bin/sh
# Builds examples/qdisc/fifo.bpf.o from fifo.bpf.c (clang 14, libbpf-dev headers) so that the
# tests never need clang, then turns the FWD sk_buff into an empty STRUCT (clang 14 keeps a
# __kptr tag only on an incomplete struct, the kernel's btf_find_kptr() and libbpf's
# bpf_core_types_are_compat() for the kfuncs' sk_buff parameters want a STRUCT: see
# framework/kernel/src/test/bpf/elf-loader/fwd-to-struct.py). Run from anywhere.
set -e
here=$(cd "$(dirname "$0")" && pwd)
fwd="$here/../../framework/kernel/src/test/bpf/elf-loader/fwd-to-struct.py"
clang -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -c "$here/fifo.bpf.c" -o "$here/fifo.bpf.o"
python3 "$fwd" "$here/fifo.bpf.o" sk_buff
llvm-objdump -dr --no-show-raw-insn "$here/fifo.bpf.o" > "$here/fifo.bpf.objdump.txt"
clang --version | head -1 > "$here/fifo.bpf.clang-version.txt"
