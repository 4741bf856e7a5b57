package org.bpfosgi.vm;

/** A BPF_MAP_TYPE_PROG_ARRAY as the tail call sees it (kernel/bpf/arraymap.c {@code struct bpf_array}). */
public interface ProgArray {
    int maxEntries();

    /** The program in slot {@code index}, or null if the slot is empty. */
    LoadedProgram get(int index);
}
