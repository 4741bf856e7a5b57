/**
 * libbpf's CO-RE relocation (src/relo_core.c and bpf_object__relocate_core() of src/libbpf.c,
 * v1.5): {@link org.bpfosgi.obj.core.BpfCoreRelocator} resolves a program's
 * {@code bpf_core_relo} records against the target BTFs and patches its instructions.
 */
package org.bpfosgi.obj.core;
