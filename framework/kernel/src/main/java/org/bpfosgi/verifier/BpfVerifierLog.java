package org.bpfosgi.verifier;

import org.bpfosgi.subsystem.VerifierLog;

/**
 * Models kernel/bpf/log.c {@code struct bpf_verifier_log} in its default rotating mode: at
 * level 0 nothing is kept; otherwise everything is kept up to {@link #MAX_SIZE} characters and
 * then the oldest text is dropped, so that the end (with the error) always survives, as the
 * kernel's rotating log does since 6.4.
 */
public final class BpfVerifierLog implements VerifierLog {
    /** BPF_LOG_LEVEL1. */
    public static final int BPF_LOG_LEVEL1 = 1;
    /** BPF_LOG_LEVEL2. */
    public static final int BPF_LOG_LEVEL2 = 2;
    /** BPF_LOG_STATS. */
    public static final int BPF_LOG_STATS = 4;
    /** BPF_LOG_FIXED. */
    public static final int BPF_LOG_FIXED = 8;
    /** BPF_LOG_MASK. */
    public static final int BPF_LOG_MASK = BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2 | BPF_LOG_STATS | BPF_LOG_FIXED;
    /** The size of the model's log buffer (the kernel's is user-supplied, up to UINT_MAX >> 2). */
    public static final int MAX_SIZE = 16 << 20;

    private final int level;
    private final StringBuilder buf = new StringBuilder();
    private long endPos;

    public BpfVerifierLog(int level) {
        this.level = level;
    }

    public int level() {
        return level;
    }

    /** Models bpf_verifier_log_needed(). */
    public boolean needed() {
        return level != 0;
    }

    /** Models verbose() / bpf_log(). */
    @Override
    public void log(String format, Object... args) {
        if (level == 0) {
            return;
        }
        append(args.length == 0 ? format : Printf.format(format, args));
    }

    void append(String s) {
        if (level == 0) {
            return;
        }
        buf.append(s);
        endPos += s.length();
        if (buf.length() > 2 * MAX_SIZE) {
            // rotate in big steps so that a long log costs linear time
            buf.delete(0, buf.length() - MAX_SIZE);
        }
    }

    /** Models bpf_vlog_reset() to drop the last {@code n} characters (the newline of an insn line). */
    void dropLast(int n) {
        if (level != 0 && buf.length() >= n) {
            buf.setLength(buf.length() - n);
            endPos -= n;
        }
    }

    /** Characters written so far ({@code log->end_pos}). */
    long endPos() {
        return endPos;
    }

    @Override
    public String toString() {
        return buf.length() > MAX_SIZE ? buf.substring(buf.length() - MAX_SIZE) : buf.toString();
    }
}
