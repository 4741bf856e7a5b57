#!/bin/sh
# Builds the CO-RE / .BTF.ext test objects and extracts the sections the tests read
# (.BTF, .BTF.ext and each code section as raw bytes) into
# src/test/resources/org/bpfosgi/btf/ext/. Run from anywhere; needs clang and llvm-objcopy.
# Records the compiler version in clang-version.txt next to the outputs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../../test/resources/org/bpfosgi/btf/ext
mkdir -p "$out"
clang --version | head -1 > "$out/clang-version.txt"
arch_inc=/usr/include/$(uname -m)-linux-gnu
for c in "$here"/*.c; do
	n=$(basename "$c" .c)
	# clang 14 writes the absolute source path into the line info (and reads the source text from
	# it), so the strings name the build directory; the kernel prints only the base name
	(cd "$here" && clang -O2 -g -target bpf -mcpu=v3 -I"$arch_inc" -c "$n.c" -o "$out/$n.o")
	llvm-objcopy --dump-section .BTF="$out/$n.BTF" --dump-section .BTF.ext="$out/$n.BTF.ext" "$out/$n.o" /dev/null
	for s in $(llvm-readelf -S "$out/$n.o" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) *PROGBITS .* AX .*/\1/p'); do
		f=$(echo "$s" | tr '/' '_')
		llvm-objcopy --dump-section "$s"="$out/$n.sec.$f" "$out/$n.o" /dev/null
	done
	llvm-objdump -dr "$out/$n.o" > "$out/$n.objdump.txt"
	bpftool btf dump file "$out/$n.o" > "$out/$n.btfdump.txt"
done
