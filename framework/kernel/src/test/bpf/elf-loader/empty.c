// SPDX-License-Identifier: GPL-2.0
/* bpf-osgi ELF loader test object: no program and no map, only a license (and .BTF, clang -g).
 * libbpf 1.5 opens and loads it (bpf_object__load() returns 0: the object's BTF is the only thing
 * it gives the kernel); bpftool prog loadall pins nothing and succeeds; bpftool prog load, which
 * pins the first program, says "object file doesn't contain any bpf program" after the load.
 */
char _license[] __attribute__((section("license"), used)) = "GPL";
