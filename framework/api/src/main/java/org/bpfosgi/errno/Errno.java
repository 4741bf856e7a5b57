package org.bpfosgi.errno;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's errno numbers and names (include/uapi/asm-generic/errno-base.h and errno.h,
 * x86-64), plus the kernel-internal ones (include/linux/errno.h) the BPF code returns.
 * The kernel returns them negated; {@link #negative()} gives that form.
 */
@ProviderType
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    ENOEXEC(8, "Exec format error"),
    EBADF(9, "Bad file descriptor"),
    ECHILD(10, "No child processes"),
    /** Also EWOULDBLOCK: the kernel defines EWOULDBLOCK as EAGAIN. */
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    ENOTDIR(20, "Not a directory"),
    EISDIR(21, "Is a directory"),
    EINVAL(22, "Invalid argument"),
    ENOSPC(28, "No space left on device"),
    ERANGE(34, "Numerical result out of range"),
    ENAMETOOLONG(36, "File name too long"),
    ENOSYS(38, "Function not implemented"),
    ELOOP(40, "Too many levels of symbolic links"),
    EPROTO(71, "Protocol error"),
    EBADMSG(74, "Bad message"),
    EOVERFLOW(75, "Value too large for defined data type"),
    EOPNOTSUPP(95, "Operation not supported"),
    /** Kernel-internal (include/linux/errno.h); userspace sees 524 with no libc name. */
    ENOTSUPP(524, "Unknown error 524"),
    /** Kernel-internal: the operation was refused because the object is not ready. */
    EPROBE_DEFER(517, "Unknown error 517");

    /** The kernel's alias: {@code #define EWOULDBLOCK EAGAIN}. */
    public static final Errno EWOULDBLOCK = EAGAIN;

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /** The positive errno number, as in errno.h. */
    public int number() {
        return number;
    }

    /** The value the kernel returns: {@code -number}. */
    public int negative() {
        return -number;
    }

    /** strerror(3) text as glibc prints it. */
    public String description() {
        return description;
    }

    /** The errno with this positive or negative number. */
    public static Errno of(int number) {
        int n = Math.abs(number);
        for (Errno e : values()) {
            if (e.number == n) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown errno " + number);
    }

    /** The errno with this number, or {@code fallback} for one this enum does not name. */
    public static Errno ofOrElse(int number, Errno fallback) {
        int n = Math.abs(number);
        for (Errno e : values()) {
            if (e.number == n) {
                return e;
            }
        }
        return fallback;
    }

    /** "-EWOULDBLOCK"-style text for an errno returned negated by the kernel. */
    public String symbol() {
        return "-" + name();
    }
}
