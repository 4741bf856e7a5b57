package org.bpfosgi.btf;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.api.BtfKind;

/**
 * The x86-64 System V record layout of a C struct or union, as clang lays it out
 * (clang/lib/AST/RecordLayoutBuilder.cpp, ItaniumRecordLayoutBuilder, for C records): each
 * field at the next multiple of its alignment (1 when the record is packed, raised by
 * {@code aligned}); a bit-field in the storage unit of its declared type unless it would
 * straddle one, a zero-width bit-field rounding up to its type's alignment; unions at offset 0;
 * the size rounded up to the largest alignment. Pure arithmetic over the sizes and alignments a
 * {@link Types} gives: what the compiler knows of the field types.
 */
final class SysVLayout {
    private SysVLayout() {
    }

    /** What the layout needs to know of field types, and how to report an error at a token. */
    interface Types {
        BtfKind kindOf(int id);

        /** Through typedefs and modifiers. */
        int resolve(int id);

        /** Through typedefs, modifiers and arrays, to the element type. */
        int resolveArrays(int id);

        boolean isIncomplete(int id);

        long sizeOf(int id, CToken at);

        int alignOf(int id, CToken at);
    }

    /** A declared field: its type, bit-field width (-1: not a bit-field) and aligned attribute (0: none). */
    record Field(CToken at, String name, int type, int width, int align) {
    }

    /** A placed member: offset in bits; width -1 when it is not a bit-field. */
    record Placed(String name, int type, long bitOffset, int width) {
    }

    /** The record: whether it needs BTF's kind_flag (it has bit-fields), its size in bytes and alignment. */
    record Layout(boolean kindFlag, long size, int align, List<Placed> members) {
    }

    /** Lays out {@code fields} of a struct or union; unnamed bit-fields pad but are not members. */
    static Layout layout(Types types, BtfKind kind, List<Field> fields, boolean packed, int aligned) {
        long bits = 0;
        long maxBits = 0;
        int maxAlign = 1;
        boolean kflag = fields.stream().anyMatch(m -> m.width() >= 0);
        List<Placed> out = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            Field m = fields.get(i);
            int t = m.type();
            if (types.kindOf(types.resolveArrays(t)) != BtfKind.UNKN && types.isIncomplete(types.resolveArrays(t))) {
                throw CDeclCompiler.err(m.at(), "field " + (m.name() == null ? "" : "'" + m.name() + "' ") + "has incomplete type");
            }
            if (t == 0 || types.kindOf(types.resolve(t)) == BtfKind.FUNC_PROTO) {
                throw CDeclCompiler.err(m.at(), "field " + (m.name() == null ? "" : "'" + m.name() + "' ") + "has a non-object type");
            }
            long size = types.sizeOf(t, m.at());
            if (size == 0 && kind == BtfKind.STRUCT && types.kindOf(types.resolve(t)) == BtfKind.ARRAY && i != fields.size() - 1) {
                throw CDeclCompiler.err(m.at(), "flexible array member '" + m.name() + "' not at the end of the struct");
            }
            int natural = types.alignOf(t, m.at());
            int align = packed ? 1 : natural;
            align = Math.max(align, m.align());
            long off;
            if (m.width() >= 0) {
                long w = m.width();
                if (kind == BtfKind.UNION) {
                    off = 0;
                } else if (w == 0) {
                    off = roundUp(bits, natural * 8L);
                    bits = off;
                    continue;
                } else if (packed) {
                    off = bits;
                } else {
                    long unit = size * 8;
                    off = (bits / unit) != ((bits + w - 1) / unit) ? roundUp(bits, natural * 8L) : bits;
                }
                if (m.name() != null) {
                    maxAlign = Math.max(maxAlign, align);
                    out.add(new Placed(m.name(), t, off, (int) w));
                }
                if (kind == BtfKind.STRUCT) {
                    bits = off + w;
                }
                maxBits = Math.max(maxBits, off + w);
                continue;
            }
            off = kind == BtfKind.UNION ? 0 : roundUp(bits, align * 8L);
            maxAlign = Math.max(maxAlign, align);
            if (kflag && off >= (1 << 24)) {
                throw CDeclCompiler.err(m.at(), "member offset too large for a struct with bitfields");
            }
            out.add(new Placed(m.name(), t, off, -1));
            if (kind == BtfKind.STRUCT) {
                bits = off + size * 8;
            }
            maxBits = Math.max(maxBits, off + size * 8);
        }
        maxAlign = Math.max(maxAlign, aligned);
        long total = roundUp(roundUp(kind == BtfKind.STRUCT ? bits : maxBits, 8) / 8, maxAlign);
        return new Layout(kflag, total, maxAlign, List.copyOf(out));
    }

    static long roundUp(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
