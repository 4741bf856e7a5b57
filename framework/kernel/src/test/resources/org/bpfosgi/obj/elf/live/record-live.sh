#!/bin/sh
# Records the live kernel's answers for the ELF loader's map-BTF objects (../kptr_map.o,
# ../kptr_ref.o, ../kptr_rdonly.o, ../kptr_bss.o, ../globals.o, ../prog_array_btf.o: objects whose programs the model loads) and the
# extern-order objects (../extern_order*.o: which unresolvable extern libbpf reports) and an object
# with no program and no map (../empty.o, also through bpftool prog loadall / prog load) into OBJ.live.txt next to this script: obj_load.c
# (the machine's libbpf, cc -lbpf) loads each object, prints libbpf's warnings, the load verdict,
# each map's BTF ids as the kernel reports them, the re-mmap() of each mmapable internal map (as
# libbpf 1.5 does at load) and each program's test-run retval. Needs root and bpf().
# Run: sh framework/kernel/src/test/resources/org/bpfosgi/obj/elf/live/record-live.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
cc -O2 -Wall -o "$bin" "$here/obj_load.c" -lbpf
libbpf=$(grep -h 'define LIBBPF_M' /usr/include/bpf/libbpf_version.h | awk '{print $3}' | paste -sd.)
for n in kptr_map kptr_ref kptr_rdonly kptr_bss globals prog_array_btf extern_order extern_order_virtual extern_order_config empty; do
	{
		echo "# $n.o on the live kernel: obj_load.c (libbpf $libbpf), record-live.sh"
		echo "# uname -r: $(uname -r)"
		(cd "$here/.." && "$bin" "$n.o") || true
	} > "$here/$n.live.txt"
done
# bpftool on the object without programs: loadall pins nothing and succeeds, prog load refuses
pin=/sys/fs/bpf/bpf_osgi_empty_$$
{
	echo "# empty.o through $(bpftool version | head -1), record-live.sh"
	echo "# uname -r: $(uname -r)"
	rc=0; (cd "$here/.." && bpftool prog loadall empty.o "$pin") 2>"$bin.err" || rc=$?
	echo "bpftool prog loadall: rc $rc"; grep '^Error' "$bin.err" || true
	rc=0; (cd "$here/.." && bpftool prog load empty.o "$pin.one") 2>"$bin.err" || rc=$?
	echo "bpftool prog load: rc $rc"; grep '^Error' "$bin.err" || true
	rm -rf "$pin" "$pin.one" "$bin.err" 2>/dev/null || true
} > "$here/empty.bpftool.txt"
