#!/bin/sh
# Records what libbpf (through bpftool) and the live kernel compute for the CO-RE test objects:
# the libbpf debug lines of the CO-RE pass (candidates, per-relocation decisions, patched insns)
# and the xlated program. Needs root, bpffs at /sys/fs/bpf and /sys/kernel/btf/vmlinux.
# Output: src/test/resources/org/bpfosgi/btf/ext/golden/NAME.{core-log,xlated}.txt
set -eu
here=$(cd "$(dirname "$0")" && pwd)
res=$here/../../../test/resources/org/bpfosgi/btf/ext
out=$res/golden
mkdir -p "$out"
{ echo "uname -r: $(uname -r)"; bpftool version | head -2; } > "$out/environment.txt"
# the part of this kernel's vmlinux BTF the objects' relocations need (bpftool gen min_core_btf
# runs libbpf's own CO-RE matching to choose the types): the tests' every-build target
objs=""
for n in "$@"; do objs="$objs $res/$n.o"; done
bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$out/vmlinux.min.btf" $objs
for n in "$@"; do
	pin=/sys/fs/bpf/bpfosgi_core_golden_$$
	mkdir -p "$pin"
	bpftool -d prog loadall "$res/$n.o" "$pin" 2> "$out/$n.libbpf-debug.txt" || true
	grep -E "CO-RE relocating|prog .*: relo #" "$out/$n.libbpf-debug.txt" > "$out/$n.core-log.txt" || true
	# the verifier log at level 1|2|4 that bpftool -d asks for, between libbpf's markers
	sed -n '/-- BEGIN PROG LOAD LOG --/,/-- END PROG LOAD LOG --/p' "$out/$n.libbpf-debug.txt" \
		> "$out/$n.verifier-log.txt"
	for p in "$pin"/*; do
		[ -e "$p" ] || continue
		bpftool prog dump xlated pinned "$p" > "$out/$n.$(basename "$p").xlated.txt"
		bpftool prog dump xlated pinned "$p" linum > "$out/$n.$(basename "$p").xlated-linum.txt"
		rm -f "$p"
	done
	rmdir "$pin"
	rm -f "$out/$n.libbpf-debug.txt"
done
