package org.bpfosgi.btf.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The BTF kinds of include/uapi/linux/btf.h ({@code BTF_KIND_*}), with the kernel's numbers and
 * the names bpftool prints ({@code btf_kind_str[]} in tools/bpf/bpftool/btf.c).
 */
@ProviderType
public enum BtfKind {
    UNKN(0), INT(1), PTR(2), ARRAY(3), STRUCT(4), UNION(5), ENUM(6), FWD(7), TYPEDEF(8),
    VOLATILE(9), CONST(10), RESTRICT(11), FUNC(12), FUNC_PROTO(13), VAR(14), DATASEC(15),
    FLOAT(16), DECL_TAG(17), TYPE_TAG(18), ENUM64(19);

    /** NR_BTF_KINDS - 1: the highest kind this model (and 6.18) knows. */
    public static final int MAX = 19;
    private static final BtfKind[] BY_VALUE = values();

    private final int value;

    BtfKind(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The kind with this number; caller has checked {@code 0 <= v <= MAX}. */
    public static BtfKind of(int v) {
        return BY_VALUE[v];
    }

    /**
     * CONST, VOLATILE, RESTRICT, TYPE_TAG: libbpf's btf_is_mod(). The kernel's
     * btf_type_is_modifier() (what btf_type_skip_modifiers() skips) counts TYPEDEF too.
     */
    public boolean isModifier() {
        return this == CONST || this == VOLATILE || this == RESTRICT || this == TYPE_TAG;
    }

    /** A kind whose third word is a type id (rather than a size). */
    public boolean hasTypeRef() {
        return switch (this) {
            case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR, DECL_TAG, TYPE_TAG -> true;
            default -> false;
        };
    }
}
