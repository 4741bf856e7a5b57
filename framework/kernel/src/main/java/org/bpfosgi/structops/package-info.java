/**
 * The run-time side of BPF (kernel/bpf/bpf_struct_ops.c, arraymap.c, syscall.c, net/bpf/test_run.c):
 * the map table ({@link org.bpfosgi.structops.MapTable}) with struct_ops maps
 * ({@link org.bpfosgi.structops.StructOpsMap}: the module reference of a module's type, the
 * update's checks, reg/unreg) and prog arrays ({@link org.bpfosgi.structops.ProgArrayMap}), the
 * struct_ops links ({@link org.bpfosgi.structops.LinkTable}), the trampolines through which module
 * code calls a struct_ops program ({@link org.bpfosgi.structops.Trampolines}), and
 * BPF_PROG_TEST_RUN against the machine's kernel memory
 * ({@link org.bpfosgi.structops.StructOpsKernel}).
 */
package org.bpfosgi.structops;
