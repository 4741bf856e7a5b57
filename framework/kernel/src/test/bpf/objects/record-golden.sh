#!/usr/bin/env bash
# Records the live kernel's answers for the objects the kernel can load (not the bpf_testmod
# ones: this kernel has no bpf_testmod) as golden files next to the objects:
#   OBJ.golden   load verdict, struct_ops registration verdict, run results, and per program the
#                xlated instructions after the kernel's fixups, normalised (below)
#   OBJ.xlated.txt  bpftool's raw `prog dump xlated` (source lines, map ids) for reference
#   OBJ.core-log.txt  libbpf's CO-RE lines of the load (bpftool -d): candidates and patched insns
# Needs root, bpf(), bpftool, clang, python3 and a mounted /sys/fs/bpf. Run build.sh first.
#
# The machine's bpftool links libbpf 1.1, which predates .struct_ops.link (1.2): objects with a
# struct_ops map are loaded from a copy built with -DST_OPS_SEC='".struct_ops"' (the map becomes
# a legacy .struct_ops one); the script checks that every program section of the copy has the
# same instructions as the committed object before it records anything.
#
# Normalisation of xlated text (ElfObjectDifferentialTest applies the same to the model's):
# only instruction lines ("N: (op) text"); map[id:N] -> map[NAME] (the map's name as the kernel
# has it); "#..." after a call target dropped (helper addresses, kfunc ids, subprog tags); a
# kfunc call (opcode 0x85, src_reg 2, from `dump xlated ... opcodes`) is "call kernel-function",
# as bpftool prints it when it cannot name the address from /proc/kallsyms.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../../../.." && pwd)"
objs="$root/framework/kernel/src/test/resources/org/bpfosgi/obj/objects"
pin=/sys/fs/bpf/bpf_osgi_objects
tmp="$(mktemp -d)"
cleanup() { rm -rf "$tmp" "$pin"; }
trap cleanup EXIT
gen="$tmp/gen"; mkdir -p "$gen"
"$root/bpf-osgi" btf dump module vmlinux format c > "$gen/vmlinux.h"

normalise() { # $1: prog pin path; prints the normalised instruction lines
  local maps="{"
  for id in $(bpftool prog show pinned "$1" -j | python3 -c 'import json,sys; print(" ".join(map(str, json.load(sys.stdin).get("map_ids", []))))'); do
    maps="$maps\"$id\": \"$(bpftool map show id "$id" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')\","
  done
  bpftool prog dump xlated pinned "$1" opcodes | python3 -c '
import json, re, sys
maps = json.loads(sys.argv[1].rstrip(",") + "}")
lines = sys.stdin.read().split("\n")
for i, l in enumerate(lines):
    if not re.match(r"^ *\d+: \(", l):
        continue
    ops = lines[i + 1].split() if i + 1 < len(lines) else []
    l = re.sub(r"map\[id:(\d+)\]", lambda m: "map[%s]" % maps.get(m.group(1), "id:" + m.group(1)), l)
    if len(ops) >= 2 and ops[0] == "85" and int(ops[1], 16) >> 4 == 2:
        # a kfunc call (src_reg BPF_PSEUDO_KFUNC_CALL): bpftool names it from /proc/kallsyms when it can
        l = re.sub(r"call .*$", "call kernel-function", l)
    l = re.sub(r"(call pc[+-]\d+)#.*", r"\1", l)
    l = re.sub(r"(call [^ ]+)#[^ ]*$", r"\1", l)
    print(l)
' "$maps"
}

test_run() { # $1: pin path of a SEC("syscall") program; prints retval or the errno
  python3 - "$1" <<'PY'
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
NR_bpf = 321
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(NR_bpf, cmd, buf, 128)
    return r, buf.raw, ctypes.get_errno()
path = sys.argv[1].encode() + b"\0"
p = ctypes.create_string_buffer(path)
fd, _, e = bpf(7, struct.pack("<QII", ctypes.addressof(p), 0, 0))        # BPF_OBJ_GET
if fd < 0: print("obj_get error", -e); sys.exit(0)
r, out, e = bpf(10, struct.pack("<II", fd, 0))                           # BPF_PROG_TEST_RUN, no ctx
print(("retval %d" % struct.unpack_from("<i", out, 4)[0]) if r == 0 else ("errno -%d" % e))
PY
}

