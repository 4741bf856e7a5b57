/**
 * BTF (kernel/bpf/btf.c, include/uapi/linux/btf.h, tools/bpf/resolve_btfids, pahole): the type
 * model ({@link org.bpfosgi.btf.BtfType}, {@link org.bpfosgi.btf.api.BtfKind}), the binary codec
 * ({@link org.bpfosgi.btf.Btf#parse}, {@link org.bpfosgi.btf.BtfWriter}), split BTF, the queries
 * the verifier and subsystems make, bpftool's {@code format raw} and {@code format c} dumps,
 * vmlinux BTF (real or built-in, {@link org.bpfosgi.btf.VmlinuxBtf}), the C-declaration compiler
 * that turns a subsystem bundle's header into module BTF and resolves its {@code .BTF_ids}
 * ({@link org.bpfosgi.btf.CDeclCompiler}), and the kernel side: the registry of BTF objects and
 * the module notifier ({@link org.bpfosgi.btf.BtfRegistry}, {@link org.bpfosgi.btf.BtfModuleNotifier}).
 *
 * <p>Everything here is pure Java: no OSGi, no native code; bpftool and clang are only used by
 * tests, to check that our output equals theirs.
 */
package org.bpfosgi.btf;
