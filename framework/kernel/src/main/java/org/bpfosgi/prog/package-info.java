/**
 * BPF programs as objects: the program table ({@link org.bpfosgi.prog.ProgTable}: BPF_PROG_LOAD,
 * ids, show, free), the loader from program text ({@link org.bpfosgi.prog.ProgLoader}, as libbpf
 * loads an object: license, struct_ops member, kfunc names resolved to BTF ids and fd_array),
 * running a loaded program in the interpreter ({@link org.bpfosgi.prog.ProgRunner}), and the
 * facade the host wires ({@link org.bpfosgi.prog.ProgKernel}).
 */
package org.bpfosgi.prog;
