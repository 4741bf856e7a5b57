#!/usr/bin/env bash
# Records what the live kernel's xlated image of "r2 = 0x123456789 ll; r0 = 1; exit" is
# (bpftool prog dump xlated ... opcodes), the golden data of LdImm64ImageTest. Needs root,
# clang, bpftool and a mounted /sys/fs/bpf. Usage: ldimm64-xlated.sh > ldimm64-xlated-6.18.txt
set -euo pipefail
d="$(mktemp -d)"
trap 'rm -rf "$d"; rm -f /sys/fs/bpf/bpf_osgi_ldimm64' EXIT
cat > "$d/ld.c" <<'C'
#define SEC(n) __attribute__((section(n), used))
SEC("socket")
__attribute__((naked)) int ldimm(void)
{
	asm volatile ("r2 = 0x123456789 ll; r0 = 1; exit;" ::: "memory");
}
char _license[] SEC("license") = "GPL";
C
clang -O2 -target bpf -c "$d/ld.c" -o "$d/ld.o"
bpftool prog load "$d/ld.o" /sys/fs/bpf/bpf_osgi_ldimm64
bpftool prog dump xlated pinned /sys/fs/bpf/bpf_osgi_ldimm64 opcodes
