package org.bpfosgi.kernel;

import java.io.PrintStream;

/**
 * Java stack traces are for the developers of bpf-osgi, not its users: they are printed only
 * with {@code BPF_OSGI_DEBUG=1} in the environment (or {@code -Dbpfosgi.debug=true}). Users get
 * the kernel's wording; {@link #describe} turns a Java failure into words without Java types.
 */
public final class Debug {
    private Debug() {
    }

    public static boolean enabled() {
        return Boolean.getBoolean("bpfosgi.debug") || "1".equals(System.getenv("BPF_OSGI_DEBUG"));
    }

    private static final boolean TIMING = "1".equals(System.getenv("BPF_OSGI_TIMING"));

    /** With {@code BPF_OSGI_TIMING=1}: prints on stderr how long after JVM start {@code phase} ended. */
    public static void phase(String phase) {
        if (TIMING) {
            long up = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
            System.err.println("[" + up + " ms] " + phase);
        }
    }

    /** Prints {@code t}'s stack trace on {@code err} when debugging is on. */
    public static void trace(Throwable t, PrintStream err) {
        if (enabled()) {
            t.printStackTrace(err);
        }
    }

    /**
     * What went wrong, without a Java type name: the exception's message with any
     * "java.lang.FooException: " prefixes removed, or "internal error" for an exception that
     * carries no message (a bug; BPF_OSGI_DEBUG=1 shows where).
     */
    public static String describe(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return "internal error (BPF_OSGI_DEBUG=1 shows it)";
        }
        return stripJavaTypes(m);
    }

    /** Removes "pkg.Name(Exception|Error): " prefixes from a message's first line. */
    public static String stripJavaTypes(String message) {
        String first = message.lines().findFirst().orElse(message);
        return first.replaceAll("(?:\\b[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)(?:: ?|$)", "").strip();
    }
}
