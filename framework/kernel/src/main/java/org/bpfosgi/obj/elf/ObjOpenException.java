package org.bpfosgi.obj.elf;

import org.bpfosgi.prog.LoaderException;

/**
 * A refused {@code bpf_object__open}: libbpf's warning (verbatim where libbpf has one, with the
 * section and byte offset added where libelf would only say "invalid ...") and its negative
 * error code ({@code -LIBBPF_ERRNO__FORMAT} = -4001, {@code -ENOENT}, ...). The message starts
 * with the file, so that every refusal names the file, the section and the offset.
 */
public final class ObjOpenException extends LoaderException {
    private static final long serialVersionUID = 1L;

    /** libbpf's private errnos (enum libbpf_errno, libbpf.h). */
    public static final int LIBBPF_ERRNO__LIBELF = 4000, LIBBPF_ERRNO__FORMAT = 4001, LIBBPF_ERRNO__ENDIAN = 4003,
            LIBBPF_ERRNO__INTERNAL = 4004, LIBBPF_ERRNO__RELOC = 4005;

    private final int err;
    private final String libbpfLine;

    ObjOpenException(String file, int err, String libbpfLine) {
        super(file + ": " + libbpfLine + " (" + errName(err) + ")");
        this.err = err;
        this.libbpfLine = libbpfLine;
    }

    /** The negative error code bpf_object__open() returns. */
    public int err() {
        return err;
    }

    /** libbpf's warning line, without the "libbpf: " prefix. */
    public String libbpfLine() {
        return libbpfLine;
    }

    /** "-4001 (LIBBPF_ERRNO__FORMAT)", "-ENOENT": what libbpf_strerror would call it. */
    static String errName(int err) {
        return switch (-err) {
            case LIBBPF_ERRNO__LIBELF -> err + " (LIBBPF_ERRNO__LIBELF)";
            case LIBBPF_ERRNO__FORMAT -> err + " (LIBBPF_ERRNO__FORMAT)";
            case LIBBPF_ERRNO__ENDIAN -> err + " (LIBBPF_ERRNO__ENDIAN)";
            case LIBBPF_ERRNO__INTERNAL -> err + " (LIBBPF_ERRNO__INTERNAL)";
            case LIBBPF_ERRNO__RELOC -> err + " (LIBBPF_ERRNO__RELOC)";
            default -> {
                org.bpfosgi.errno.Errno e = org.bpfosgi.errno.Errno.ofOrElse(-err, null);
                yield e == null ? Integer.toString(err) : "-" + e.symbol();
            }
        };
    }
}
