package org.bpfosgi.subsystem;

/** Models include/linux/bpf.h {@code enum bpf_access_type}. */
public enum BpfAccessType {
    BPF_READ,
    BPF_WRITE
}
