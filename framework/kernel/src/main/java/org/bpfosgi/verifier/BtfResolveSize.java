package org.bpfosgi.verifier;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.errno.Errno;

/**
 * Models btf_resolve_size() (kernel/bpf/btf.c, v6.12: __btf_resolve_size() without the element
 * outputs), which the verifier calls for a ksym's type (check_pseudo_btf_id()) and for a
 * RET_PTR_TO_MEM_OR_BTF_ID helper result (check_helper_call()). The kernel returns the resolved
 * type or an ERR_PTR; the model returns the size or the errno as a value: {@code size} when
 * {@link #err} is null. In the kernel's order, at most MAX_RESOLVE_DEPTH (32) steps:
 * INT, STRUCT, UNION, ENUM, FLOAT, ENUM64 have their {@code size}; PTR is 8 bytes; TYPEDEF,
 * VOLATILE, CONST, RESTRICT, TYPE_TAG are followed; an ARRAY multiplies by {@code nelems} (a
 * product past U32_MAX: -EINVAL); any other kind (void, FWD, FUNC, FUNC_PROTO, VAR, DATASEC,
 * DECL_TAG) has no size: -EINVAL. Every error is -EINVAL.
 */
record BtfResolveSize(long size, Errno err) {
    /** MAX_RESOLVE_DEPTH (kernel/bpf/btf.c). */
    static final int MAX_RESOLVE_DEPTH = 32;
    private static final long U32_MAX = 0xffffffffL;

    /** {@code btf_resolve_size(btf, type, &size)} of the type with id {@code id}. */
    static BtfResolveSize of(Btf btf, int id) {
        long nelems = 1;
        for (int i = 0; i < MAX_RESOLVE_DEPTH; i++) {
            // btf_type_by_id(btf, 0) is btf_void, whose kind (UNKN) has no size
            BtfType t = id == 0 ? null : btf.type(id);
            long size;
            if (t instanceof BtfType.Int x) {
                size = Integer.toUnsignedLong(x.size());
            } else if (t instanceof BtfType.Composite x) {
                size = Integer.toUnsignedLong(x.size());
            } else if (t instanceof BtfType.Enum x) {
                size = Integer.toUnsignedLong(x.size());
            } else if (t instanceof BtfType.Float x) {
                size = Integer.toUnsignedLong(x.size());
            } else if (t instanceof BtfType.Enum64 x) {
                size = Integer.toUnsignedLong(x.size());
            } else if (t instanceof BtfType.Ref r && r.kind() == org.bpfosgi.btf.api.BtfKind.PTR) {
                size = 8; // sizeof(void *)
            } else if (t instanceof BtfType.Ref r) {
                // TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG
                id = r.type();
                continue;
            } else if (t instanceof BtfType.Array a) {
                long n = Integer.toUnsignedLong(a.nelems());
                if (nelems != 0 && n > U32_MAX / nelems) {
                    return new BtfResolveSize(0, Errno.EINVAL);
                }
                nelems *= n;
                id = a.type();
                continue;
            } else {
                // type without size
                return new BtfResolveSize(0, Errno.EINVAL);
            }
            // resolved:
            if (nelems != 0 && size > U32_MAX / nelems) {
                return new BtfResolveSize(0, Errno.EINVAL);
            }
            return new BtfResolveSize(nelems * size, null);
        }
        return new BtfResolveSize(0, Errno.EINVAL);
    }

    boolean ok() {
        return err == null;
    }

    /** PTR_ERR(ret) as the "%ld" of the verifier's message: the negative errno. */
    long ptrErr() {
        return err.negative();
    }
}
