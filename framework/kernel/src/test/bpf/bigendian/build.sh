#!/bin/sh
# Builds ../elf-loader/maps_data.c (BTF-defined maps, global data, subprograms, .kconfig
# externs, a weak kfunc: symbols, REL sections, .BTF and .BTF.ext all used) twice, for
# -target bpfel and -target bpfeb, into src/test/resources/org/bpfosgi/obj/elf/, so that a test
# can open the big-endian object and compare what libbpf 1.5 makes of it (byte-swapped to native
# at open, refused at load) with the little-endian one. Records the compiler's version there.
# Run from anywhere: sh framework/kernel/src/test/bpf/bigendian/build.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../resources/org/bpfosgi/obj/elf"
mkdir -p "$out"
cd "$here/../elf-loader"
for t in bpfel bpfeb; do
	clang -O2 -g -target $t -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -c maps_data.c -o "$out/maps_data.$t.o"
	llvm-readelf -h "$out/maps_data.$t.o" | grep -E 'Data:|Machine:' > "$out/maps_data.$t.readelf.txt"
done
{ clang --version | head -1; echo "uname -r: $(uname -r)"; } > "$out/maps_data.bigendian-build.txt"
