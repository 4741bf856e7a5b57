package org.bpfosgi.btf;

import java.io.ByteArrayOutputStream;

/**
 * Writes the kernel's BTF binary layout (what pahole / libbpf btf__raw_data() produce): the
 * header, the type section encoded from the decoded types, and the string section. Writing a
 * parsed object gives back the bytes it was parsed from.
 */
public final class BtfWriter {
    private BtfWriter() {
    }

    /** Encodes {@code btf}'s own types (not its base's) with its header and strings. */
    public static byte[] write(Btf btf) {
        ByteArrayOutputStream types = new ByteArrayOutputStream(btf.typeLen);
        for (int id = btf.startId(); id < btf.nrTypes(); id++) {
            encode(btf.type(id), types);
        }
        byte[] raw = btf.rawData();
        byte[] strs = java.util.Arrays.copyOfRange(raw, btf.strStart, btf.strStart + btf.strLen);
        return assemble(btf.hdrLen, btf.flags, types.toByteArray(), strs, btf.typeStart <= btf.strStart);
    }

    /**
     * Encodes {@code btf}'s own types as {@link #write(Btf)} does, each type id for which
     * {@code replace} returns non-null written as that type instead (same strings, same ids): how
     * a loader rewrites records in place (libbpf's DATASEC fix-up before BPF_BTF_LOAD).
     */
    public static byte[] write(Btf btf, java.util.function.IntFunction<BtfType> replace) {
        ByteArrayOutputStream types = new ByteArrayOutputStream(btf.typeLen);
        for (int id = btf.startId(); id < btf.nrTypes(); id++) {
            BtfType r = replace.apply(id);
            encode(r != null ? r : btf.type(id), types);
        }
        byte[] raw = btf.rawData();
        byte[] strs = java.util.Arrays.copyOfRange(raw, btf.strStart, btf.strStart + btf.strLen);
        return assemble(btf.hdrLen, btf.flags, types.toByteArray(), strs, btf.typeStart <= btf.strStart);
    }

    /** Header + sections; {@code typesFirst} chooses the section order (pahole writes types first). */
    static byte[] assemble(int hdrLen, int flags, byte[] types, byte[] strs, boolean typesFirst) {
        byte[] out = new byte[hdrLen + types.length + strs.length];
        Btf.SHORT.set(out, 0, (short) Btf.MAGIC);
        out[2] = Btf.VERSION;
        out[3] = (byte) flags;
        Btf.INT.set(out, 4, hdrLen);
        int typeOff = typesFirst ? 0 : strs.length;
        int strOff = typesFirst ? types.length : 0;
        Btf.INT.set(out, 8, typeOff);
        Btf.INT.set(out, 12, types.length);
        Btf.INT.set(out, 16, strOff);
        Btf.INT.set(out, 20, strs.length);
        System.arraycopy(types, 0, out, hdrLen + typeOff, types.length);
        System.arraycopy(strs, 0, out, hdrLen + strOff, strs.length);
        return out;
    }

    private static void w(ByteArrayOutputStream o, int v) {
        o.write(v);
        o.write(v >>> 8);
        o.write(v >>> 16);
        o.write(v >>> 24);
    }

    /** Appends one {@code struct btf_type} and its trailing data. */
    public static void encode(BtfType t, ByteArrayOutputStream o) {
        int info = (t.kind().value() << 24) | (t.kindFlag() ? 1 << 31 : 0) | t.vlen();
        w(o, t.nameOff());
        w(o, info);
        if (t instanceof BtfType.Int i) {
            w(o, i.size());
            w(o, (i.encoding() << 24) | (i.bitsOffset() << 16) | i.nrBits());
        } else if (t instanceof BtfType.Ref r) {
            w(o, r.type());
        } else if (t instanceof BtfType.Array a) {
            w(o, 0);
            w(o, a.type());
            w(o, a.indexType());
            w(o, a.nelems());
        } else if (t instanceof BtfType.Composite c) {
            w(o, c.size());
            for (BtfType.Member m : c.members()) {
                w(o, m.nameOff());
                w(o, m.type());
                w(o, m.offset());
            }
        } else if (t instanceof BtfType.Enum e) {
            w(o, e.size());
            for (BtfType.EnumValue v : e.values()) {
                w(o, v.nameOff());
                w(o, v.val());
            }
        } else if (t instanceof BtfType.Enum64 e) {
            w(o, e.size());
            for (BtfType.Enum64Value v : e.values()) {
                w(o, v.nameOff());
                w(o, (int) v.val());
                w(o, (int) (v.val() >>> 32));
            }
        } else if (t instanceof BtfType.Fwd) {
            w(o, 0);
        } else if (t instanceof BtfType.Func f) {
            w(o, f.type());
        } else if (t instanceof BtfType.FuncProto fp) {
            w(o, fp.returnType());
            for (BtfType.Param p : fp.params()) {
                w(o, p.nameOff());
                w(o, p.type());
            }
        } else if (t instanceof BtfType.Var v) {
            w(o, v.type());
            w(o, v.linkage());
        } else if (t instanceof BtfType.DataSec ds) {
            w(o, ds.size());
            for (BtfType.VarSecInfo v : ds.vars()) {
                w(o, v.type());
                w(o, v.offset());
                w(o, v.size());
            }
        } else if (t instanceof BtfType.Float f) {
            w(o, f.size());
        } else if (t instanceof BtfType.DeclTag dt) {
            w(o, dt.type());
            w(o, dt.componentIdx());
        }
    }
}
