#!/bin/sh
# Builds the ELF loader's test objects from the C sources next to this script into
# src/test/resources/org/bpfosgi/obj/elf/, and records the compiler's version there, so that
# the tests never need clang. Run from anywhere: sh framework/kernel/src/test/bpf/elf-loader/build.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../resources/org/bpfosgi/obj/elf"
mkdir -p "$out"
for c in "$here"/*.c; do
	n=$(basename "$c" .c)
	clang -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -c "$c" -o "$out/$n.o"
	# kptr_*.c: clang 14 keeps __kptr tags only on incomplete structs (see kptr_map.c)
	case "$n" in kptr_*) python3 "$here/fwd-to-struct.py" "$out/$n.o" sk_buff ;; esac
	llvm-objdump -dr --no-show-raw-insn "$out/$n.o" > "$out/$n.objdump.txt"
	llvm-readelf -S -s -r "$out/$n.o" > "$out/$n.readelf.txt"
	llvm-objdump -r "$out/$n.o" | tail -n +4 > "$out/$n.relocs.txt"
	# libbpf's own open phase (bpftool links libbpf): its debug lines are the tests' reference
	bpftool -d gen skeleton "$out/$n.o" 2>&1 >/dev/null | grep '^libbpf: ' > "$out/$n.libbpf-open.txt" || true
done
{ clang --version | head -1; bpftool version | head -2; echo "uname -r: $(uname -r)"; } > "$out/clang-version.txt"
