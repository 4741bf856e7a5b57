package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ProviderType;

/** Models include/linux/bpf.h {@code enum bpf_access_type}. */
@ProviderType
public enum BpfAccessType {
    BPF_READ,
    BPF_WRITE
}
