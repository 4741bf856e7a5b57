package org.bpfosgi.isa;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Bad assembler input, located the way compilers locate it: {@code file:line:col: message}
 * (line and column are 1-based).
 */
@ProviderType
public final class AsmException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final int col;
    private final String detail;

    public AsmException(String file, int line, int col, String detail) {
        super(file + ":" + line + ":" + col + ": " + detail);
        this.file = file;
        this.line = line;
        this.col = col;
        this.detail = detail;
    }

    public String file() { return file; }
    public int line() { return line; }
    public int col() { return col; }
    /** The message without its location. */
    public String detail() { return detail; }
}
