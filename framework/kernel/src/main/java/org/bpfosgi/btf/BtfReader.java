package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses and validates the kernel's BTF binary layout. Models kernel/bpf/btf.c btf_parse()
 * (btf_parse_hdr(), btf_check_sec_info(), btf_parse_str_sec(), btf_check_all_metas() and the
 * loop detection of btf_check_all_types()); the error texts follow the kernel's verifier log
 * ("Invalid magic", "Unsupported section found", "Invalid btf_info", ...), prefixed with where.
 *
 * <p>Every length read from the input is checked against the bytes actually present before it is
 * used, so malformed input gives a {@link BtfException}, never an index exception, a huge
 * allocation or a hang.
 */
final class BtfReader {
    private BtfReader() {
    }

    static int u32(byte[] d, int off) {
        return (int) Btf.INT.get(d, off);
    }

    static Btf parse(byte[] d, Btf base) {
        return parse(d, base, true);
    }

    /**
     * @param validate false only for bytes already validated by this reader (the concatenation
     *                 of a validated base and split, or a cache entry whose content checksum
     *                 matches bytes validated before): the section layout is still walked and
     *                 bounds-checked, the per-type checks of btf_check_all_metas/types are skipped
     */
    static Btf parse(byte[] d, Btf base, boolean validate) {
        if (d == null || d.length < 8) {
            throw new BtfException("BTF: btf_header not found (" + (d == null ? 0 : d.length) + " bytes)");
        }
        int magic = ((short) Btf.SHORT.get(d, 0)) & 0xffff;
        if (magic != Btf.MAGIC) {
            throw new BtfException(magic == 0x9feb ? "BTF: big-endian BTF is not supported"
                    : String.format("BTF: Invalid magic 0x%04x (expected 0xeb9f)", magic));
        }
        if ((d[2] & 0xff) != Btf.VERSION) {
            throw new BtfException("BTF: Unsupported version " + (d[2] & 0xff));
        }
        if (d[3] != 0) {
            throw new BtfException("BTF: Unsupported flags " + (d[3] & 0xff));
        }
        long hdrLen = Integer.toUnsignedLong(u32(d, 4));
        if (hdrLen < Btf.HEADER_SIZE || hdrLen > d.length) {
            throw new BtfException("BTF: Unsupported btf_header: hdr_len " + hdrLen + ", data " + d.length + " bytes");
        }
        for (int i = Btf.HEADER_SIZE; i < hdrLen; i++) {
            if (d[i] != 0) {
                throw new BtfException("BTF: Unsupported btf_header: non-zero byte at " + i);
            }
        }
        long avail = d.length - hdrLen;
        long typeOff = Integer.toUnsignedLong(u32(d, 8));
        long typeLen = Integer.toUnsignedLong(u32(d, 12));
        long strOff = Integer.toUnsignedLong(u32(d, 16));
        long strLen = Integer.toUnsignedLong(u32(d, 20));
        if (typeOff % 4 != 0 || typeLen % 4 != 0) {
            throw new BtfException("BTF: Unaligned type section (type_off " + typeOff + ", type_len " + typeLen + ")");
        }
        if (typeOff + typeLen > avail || strOff + strLen > avail) {
            throw new BtfException("BTF: Invalid section offset: sections end past the data (type " + typeOff + "+"
                    + typeLen + ", str " + strOff + "+" + strLen + ", " + avail + " bytes after the header)");
        }
        boolean typeFirst = typeOff <= strOff;
        long firstOff = typeFirst ? typeOff : strOff;
        long firstEnd = typeFirst ? typeOff + typeLen : strOff + strLen;
        long secondOff = typeFirst ? strOff : typeOff;
        if (firstOff != 0 || secondOff < firstEnd && (typeLen > 0 && strLen > 0)) {
            throw new BtfException(firstOff != 0 ? "BTF: Unsupported section found (gap after the header)"
                    : "BTF: Section overlap found");
        }
        if (typeLen + strLen != avail) {
            throw new BtfException("BTF: Unsupported section found (sections cover " + (typeLen + strLen)
                    + " of " + avail + " bytes)");
        }
        int typeStart = (int) (hdrLen + typeOff);
        int strStart = (int) (hdrLen + strOff);
        if (strLen > Btf.MAX_NAME_OFFSET) {
            throw new BtfException("BTF: Invalid string section: " + strLen + " bytes is too large");
        }
        if (base == null ? strLen == 0 || d[strStart] != 0 : false) {
            throw new BtfException("BTF: Invalid string section: must start with a NUL byte");
        }
        if (strLen > 0 && d[(int) (strStart + strLen - 1)] != 0) {
            throw new BtfException("BTF: Invalid string section: not NUL-terminated");
        }
        // each type record is at least 12 bytes: this bounds the offsets array by the input size
        int[] offsets = new int[(int) (typeLen / 12)];
        int count = 0;
        int p = typeStart;
        int end = (int) (typeStart + typeLen);
        int startId = base == null ? 1 : base.nrTypes();
        while (p < end) {
            int id = startId + count;
            if (end - p < 12) {
                throw new BtfException("BTF: [" + id + "] btf_type truncated at offset " + (p - typeStart)
                        + " of the type section");
            }
            int info = BtfTypeHeader.info(d, p);
            if (BtfTypeHeader.reservedBitsSet(info)) {
                throw new BtfException(String.format("BTF: [%d] Invalid btf_info:%x", id, info));
            }
            int kind = BtfTypeHeader.kindNumber(info);
            if (kind == 0 || kind > BtfKind.MAX) {
                throw new BtfException("BTF: [" + id + "] Invalid kind:" + kind);
            }
            int vlen = BtfTypeHeader.vlen(info);
            long extra = extraLen(BtfKind.of(kind), vlen, id);
            if (12 + extra > end - p) {
                throw new BtfException("BTF: [" + id + "] " + BtfKind.of(kind) + " truncated: needs " + (12 + extra)
                        + " bytes, " + (end - p) + " left in the type section");
            }
            if (startId + count > Btf.MAX_TYPE) {
                throw new BtfException("BTF: too many types (more than BTF_MAX_TYPE " + Btf.MAX_TYPE + ")");
            }
            offsets[count++] = p;
            p += (int) (12 + extra);
        }
        if (offsets.length > count + count / 8 + 16) {
            offsets = java.util.Arrays.copyOf(offsets, count); // the bound above is ~3x the real count
        }
        Btf btf = new Btf(base, d, (int) hdrLen, d[3], typeStart, (int) typeLen, strStart, (int) strLen,
                count, offsets);
        if (validate) {
            BtfValidator.validate(btf, d, offsets, count);
        }
        btf.indexNames();
        return btf;
    }

