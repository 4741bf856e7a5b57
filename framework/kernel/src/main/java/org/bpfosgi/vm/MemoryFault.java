package org.bpfosgi.vm;

/**
 * A bad access to the simulated kernel memory. Thrown by {@link Memory} (and by helpers through
 * their {@link CallContext}); {@link Vm#run} turns it into an {@link Oops}, so it never reaches
 * the caller of a program. Carries no stack trace: it is control flow, not a bug report.
 */
public final class MemoryFault extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Oops.Kind kind;
    private final long address;
    private final int size;

    public MemoryFault(Oops.Kind kind, long address, int size, String reason) {
        super(reason, null, false, false);
        this.kind = kind;
        this.address = address;
        this.size = size;
    }

    public Oops.Kind kind() { return kind; }
    public long address() { return address; }
    public int size() { return size; }
}
