package org.bpfosgi.vm;

/**
 * The program returned.
 *
 * @param r0       its return value
 * @param executed instructions executed
 */
public record Exit(long r0, long executed) implements Outcome {
    @Override
    public String toString() { return "0x" + Long.toHexString(r0); }
}
