package org.bpfosgi.obj.core;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfException;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;

/**
 * The libbpf BTF accessors relo_core.c is written against, over the project's {@link Btf}:
 * btf__type_by_id() (id 0 is the void type, an id out of range is NULL, here -1),
 * skip_mods_and_typedefs(), btf__name_by_offset(), btf__resolve_size(), btf_kind_str().
 */
final class CoreBtf {
    private CoreBtf() {
    }

    static boolean valid(Btf btf, int id) {
        return id >= 0 && id < btf.nrTypes();
    }

    /** btf_kind(); null for an id btf__type_by_id() would answer NULL for. */
    static BtfKind kind(Btf btf, int id) {
        return valid(btf, id) ? btf.kind(id) : null;
    }

    /** The decoded type; null for void (id 0) and invalid ids. */
    static BtfType type(Btf btf, int id) {
        return id > 0 && valid(btf, id) ? btf.type(id) : null;
    }

    /** skip_mods_and_typedefs(): the resolved id, or -1 where libbpf gets NULL. */
    static int skip(Btf btf, int id) {
        if (!valid(btf, id)) {
            return -1;
        }
        try {
            int r = btf.resolve(id);
            return valid(btf, r) ? r : -1;
        } catch (BtfException e) {
            return -1;
        }
    }

    /** btf__name_by_offset(): null when the offset is not a string of this BTF. */
    static String str(Btf btf, int off) {
        if (off < 0) {
            return null;
        }
        try {
            return btf.str(off);
        } catch (BtfException e) {
            return null;
        }
    }

    static String name(Btf btf, int id) {
        BtfType t = type(btf, id);
        return t == null ? "" : nullToEmpty(str(btf, t.nameOff()));
    }

    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** btf__resolve_size(): the size, or -EINVAL. */
    static long resolveSize(Btf btf, int id) {
        if (!valid(btf, id)) {
            return -22;
        }
        try {
            return btf.resolveSize(id);
        } catch (BtfException e) {
            return -22;
        }
    }

    /** The {@code size} word of INT, ENUM, ENUM64, STRUCT, UNION, FLOAT; 0 otherwise. */
    static int size(BtfType t) {
        if (t instanceof BtfType.Int i) {
            return i.size();
        } else if (t instanceof BtfType.Enum e) {
            return e.size();
        } else if (t instanceof BtfType.Enum64 e) {
            return e.size();
        } else if (t instanceof BtfType.Composite c) {
            return c.size();
        } else if (t instanceof BtfType.Float f) {
            return f.size();
        }
        return 0;
    }

    static boolean isAnyEnum(BtfKind k) {
        return k == BtfKind.ENUM || k == BtfKind.ENUM64;
    }

    static boolean isComposite(BtfKind k) {
        return k == BtfKind.STRUCT || k == BtfKind.UNION;
    }

    /** btf_kind_core_compat(): same kind, or ENUM and ENUM64. */
    static boolean kindCoreCompat(BtfKind a, BtfKind b) {
        return a == b || isAnyEnum(a) && isAnyEnum(b);
    }

    /** The enumerator name offset at {@code idx} of an ENUM or ENUM64. */
    static int enumNameOff(BtfType t, int idx) {
        return t instanceof BtfType.Enum e ? e.values().get(idx).nameOff()
                : ((BtfType.Enum64) t).values().get(idx).nameOff();
    }

    /** __btf_kind_str(). */
    static String kindStr(BtfKind k) {
        if (k == null) {
            return "unknown";
        }
        return switch (k) {
            case UNKN -> "void";
            case INT -> "int";
            case PTR -> "ptr";
            case ARRAY -> "array";
            case STRUCT -> "struct";
            case UNION -> "union";
            case ENUM -> "enum";
            case FWD -> "fwd";
            case TYPEDEF -> "typedef";
            case VOLATILE -> "volatile";
            case CONST -> "const";
            case RESTRICT -> "restrict";
            case FUNC -> "func";
            case FUNC_PROTO -> "func_proto";
            case VAR -> "var";
            case DATASEC -> "datasec";
            case FLOAT -> "float";
            case DECL_TAG -> "decl_tag";
            case TYPE_TAG -> "type_tag";
            case ENUM64 -> "enum64";
        };
    }

    /** bpf_core_is_flavor_sep(): X___Y with X and Y not underscores. */
    private static boolean isFlavorSep(String s, int i) {
        return s.charAt(i) != '_' && s.charAt(i + 1) == '_' && s.charAt(i + 2) == '_' && s.charAt(i + 3) == '_'
                && s.charAt(i + 4) != '_';
    }

    /** bpf_core_essential_name_len(): the name up to its last flavor separator. */
    static int essentialNameLen(String name) {
        int n = name.length();
        for (int i = n - 5; i >= 0; i--) {
            if (isFlavorSep(name, i)) {
                return i + 1;
            }
        }
        return n;
    }

    /** The essential name itself. */
    static String essentialName(String name) {
        return name.substring(0, essentialNameLen(name));
    }
}
