package org.bpfosgi.errno;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A kernel function returned a negative errno. Carries the errno so that callers and commands
 * report what the kernel would return; the message is the kernel's log text, if any.
 */
@ProviderType
public class KernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errno errno;
    private final String detail;

    public KernelException(Errno errno, String message) {
        super(message == null || message.isEmpty() ? errno.symbol() : errno.symbol() + ": " + message);
        this.errno = errno;
        this.detail = message == null ? "" : message;
    }

    public KernelException(Errno errno) {
        this(errno, null);
    }

    public Errno errno() {
        return errno;
    }

    /** The message without the errno prefix (empty when there is none). */
    public String detail() {
        return detail;
    }
}