record() { # $1: object name (without .o)
  local n="$1" o="$objs/$1.o" load="$objs/$1.o" g="$objs/$1.golden" raw="$objs/$1.xlated.txt"
  local sections; sections="$(llvm-readelf -S "$o")"   # (grep -q on a pipe: SIGPIPE under pipefail)
  if grep -q '\.struct_ops\.link' <<< "$sections"; then
    load="$tmp/$n.legacy.o"
    clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I"$gen" -DST_OPS_SEC='".struct_ops"' \
      -c "$here/$n.c" -o "$load"
    for s in $(grep -oE ' (struct_ops|syscall|\.text)[^ ]*' <<< "$sections" | sort -u); do
      cmp <(llvm-objdump -d --section="$s" --no-show-raw-insn "$o" | tail -n +4) \
          <(llvm-objdump -d --section="$s" --no-show-raw-insn "$load" | tail -n +4) \
        || { echo "$n: section $s of the .struct_ops copy differs" >&2; exit 1; }
    done
  fi
  rm -rf "$pin"; mkdir -p "$pin"
  {
    echo "# $n.o on the live kernel: framework/kernel/src/test/bpf/objects/record-golden.sh"
    echo "# uname -r: $(uname -r); $(bpftool version | head -1) ($(bpftool version | sed -n 2p))"
    [ "$load" != "$o" ] && echo "# loaded from a copy with the struct_ops map in .struct_ops (libbpf 1.1), same instructions"
    if bpftool -d prog loadall "$load" "$pin/$n" > "$tmp/err" 2>&1; then
      echo "load: ok"
    else
      echo "load: error"
      { grep -E 'libbpf: prog .*failed to load|BPF program load failed' "$tmp/err" || true; } | head -3 | sed 's/^/# /'
    fi
    if [ "$load" != "$o" ]; then
      if bpftool struct_ops register "$load" > "$tmp/reg" 2>&1; then
        echo "register: ok"
        for m in $(bpftool struct_ops show -j | python3 -c 'import json,sys; [print(x["name"]) for x in json.load(sys.stdin)]'); do
          case "$m" in osgi_*) bpftool struct_ops unregister name "$m" >/dev/null 2>&1 || true ;; esac
        done
      else
        echo "register: error $(tail -1 "$tmp/reg")"
      fi
    fi
    for p in $(ls "$pin/$n" 2>/dev/null | sort); do
      if [ "$(bpftool prog show pinned "$pin/$n/$p" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" = syscall ]; then
        echo "run $p: $(test_run "$pin/$n/$p"); $(test_run "$pin/$n/$p")"
      fi
    done
    for p in $(ls "$pin/$n" 2>/dev/null | sort); do
      echo "prog $p"
      normalise "$pin/$n/$p"
    done
  } > "$g"
  for p in $(ls "$pin/$n" 2>/dev/null | sort); do
    echo "== $p"; bpftool prog dump xlated pinned "$pin/$n/$p"
  done > "$raw"
  grep -E "^libbpf: (CO-RE relocating|prog '[^']+': relo #)" "$tmp/err" > "$objs/$n.core-log.txt" || true
  [ -s "$objs/$n.core-log.txt" ] || rm -f "$objs/$n.core-log.txt"
  # the benchmark object's log is 5,000 lines of the same few fields: kept compressed
  if [ -f "$objs/$n.core-log.txt" ] && [ "$(stat -c %s "$objs/$n.core-log.txt")" -gt 100000 ]; then
    gzip -9nf "$objs/$n.core-log.txt"
  fi
  rm -rf "$pin"
  echo "$g: $(grep -E '^(load|register|run)' "$g" | paste -sd' ')"
}

for n in tcp_cc maps_globals big_core; do
  record "$n"
done
# the part of this kernel's vmlinux BTF the CO-RE objects need (libbpf's own matching chooses
# it): ClangObjectCoreTest's every-build target (same offsets and sizes, other type ids)
bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$objs/vmlinux.min.btf" "$tmp/tcp_cc.legacy.o" "$tmp/big_core.legacy.o"
echo "uname -r: $(uname -r)" > "$objs/environment.txt"
