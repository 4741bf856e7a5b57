package org.bpfosgi.btf;

/**
 * Malformed BTF, a failed query, or a header the C-declaration compiler rejects. The message is
 * meant for the user: it says what is wrong and where (type id, byte offset, or file:line:col).
 * An IllegalArgumentException, as the read-only views of org.bpfosgi.btf.api promise.
 */
public class BtfException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BtfException(String message) {
        super(message);
    }

    public BtfException(String message, Throwable cause) {
        super(message, cause);
    }
}
