package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiler-independent rendering of a BTF type, for comparing our BTF with clang's: base
 * types by signedness and width (gcc and clang spell "unsigned long" differently), named
 * structs, unions, enums and typedefs by name, anonymous ones expanded.
 */
final class TypeShape {
    private TypeShape() {
    }

    static String of(Btf btf, int id) {
        if (id == 0) {
            return "void";
        }
        BtfType t = btf.type(id);
        String name = btf.name(id);
        switch (t.kind()) {
            case INT: {
                BtfType.Int i = (BtfType.Int) t;
                if (name.equals("char")) {
                    return "char";
                }
                if ((i.encoding() & BtfType.INT_BOOL) != 0) {
                    return "bool";
                }
                return ((i.encoding() & BtfType.INT_SIGNED) != 0 ? "s" : "u") + i.size() * 8;
            }
            case FLOAT:
                return "float" + ((BtfType.Float) t).size() * 8;
            case PTR:
                return of(btf, ((BtfType.Ref) t).type()) + "*";
            case CONST: case VOLATILE: case RESTRICT: case TYPE_TAG:
                return t.kind().name().toLowerCase() + " " + of(btf, ((BtfType.Ref) t).type());
            case TYPEDEF:
                return "typedef " + name;
            case ARRAY: {
                BtfType.Array a = (BtfType.Array) t;
                return of(btf, a.type()) + "[" + a.nelems() + "]";
            }
            case FWD:
                return (((BtfType.Fwd) t).kindFlag() ? "union " : "struct ") + name;
            case STRUCT: case UNION:
                return name.isEmpty() ? t.kind().name().toLowerCase() + "{" + String.join("; ", members(btf, id)) + "}"
                        : t.kind().name().toLowerCase() + " " + name;
            case ENUM: case ENUM64:
                return "enum " + (name.isEmpty() ? "(anon)" : name);
            case FUNC_PROTO: {
                BtfType.FuncProto p = (BtfType.FuncProto) t;
                List<String> ps = new ArrayList<>();
                for (BtfType.Param x : p.params()) {
                    ps.add(x.type() == 0 ? "..." : of(btf, x.type()));
                }
                return "fn(" + of(btf, p.returnType()) + "; " + String.join(", ", ps) + ")";
            }
            default:
                return t.kind().name();
        }
    }

    static List<String> members(Btf btf, int id) {
        BtfType.Composite c = (BtfType.Composite) btf.type(id);
        List<String> out = new ArrayList<>();
        for (BtfType.Member m : c.members()) {
            int bf = m.bitfieldSize(c.kindFlag());
            out.add((m.nameOff() == 0 ? "(anon)" : btf.str(m.nameOff())) + "@" + m.bitOffset(c.kindFlag())
                    + (bf != 0 ? ":" + bf : "") + " " + of(btf, m.type()));
        }
        return out;
    }

    /** Every named struct and union: "struct x size=N" -> member shapes. */
    static Map<String, List<String>> composites(Btf btf) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int id = btf.startId(); id < btf.nrTypes(); id++) {
            BtfKind k = btf.kind(id);
            if ((k == BtfKind.STRUCT || k == BtfKind.UNION) && !btf.name(id).isEmpty()) {
                out.put(k.name().toLowerCase() + " " + btf.name(id) + " size=" + btf.resolveSize(id), members(btf, id));
            }
        }
        return out;
    }
}
