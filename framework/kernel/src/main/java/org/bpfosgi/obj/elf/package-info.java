/**
 * BPF ELF objects as clang builds them, opened and linked as libbpf v1.5 does.
 *
 * <p>Entry points: {@link org.bpfosgi.obj.elf.ElfObject#open(java.nio.file.Path)} (libbpf's
 * bpf_object__open: every check in libbpf's order, an {@link org.bpfosgi.obj.elf.ObjOpenException}
 * with libbpf's message for a refused object); {@link org.bpfosgi.obj.elf.ElfObject#toOpened()}
 * gives the {@link org.bpfosgi.obj.OpenedObject} that
 * {@link org.bpfosgi.obj.ObjLoader#load(org.bpfosgi.obj.OpenedObject, String, java.util.Set,
 * org.bpfosgi.structops.StructOpsKernel)} loads (bpf_object__load and the skeleton's attach, the
 * same path as the project's object text); {@link org.bpfosgi.obj.elf.ElfShow#lines} is
 * {@code obj show FILE.o}. {@link org.bpfosgi.obj.elf.ElfLinker} does the load-time half:
 * CO-RE (org.bpfosgi.obj.core), subprogram appending, data and extern relocations, and
 * func_info/line_info for BPF_PROG_LOAD.
 *
 * <pre>{@code
 *   ElfObject o = ElfObject.open(Path.of("prog.o"));
 *   BpfObject loaded = ObjLoader.load(o.toOpened(), o.name(), null, structOpsKernel);
 * }</pre>
 */
package org.bpfosgi.obj.elf;
