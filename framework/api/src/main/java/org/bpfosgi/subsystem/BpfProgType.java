package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The {@code enum bpf_prog_type} values (include/uapi/linux/bpf.h) that kfunc-set registration
 * names. The model verifies only {@link #STRUCT_OPS} programs; the others exist so that a
 * subsystem can register its kfunc set for the hooks the kernel module registers it for.
 */
@ProviderType
public enum BpfProgType {
    UNSPEC(0), SOCKET_FILTER(1), KPROBE(2), SCHED_CLS(3), SCHED_ACT(4), TRACEPOINT(5), XDP(6),
    TRACING(26), STRUCT_OPS(27), LSM(29), SYSCALL(31);

    private final int value;

    BpfProgType(int value) {
        this.value = value;
    }

    /** The uapi number ({@code BPF_PROG_TYPE_STRUCT_OPS} = 27). */
    public int value() {
        return value;
    }
}
