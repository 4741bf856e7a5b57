package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

/**
 * The wire layout of {@code struct btf_type} (include/uapi/linux/btf.h), the 12 bytes every
 * type record starts with: {@code name_off}, {@code info} (vlen in bits 0-15, kind in bits
 * 24-28, kind_flag in bit 31: BTF_INFO_VLEN, BTF_INFO_KIND, BTF_INFO_KFLAG) and the
 * {@code size}/{@code type} union. The one decoder of that header for every reader of BTF bytes
 * (the parser, the validator, the type index); little-endian, as the kernel's BTF on x86-64.
 */
final class BtfTypeHeader {
    /** sizeof(struct btf_type). */
    static final int SIZE = 12;

    private BtfTypeHeader() {
    }

    static int nameOff(byte[] d, int p) {
        return (int) Btf.INT.get(d, p);
    }

    static int info(byte[] d, int p) {
        return (int) Btf.INT.get(d, p + 4);
    }

    static int sizeOrType(byte[] d, int p) {
        return (int) Btf.INT.get(d, p + 8);
    }

    /** BTF_INFO_KIND: the raw kind number (0 and values past BtfKind.MAX are invalid). */
    static int kindNumber(int info) {
        return (info >>> 24) & 0x1f;
    }

    static BtfKind kind(int info) {
        return BtfKind.of(kindNumber(info));
    }

    /** BTF_INFO_VLEN. */
    static int vlen(int info) {
        return info & 0xffff;
    }

    /** BTF_INFO_KFLAG. */
    static boolean kindFlag(int info) {
        return info < 0;
    }

    /** Bits of info the kernel requires to be zero (btf_check_meta: "Invalid btf_info"). */
    static boolean reservedBitsSet(int info) {
        return (info & 0x60ff0000) != 0;
    }
}
