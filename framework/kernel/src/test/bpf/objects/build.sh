#!/usr/bin/env bash
# Builds the BPF test objects of this directory into
# framework/kernel/src/test/resources/org/bpfosgi/obj/objects/ (committed: tests never need clang).
#
# The vmlinux.h headers are the project's own `btf dump ... format c` (BtfCDump), not bpftool's:
#   st_ops_*.c             the model's vmlinux + bpf_testmod split BTF (btf dump module bpf_testmod)
#   everything else        the model's vmlinux (btf dump module vmlinux: /sys/kernel/btf/vmlinux
#                          when readable, else the built-in base, which lacks most of tcp_sock)
# Needs clang (14 used), libbpf-dev (bpf_helpers.h) and the launcher (./bpf-osgi builds itself).
# Usage: build.sh [OUT_DIR]      (records clang --version and uname -r in OUT_DIR/BUILD-INFO.txt)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../../../.." && pwd)"
out="${1:-$root/framework/kernel/src/test/resources/org/bpfosgi/obj/objects}"
mkdir -p "$out"
gen="$(mktemp -d)"
trap 'rm -rf "$gen"' EXIT
mkdir -p "$gen/vmlinux" "$gen/testmod"
"$root/bpf-osgi" btf dump module vmlinux format c > "$gen/vmlinux/vmlinux.h"
"$root/bpf-osgi" btf dump module bpf_testmod format c > "$gen/testmod/vmlinux.h"

cflags=(-O2 -g -target bpf -mcpu=v3 -Wall -Werror -fdebug-prefix-map="$here"=.)
cd "$here"
{
  echo "# made by framework/kernel/src/test/bpf/objects/build.sh"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "uname -r: $(uname -r)"
  echo "clang --version: $(clang --version | head -1)"
  echo "libbpf-dev headers: $(grep -h 'define LIBBPF_M' /usr/include/bpf/libbpf_version.h | awk '{print $3}' | paste -sd.)"
  echo "vmlinux.h (vmlinux): sha256 $(sha256sum < "$gen/vmlinux/vmlinux.h" | cut -c1-16), $(wc -l < "$gen/vmlinux/vmlinux.h") lines"
  echo "vmlinux.h (bpf_testmod): sha256 $(sha256sum < "$gen/testmod/vmlinux.h" | cut -c1-16), $(wc -l < "$gen/testmod/vmlinux.h") lines"
} > "$out/BUILD-INFO.txt"
for c in *.c; do
  o="${c%.c}.o"
  case "$c" in
    st_ops_*) inc="$gen/testmod" ;;
    *) inc="$gen/vmlinux" ;;
  esac
  clang "${cflags[@]}" -I"$inc" -c "$c" -o "$out/$o"
  # DWARF of the ~140k-line vmlinux.h (every enum) is 600 KB an object; libbpf reads none of it
  # (.BTF and .BTF.ext stay): strip it from the big ones; maps_globals.o keeps its .debug_*
  # sections (and their relocations) for the loader to skip
  if [ "$(stat -c %s "$out/$o")" -gt 100000 ]; then llvm-strip --strip-debug "$out/$o"; fi
  n=$(llvm-objdump -d "$out/$o" | grep -cE '^ +[0-9]+:' || true)
  echo "$o: $n instructions, $(stat -c %s "$out/$o") bytes" | tee -a "$out/BUILD-INFO.txt"
done
