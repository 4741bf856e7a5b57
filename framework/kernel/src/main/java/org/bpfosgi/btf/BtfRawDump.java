package org.bpfosgi.btf;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code bpftool btf dump ... format raw}: one line per type and one indented line per member,
 * exactly as tools/bpf/bpftool/btf.c dump_btf_type() prints them (bpftool v7.x). For split BTF
 * only the object's own types are printed, numbered from the split point, as bpftool does.
 */
public final class BtfRawDump {
    private BtfRawDump() {
    }

    /** The whole dump as a string. */
    public static String dump(Btf btf) {
        StringBuilder sb = new StringBuilder(btf.ownTypeCount() * 64);
        dump(btf, sb);
        return sb.toString();
    }

    public static void dump(Btf btf, Appendable out) {
        try {
            StringBuilder sb = new StringBuilder(256);
            for (int id = btf.startId(); id < btf.nrTypes(); id++) {
                sb.setLength(0);
                type(btf, id, sb);
                out.append(sb);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(Btf btf, int off) {
        return off == 0 ? "(anon)" : btf.str(off);
    }

    static void type(Btf btf, int id, StringBuilder sb) {
        BtfType t = btf.type(id);
        sb.append('[').append(id).append("] ").append(t.kind().name()).append(" '")
                .append(name(btf, t.nameOff())).append('\'');
        if (t instanceof BtfType.Int i) {
            sb.append(" size=").append(i.size()).append(" bits_offset=").append(i.bitsOffset())
                    .append(" nr_bits=").append(i.nrBits()).append(" encoding=").append(intEnc(i.encoding()));
        } else if (t instanceof BtfType.Ref r) {
            sb.append(" type_id=").append(r.type());
        } else if (t instanceof BtfType.Array a) {
            sb.append(" type_id=").append(a.type()).append(" index_type_id=").append(a.indexType())
                    .append(" nr_elems=").append(Integer.toUnsignedString(a.nelems()));
        } else if (t instanceof BtfType.Composite c) {
            sb.append(" size=").append(Integer.toUnsignedString(c.size())).append(" vlen=").append(c.vlen());
            for (BtfType.Member m : c.members()) {
                sb.append("\n\t'").append(name(btf, m.nameOff())).append("' type_id=").append(m.type())
                        .append(" bits_offset=").append(Integer.toUnsignedString(m.bitOffset(c.kindFlag())));
                int bf = m.bitfieldSize(c.kindFlag());
                if (bf != 0) {
                    sb.append(" bitfield_size=").append(bf);
                }
            }
        } else if (t instanceof BtfType.Enum e) {
            sb.append(" encoding=").append(e.kindFlag() ? "SIGNED" : "UNSIGNED").append(" size=").append(e.size())
                    .append(" vlen=").append(e.vlen());
            for (BtfType.EnumValue v : e.values()) {
                sb.append("\n\t'").append(name(btf, v.nameOff())).append("' val=")
                        .append(e.kindFlag() ? Integer.toString(v.val()) : Integer.toUnsignedString(v.val()));
            }
        } else if (t instanceof BtfType.Enum64 e) {
            sb.append(" encoding=").append(e.kindFlag() ? "SIGNED" : "UNSIGNED").append(" size=").append(e.size())
                    .append(" vlen=").append(e.vlen());
            for (BtfType.Enum64Value v : e.values()) {
                sb.append("\n\t'").append(name(btf, v.nameOff())).append("' val=")
                        .append(e.kindFlag() ? v.val() + "LL" : Long.toUnsignedString(v.val()) + "ULL");
            }
        } else if (t instanceof BtfType.Fwd f) {
            sb.append(" fwd_kind=").append(f.kindFlag() ? "union" : "struct");
        } else if (t instanceof BtfType.Func f) {
            sb.append(" type_id=").append(f.type()).append(" linkage=").append(funcLinkage(f.linkage()));
        } else if (t instanceof BtfType.FuncProto fp) {
            sb.append(" ret_type_id=").append(fp.returnType()).append(" vlen=").append(fp.vlen());
            for (BtfType.Param p : fp.params()) {
                sb.append("\n\t'").append(name(btf, p.nameOff())).append("' type_id=").append(p.type());
            }
        } else if (t instanceof BtfType.Var v) {
            sb.append(" type_id=").append(v.type()).append(", linkage=").append(varLinkage(v.linkage()));
        } else if (t instanceof BtfType.DataSec ds) {
            sb.append(" size=").append(Integer.toUnsignedString(ds.size())).append(" vlen=").append(ds.vlen());
            for (BtfType.VarSecInfo v : ds.vars()) {
                sb.append("\n\ttype_id=").append(v.type()).append(" offset=").append(Integer.toUnsignedString(v.offset()))
                        .append(" size=").append(Integer.toUnsignedString(v.size()));
                sb.append(" (").append(btf.kind(v.type()).name()).append(" '")
                        .append(name(btf, btf.type(v.type()).nameOff())).append("')");
            }
        } else if (t instanceof BtfType.Float f) {
            sb.append(" size=").append(f.size());
        } else if (t instanceof BtfType.DeclTag dt) {
            sb.append(" type_id=").append(dt.type()).append(" component_idx=").append(dt.componentIdx());
        }
        sb.append('\n');
    }

    private static String intEnc(int enc) {
        switch (enc) {
            case 0: return "(none)";
            case BtfType.INT_SIGNED: return "SIGNED";
            case BtfType.INT_CHAR: return "CHAR";
            case BtfType.INT_BOOL: return "BOOL";
            default: return "UNKN";
        }
    }

    static String funcLinkage(int l) {
        switch (l) {
            case BtfType.FUNC_STATIC: return "static";
            case BtfType.FUNC_GLOBAL: return "global";
            case BtfType.FUNC_EXTERN: return "extern";
            default: return "(unknown)";
        }
    }

    private static String varLinkage(int l) {
        switch (l) {
            case BtfType.VAR_STATIC: return "static";
            case BtfType.VAR_GLOBAL_ALLOCATED: return "global";
            case BtfType.VAR_GLOBAL_EXTERN: return "extern";
            default: return "(unknown)";
        }
    }
}
