/**
 * Objects: the project's object text ({@link org.bpfosgi.obj.ObjectText}, what clang would put in
 * an ELF object, written close to the selftests' C) and libbpf's bpf_object__load() with a
 * skeleton's attach and destroy ({@link org.bpfosgi.obj.ObjLoader}).
 */
package org.bpfosgi.obj;
