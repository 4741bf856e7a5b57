package org.bpfosgi.vm;

/**
 * The run ended where the kernel would oops (or, for {@link Kind#INSN_LIMIT}, where the caller's
 * instruction budget ran out).
 *
 * @param kind     what went wrong
 * @param insn     index of the instruction that failed
 * @param address  the faulting address (0 when no memory access is involved)
 * @param size     the access size in bytes (0 when no memory access is involved)
 * @param reason   a human-readable explanation
 * @param executed instructions executed before the failure
 */
public record Oops(Kind kind, int insn, long address, int size, String reason, long executed) implements Outcome {

    public enum Kind {
        /** No region at the address, or the access runs past a region's end. */
        PAGE_FAULT,
        /** A store into a read-only region. */
        READ_ONLY,
        /** An access to a freed region: a use after free. */
        USE_AFTER_FREE,
        /** More than MAX_CALL_FRAMES nested bpf-to-bpf calls. */
        CALL_DEPTH,
        /** A call to a helper or kfunc nobody bound. */
        UNKNOWN_FUNCTION,
        /** A helper or kfunc failed (threw). */
        FUNCTION_FAILED,
        /** An instruction the interpreter cannot execute (invalid opcode, jump out of range, falling off the end). */
        INVALID_INSN,
        /** The caller's instruction limit was reached. */
        INSN_LIMIT
    }

    @Override
    public String toString() {
        String where = size > 0 ? String.format(" accessing %d byte%s at 0x%x", size, size == 1 ? "" : "s", address) : "";
        return "oops: " + kind.name().toLowerCase().replace('_', ' ') + " at insn " + insn + where + ": " + reason;
    }
}