    /** Bytes after the 12-byte btf_type for this kind; checks what vlen and kind_flag may be. */
    private static long extraLen(BtfKind kind, int vlen, int id) {
        switch (kind) {
            case STRUCT: case UNION: case ENUM64: case DATASEC:
                return 12L * vlen;
            case ENUM: case FUNC_PROTO:
                return 8L * vlen;
            case FUNC:
                if (vlen > BtfType.FUNC_EXTERN) {
                    throw new BtfException("BTF: [" + id + "] Invalid func linkage " + vlen);
                }
                return 0;
            default:
                if (vlen != 0) {
                    throw new BtfException("BTF: [" + id + "] " + kind + ": vlen != 0");
                }
                return kind == BtfKind.ARRAY ? 12 : kind == BtfKind.INT || kind == BtfKind.VAR
                        || kind == BtfKind.DECL_TAG ? 4 : 0;
        }
    }

    /** Decodes the record at absolute offset {@code p}; the layout was checked by {@link #parse}. */
    static BtfType decode(byte[] d, int p) {
        int nameOff = BtfTypeHeader.nameOff(d, p);
        int info = BtfTypeHeader.info(d, p);
        int sizeType = BtfTypeHeader.sizeOrType(d, p);
        BtfKind kind = BtfTypeHeader.kind(info);
        boolean kflag = BtfTypeHeader.kindFlag(info);
        int vlen = BtfTypeHeader.vlen(info);
        int x = p + BtfTypeHeader.SIZE;
        switch (kind) {
            case INT: {
                int v = u32(d, x);
                return new BtfType.Int(nameOff, sizeType, (v >>> 24) & 0x0f, (v >>> 16) & 0xff, v & 0xff);
            }
            case PTR: case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG:
                return new BtfType.Ref(kind, nameOff, kflag, sizeType);
            case ARRAY:
                return new BtfType.Array(nameOff, u32(d, x), u32(d, x + 4), u32(d, x + 8));
            case STRUCT: case UNION: {
                List<BtfType.Member> ms = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++, x += 12) {
                    ms.add(new BtfType.Member(u32(d, x), u32(d, x + 4), u32(d, x + 8)));
                }
                return new BtfType.Composite(kind, nameOff, kflag, sizeType, ms);
            }
            case ENUM: {
                List<BtfType.EnumValue> vs = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++, x += 8) {
                    vs.add(new BtfType.EnumValue(u32(d, x), u32(d, x + 4)));
                }
                return new BtfType.Enum(nameOff, kflag, sizeType, vs);
            }
            case ENUM64: {
                List<BtfType.Enum64Value> vs = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++, x += 12) {
                    long v = Integer.toUnsignedLong(u32(d, x + 4)) | ((long) u32(d, x + 8) << 32);
                    vs.add(new BtfType.Enum64Value(u32(d, x), v));
                }
                return new BtfType.Enum64(nameOff, kflag, sizeType, vs);
            }
            case FWD:
                return new BtfType.Fwd(nameOff, kflag);
            case FUNC:
                return new BtfType.Func(nameOff, sizeType, vlen);
            case FUNC_PROTO: {
                List<BtfType.Param> ps = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++, x += 8) {
                    ps.add(new BtfType.Param(u32(d, x), u32(d, x + 4)));
                }
                return new BtfType.FuncProto(nameOff, sizeType, ps);
            }
            case VAR:
                return new BtfType.Var(nameOff, sizeType, u32(d, x));
            case DATASEC: {
                List<BtfType.VarSecInfo> vs = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++, x += 12) {
                    vs.add(new BtfType.VarSecInfo(u32(d, x), u32(d, x + 4), u32(d, x + 8)));
                }
                return new BtfType.DataSec(nameOff, sizeType, vs);
            }
            case FLOAT:
                return new BtfType.Float(nameOff, sizeType);
            case DECL_TAG:
                return new BtfType.DeclTag(nameOff, kflag, sizeType, u32(d, x));
            default:
                throw new BtfException("BTF: Invalid kind:" + kind.value());
        }
    }
}
