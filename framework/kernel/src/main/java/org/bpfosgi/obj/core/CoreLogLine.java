package org.bpfosgi.obj.core;

/**
 * One libbpf log line (without the default printer's "libbpf: " prefix and without the
 * newline), with its level: {@code enum libbpf_print_level}.
 */
public record CoreLogLine(Level level, String text) {
    /** LIBBPF_WARN, LIBBPF_INFO, LIBBPF_DEBUG. */
    public enum Level {
        WARN, INFO, DEBUG
    }

    @Override
    public String toString() {
        return text;
    }
}
