package org.bpfosgi.obj;

import org.bpfosgi.errno.Errno;

/**
 * libbpf's private error codes (enum libbpf_errno, libbpf.h, libbpf v1.5) and their text as
 * libbpf_strerror() (libbpf_errno.c) gives it: libbpf returns them negated, beside the kernel's
 * errnos, from bpf_object__open() and bpf_object__load().
 */
public enum LibbpfErrno {
    LIBBPF_ERRNO__LIBELF(4000, "Something wrong in libelf"),
    LIBBPF_ERRNO__FORMAT(4001, "BPF object format invalid"),
    LIBBPF_ERRNO__KVERSION(4002, "'version' section incorrect or lost"),
    LIBBPF_ERRNO__ENDIAN(4003, "Endian mismatch"),
    LIBBPF_ERRNO__INTERNAL(4004, "Internal error in libbpf"),
    LIBBPF_ERRNO__RELOC(4005, "Relocation failed"),
    // libbpf_strerror_table has no entry for LOAD: snprintf("%s", NULL) prints glibc's "(null)"
    LIBBPF_ERRNO__LOAD(4006, "(null)"),
    LIBBPF_ERRNO__VERIFY(4007, "Kernel verifier blocks program loading"),
    LIBBPF_ERRNO__PROG2BIG(4008, "Program too big"),
    LIBBPF_ERRNO__KVER(4009, "Incorrect kernel version"),
    LIBBPF_ERRNO__PROGTYPE(4010, "Kernel doesn't support this program type"),
    LIBBPF_ERRNO__WRNGPID(4011, "Wrong pid in netlink message"),
    LIBBPF_ERRNO__INVSEQ(4012, "Invalid netlink sequence"),
    LIBBPF_ERRNO__NLPARSE(4013, "Incorrect netlink message parsing");

    /** __LIBBPF_ERRNO__START and __LIBBPF_ERRNO__END. */
    private static final int START = 4000, END = 4014;

    private final int number;
    private final String description;

    LibbpfErrno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /** The positive code. */
    public int number() {
        return number;
    }

    /** libbpf_strerror()'s text for it. */
    public String description() {
        return description;
    }

    /**
     * An error code libbpf returned (negative, or positive as libbpf_strerror() also takes it)
     * in the form the CLI prints every errno, {@code -SYMBOL (text)}: a kernel errno with its
     * strerror() text ("-ENOENT (No such file or directory)"), libbpf's own with
     * libbpf_strerror()'s ("-LIBBPF_ERRNO__FORMAT (BPF object format invalid)"). A number neither
     * names is printed with the text libbpf_strerror() gives it.
     */
    public static String text(int err) {
        int n = Math.abs(err);
        if (n < START) {
            Errno e = Errno.ofOrElse(n, null);
            // strerror_r() of an errno the model's table does not name
            return e == null ? "-" + n + " (Unknown error " + n + ")" : e.symbol() + " (" + e.description() + ")";
        }
        if (n < END) {
            LibbpfErrno e = values()[n - START];
            return "-" + e.name() + " (" + e.description + ")";
        }
        return "-" + n + " (Unknown libbpf error " + n + ")";
    }
}
