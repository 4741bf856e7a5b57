package org.bpfosgi.obj.elf;

import java.util.Arrays;

/**
 * libbpf's reading of non-native-endian BTF (btf.c, libbpf v1.5): btf_parse_hdr() recognises a
 * byte-swapped BTF_MAGIC, refuses a header length other than sizeof(struct btf_header) (24) with
 * -ENOTSUP, and swaps the header; btf_parse_type_sec() swaps each type's fixed part
 * (btf_bswap_type_base) and then its kind-specific trailer (btf_bswap_type_rest) before the type
 * is checked. This class gives the native (little-endian) image libbpf ends up with, which the
 * model's BTF reader then parses as libbpf's checks would: where libbpf stops (a truncated type,
 * an unknown kind, a layout outside the data), the image is left unswapped from that point on
 * and the reader refuses it there. String data is bytes and is never swapped.
 */
final class BtfByteSwap {
    static final int HDR_LEN = 24;

    /** btf_parse_hdr()'s -ENOTSUP for a swapped header of another length. */
    static final class UnsupportedHeader extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnsupportedHeader(long hdrLen) {
            super("Can't load BTF with non-native endianness due to unsupported header length " + hdrLen, null, false, false);
        }
    }

    private BtfByteSwap() {
    }

    /** Whether {@code d} starts with BTF_MAGIC (0xeB9F) in big-endian order. */
    static boolean swapped(byte[] d) {
        return d.length >= 2 && (d[0] & 0xff) == 0xeb && (d[1] & 0xff) == 0x9f;
    }

    /** The native image of swapped BTF (see the class comment); {@code d} itself when it is not swapped. */
    static byte[] toNative(byte[] d) {
        if (!swapped(d) || d.length < HDR_LEN) {
            return d; // "BTF header not found" or native: the reader says so
        }
        long hdrLen = be32(d, 4);
        if (hdrLen != HDR_LEN) {
            throw new UnsupportedHeader(hdrLen);
        }
        byte[] out = d.clone();
        // btf_bswap_hdr(): magic (u16), then hdr_len, type_off, type_len, str_off, str_len; version and flags are bytes
        swap(out, 0, 2);
        for (int p = 4; p < HDR_LEN; p += 4) {
            swap(out, p, 4);
        }
        long typeOff = le32(out, 8), typeLen = le32(out, 12), strOff = le32(out, 16), strLen = le32(out, 20);
        // btf_parse_hdr(): the layout checks come before any type is read
        if ((long) out.length - HDR_LEN < strOff + strLen || typeOff + typeLen > strOff) {
            return out;
        }
        int p = (int) (HDR_LEN + typeOff);
        int end = (int) (HDR_LEN + typeOff + typeLen);
        while (p + 12 <= end) {
            byte[] base = Arrays.copyOfRange(out, p, p + 12);
            for (int q = 0; q < 12; q += 4) {
                swap(base, q, 4);
            }
            long info = le32(base, 4);
            int rest = restSize((int) (info >>> 24) & 0x1f, (int) (info & 0xffff));
            if (rest < 0 || p + 12 + rest > end) {
                return out; // "Unsupported BTF_KIND" / "BTF type [%d] is malformed": the reader refuses this type
            }
            System.arraycopy(base, 0, out, p, 12);
            // btf_bswap_type_rest(): every kind's trailer is made of u32 fields
            for (int q = p + 12; q < p + 12 + rest; q += 4) {
                swap(out, q, 4);
            }
            p += 12 + rest;
        }
        return out;
    }

    /** btf_type_size() less sizeof(struct btf_type), or -1 for a kind libbpf does not know. */
    private static int restSize(int kind, int vlen) {
        return switch (kind) {
            case 2, 7, 8, 9, 10, 11, 12, 16, 18 -> 0; // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
            case 1, 14, 17 -> 4;                   // INT, VAR, DECL_TAG
            case 3 -> 12;                          // ARRAY
            case 4, 5, 15 -> 12 * vlen;            // STRUCT, UNION, DATASEC
            case 6, 13 -> 8 * vlen;                // ENUM, FUNC_PROTO
            case 19 -> 12 * vlen;                  // ENUM64
            default -> -1;
        };
    }

    private static void swap(byte[] b, int p, int n) {
        for (int i = 0; i < n / 2; i++) {
            byte t = b[p + i];
            b[p + i] = b[p + n - 1 - i];
            b[p + n - 1 - i] = t;
        }
    }

    private static long be32(byte[] b, int p) {
        return (b[p] & 0xffL) << 24 | (b[p + 1] & 0xffL) << 16 | (b[p + 2] & 0xffL) << 8 | (b[p + 3] & 0xffL);
    }

    private static long le32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }
}
