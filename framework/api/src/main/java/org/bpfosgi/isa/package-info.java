/**
 * The BPF instruction set as values: {@link org.bpfosgi.isa.Insn} (the kernel's
 * {@code struct bpf_insn}), the opcode and UAPI constants of include/uapi/linux/bpf.h and
 * bpf_common.h ({@link org.bpfosgi.isa.Bpf}), the kernel's instruction macros of
 * include/linux/filter.h as static factories ({@link org.bpfosgi.isa.Macros}), the helper ids of
 * {@code __BPF_FUNC_MAPPER} ({@link org.bpfosgi.isa.HelperIds}), programs whose calls stay
 * symbolic until a loader resolves them ({@link org.bpfosgi.isa.Program}), an assembler for the
 * LLVM BPF syntax of kernel selftests and for the bpf_conformance/ubpf dialect
 * ({@link org.bpfosgi.isa.Assembler}), and a disassembler printing exactly what
 * kernel/bpf/disasm.c {@code print_bpf_insn()} prints ({@link org.bpfosgi.isa.Disassembler}).
 * Everything is cpu v4 (RFC 9669): sdiv/smod, movsx, sign-extending loads, bswap, gotol,
 * atomics with fetch, xchg and cmpxchg. No OSGi, no I/O.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package org.bpfosgi.isa;
