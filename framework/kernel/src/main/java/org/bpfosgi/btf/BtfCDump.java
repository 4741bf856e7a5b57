package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code bpftool btf dump ... format c}: the BTF as compilable C (a {@code vmlinux.h}), after
 * libbpf's btf_dump.c. Types come out in an order a C compiler accepts: enums first, forward
 * declarations of every struct and union, then typedefs and definitions, each after what it
 * contains by value. Duplicate names get libbpf's {@code ___N} suffix.
 *
 * <p>Layout is reproduced exactly rather than by attributes: where a member sits later than its
 * natural offset, unnamed bit-field padding is emitted (as bpftool emits {@code long: 64;});
 * where a struct cannot be laid out naturally at all, it is emitted
 * {@code __attribute__((packed))} with explicit padding. Every struct therefore has its BTF size
 * and member offsets; alignment may be smaller than the kernel's, which BPF programs never see.
 * Functions, variables and tags are not printed (as bpftool does not). For split BTF the base's
 * types are printed too, so that a module's header compiles on its own.
 */
public final class BtfCDump {
    private final Btf btf;
    private final StringBuilder out = new StringBuilder();
    private final String[] names;
    private final byte[] state; // 0 new, 1 in progress, 2 emitted
    /** Anonymous composites whose dependencies were walked already (see deps). */
    private final java.util.BitSet anonWalked = new java.util.BitSet();
    private final boolean[] packed;
    private final int[] align;
    private final int[] anonEnumRefs;
    private final Set<String> enumerators = new HashSet<>();
    /** Structs emitted inside one another's dependencies, and inline nesting: bounded (hostile BTF). */
    private int nesting;
    private static final int MAX_NESTING = 400;

    private void enter() {
        if (++nesting > MAX_NESTING) {
            throw new BtfException("BTF: types are nested more than " + MAX_NESTING + " deep; cannot print them as C");
        }
    }

    private BtfCDump(Btf btf) {
        this.btf = btf;
        int n = btf.nrTypes();
        names = new String[n];
        state = new byte[n];
        packed = new boolean[n];
        align = new int[n];
        anonEnumRefs = new int[n];
    }

    /** The whole header. */
    public static String dump(Btf btf) {
        BtfCDump d = new BtfCDump(btf);
        d.run();
        return d.out.toString();
    }

    private void run() {
        int n = btf.nrTypes();
        Map<String, Integer> tagCount = new HashMap<>();
        Map<String, Integer> ordCount = new HashMap<>();
        for (int id = 1; id < n; id++) {
            BtfKind k = btf.kind(id);
            String name = btf.name(id);
            if (name.isEmpty()) {
                continue;
            }
            switch (k) {
                case STRUCT: case UNION: case ENUM: case ENUM64:
                    // struct, union and enum tags share one C namespace
                    names[id] = unique(tagCount, name, name);
                    break;
                case TYPEDEF:
                    names[id] = unique(ordCount, name, name);
                    break;
                default:
                    names[id] = name;
            }
        }
        for (int id = 1; id < n; id++) {
            BtfType t = btf.type(id);
            if (t instanceof BtfType.Composite c) {
                for (BtfType.Member m : c.members()) {
                    countAnonEnum(m.type());
                }
            } else if (t instanceof BtfType.Ref r && t.kind() != BtfKind.PTR) {
                countAnonEnum(r.type());
            } else if (t instanceof BtfType.Array a) {
                countAnonEnum(a.type());
            }
        }
        out.append("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n");
        out.append("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                + "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n");
        for (int id = 1; id < n; id++) {
            BtfKind k = btf.kind(id);
            if ((k == BtfKind.ENUM || k == BtfKind.ENUM64) && (names[id] != null || anonEnumRefs[id] != 1)) {
                out.append(enumBody(id, "")).append(";\n\n");
                state[id] = 2;
            }
        }
        Set<String> fwd = new HashSet<>();
        for (int id = 1; id < n; id++) {
            BtfKind k = btf.kind(id);
            if ((k == BtfKind.STRUCT || k == BtfKind.UNION) && names[id] != null) {
                out.append(k == BtfKind.STRUCT ? "struct " : "union ").append(names[id]).append(";\n");
                fwd.add(k + ":" + names[id]);
            }
        }
        for (int id = 1; id < n; id++) {
            if (btf.kind(id) == BtfKind.FWD) {
                boolean union = ((BtfType.Fwd) btf.type(id)).kindFlag();
                if (!fwd.contains((union ? BtfKind.UNION : BtfKind.STRUCT) + ":" + btf.name(id))) {
                    out.append(union ? "union " : "struct ").append(btf.name(id)).append(";\n");
                }
            }
        }
        out.append('\n');
        for (int id = 1; id < n; id++) {
            BtfKind k = btf.kind(id);
            if (k == BtfKind.TYPEDEF || ((k == BtfKind.STRUCT || k == BtfKind.UNION) && names[id] != null)) {
                emit(id);
            }
        }
        out.append("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
                + "#endif /* __VMLINUX_H__ */\n");
    }

    private void countAnonEnum(int id) {
        id = btf.skipQualifiers(id);
        BtfKind k = btf.kind(id);
        if ((k == BtfKind.ENUM || k == BtfKind.ENUM64) && btf.name(id).isEmpty()) {
            anonEnumRefs[id]++;
        }
    }

    private static String unique(Map<String, Integer> seen, String key, String name) {
        int c = seen.merge(key, 1, Integer::sum);
        return c == 1 ? name : name + "___" + c;
    }

    // ------------------------------------------------------------------ ordering

    private void emit(int id) {
        if (state[id] != 0) {
            return;
        }
        enter();
        try {
            emit0(id);
        } finally {
            nesting--;
        }
    }

    private void emit0(int id) {
        state[id] = 1;
        BtfType t = btf.type(id);
        if (t instanceof BtfType.Ref r) { // typedef
            if (names[id].equals("__builtin_va_list")) {
                state[id] = 2; // the compiler's own, as libbpf's btf_dump skips it
                return;
            }
            deps(r.type(), false, 0);
            out.append("typedef ").append(decl(r.type(), names[id], 0)).append(";\n\n");
        } else {
            BtfType.Composite c = (BtfType.Composite) t;
            for (BtfType.Member m : c.members()) {
                deps(m.type(), true, 0);
            }
            out.append(composite(id, 0)).append(";\n\n");
        }
        state[id] = 2;
    }

    /** Emits what a use of {@code id} needs first: typedefs always, structs when used by value. */
    private void deps(int id, boolean byValue, int depth) {
        if (id == 0 || depth > 256) {
            return;
        }
        BtfType t = btf.type(id);
        switch (t.kind()) {
            case TYPEDEF:
                emit(id);
                if (byValue) {
                    deps(((BtfType.Ref) t).type(), true, depth + 1);
                }
                return;
            case STRUCT: case UNION:
                if (names[id] == null) {
                    // an anonymous struct is printed inline: its dependencies are walked once (an
                    // emitted type stays emitted); walking them at every use is exponential for
                    // anonymous structs that point at each other
                    if (anonWalked.get(id)) {
                        return;
                    }
                    anonWalked.set(id);
                    for (BtfType.Member m : ((BtfType.Composite) t).members()) {
                        deps(m.type(), true, depth + 1);
                    }
                } else if (byValue && state[id] == 0) {
                    emit(id);
                }
                return;
            case PTR:
                deps(((BtfType.Ref) t).type(), false, depth + 1);
                return;
            case CONST: case VOLATILE: case RESTRICT: case TYPE_TAG:
                deps(((BtfType.Ref) t).type(), byValue, depth + 1);
                return;
            case ARRAY:
                deps(((BtfType.Array) t).type(), true, depth + 1);
                return;
            case FUNC_PROTO: {
                BtfType.FuncProto p = (BtfType.FuncProto) t;
                deps(p.returnType(), false, depth + 1);
                for (BtfType.Param x : p.params()) {
                    deps(x.type(), false, depth + 1);
                }
                return;
            }
            default:
        }
    }

    // ------------------------------------------------------------------ declarations

    /** A C declaration of {@code name} (may be "") with type {@code id}. */
    private String decl(int id, String name, int indent) {
        if (id == 0) {
            return join("void", name);
        }
        BtfType t = btf.type(id);
        switch (t.kind()) {
            case PTR: {
                int target = ((BtfType.Ref) t).type();
                BtfKind tk = btf.kind(btf.skipQualifiers(target));
                String inner = "*" + name;
                if (tk == BtfKind.ARRAY || tk == BtfKind.FUNC_PROTO) {
                    inner = "(" + inner + ")";
                }
                return decl(target, inner, indent);
            }
            case CONST: case VOLATILE: case RESTRICT: {
                int target = ((BtfType.Ref) t).type();
                String q = t.kind() == BtfKind.CONST ? "const" : t.kind() == BtfKind.VOLATILE ? "volatile" : "restrict";
                if (btf.kind(btf.skipQualifiers(target)) == BtfKind.ARRAY) {
                    // libbpf btf_dump_emit_type_chain, BTF_KIND_ARRAY: btf_dump_drop_mods() drops
                    // the qualifiers of the array itself (GCC bug 8354 emits them besides the
                    // element's: CONST -> ARRAY -> CONST char would print "const const char")
                    return decl(target, name, indent);
                }
                if (btf.kind(btf.skipQualifiers(target)) == BtfKind.PTR) {
                    return decl(target, q + (name.isEmpty() ? "" : " " + name), indent);
                }
                return q + " " + decl(target, name, indent);
            }
            case TYPE_TAG:
                return decl(((BtfType.Ref) t).type(), name, indent);
            case ARRAY: {
                BtfType.Array a = (BtfType.Array) t;
                return decl(a.type(), name + "[" + Integer.toUnsignedString(a.nelems()) + "]", indent);
            }
            case FUNC_PROTO: {
                BtfType.FuncProto p = (BtfType.FuncProto) t;
                StringBuilder ps = new StringBuilder();
                if (p.params().isEmpty()) {
                    ps.append("void");
                }
                for (int i = 0; i < p.params().size(); i++) {
                    if (i > 0) {
                        ps.append(", ");
                    }
                    int pt = p.params().get(i).type();
                    ps.append(pt == 0 ? "..." : decl(pt, "", indent));
                }
                return decl(p.returnType(), name + "(" + ps + ")", indent);
            }
            case STRUCT: case UNION:
                return join(names[id] != null ? (t.kind() == BtfKind.STRUCT ? "struct " : "union ") + names[id]
                        : composite(id, indent), name);
            case ENUM: case ENUM64:
                if (names[id] != null) {
                    return join("enum " + names[id], name);
                }
                if (state[id] == 0) {
                    state[id] = 2;
                    return join(enumBody(id, "\t".repeat(indent)), name);
                }
                return join(intFor(btf.resolveSize(id), ((t.kind() == BtfKind.ENUM) ? ((BtfType.Enum) t).kindFlag()
                        : ((BtfType.Enum64) t).kindFlag())), name);
            case FWD:
                return join((((BtfType.Fwd) t).kindFlag() ? "union " : "struct ") + btf.name(id), name);
            case TYPEDEF:
                return join(names[id], name);
            default: // INT, FLOAT
                return join(btf.name(id), name);
        }
    }

    private static String join(String type, String name) {
        return name.isEmpty() ? type : type + " " + name;
    }

    private static String intFor(long size, boolean signed) {
        String base = size == 1 ? "char" : size == 2 ? "short" : size == 4 ? "int" : "long long";
        return (signed ? "signed " : "unsigned ") + base;
    }

    private String enumBody(int id, String ind) {
        BtfType t = btf.type(id);
        StringBuilder sb = new StringBuilder("enum");
        if (names[id] != null) {
            sb.append(' ').append(names[id]);
        }
        sb.append(" {\n");
        long size;
        if (t instanceof BtfType.Enum e) {
            size = e.size();
            for (BtfType.EnumValue v : e.values()) {
                sb.append(ind).append('\t').append(enumerator(v.nameOff())).append(" = ")
                        .append(e.kindFlag() ? Integer.toString(v.val()) : Integer.toUnsignedString(v.val()))
                        .append(",\n");
            }
        } else {
            BtfType.Enum64 e = (BtfType.Enum64) t;
            size = e.size();
            for (BtfType.Enum64Value v : e.values()) {
                sb.append(ind).append('\t').append(enumerator(v.nameOff())).append(" = ")
                        .append(e.kindFlag() ? v.val() + "LL" : Long.toUnsignedString(v.val()) + "ULL").append(",\n");
            }
        }
        sb.append(ind).append('}');
        if (size < 4) {
            sb.append(" __attribute__((packed))");
        }
        return sb.toString();
    }

    private String enumerator(int nameOff) {
        String n = btf.str(nameOff);
        String u = n;
        for (int i = 2; !enumerators.add(u); i++) {
            u = n + "___" + i;
        }
        return u;
    }

    // ------------------------------------------------------------------ layout

    /** Alignment of a type as this dump declares it (a packed struct has 1). */
    private int alignOf(int id, int depth) {
        id = btf.resolve(id);
        if (id == 0 || depth > 256) {
            return 1;
        }
        BtfType t = btf.type(id);
        switch (t.kind()) {
            case PTR:
                return 8;
            case ARRAY:
                return alignOf(((BtfType.Array) t).type(), depth + 1);
            case STRUCT: case UNION:
                layout(id, depth + 1);
                return align[id];
            case INT: case ENUM: case ENUM64: case FLOAT:
                return (int) Math.max(1, Math.min(16, btf.resolveSize(id)));
            default:
                return 1;
        }
    }

    /** Decides whether a struct must be packed and its alignment as emitted. */
    private void layout(int id, int depth) {
        if (align[id] != 0) {
            return;
        }
        align[id] = 1; // provisional, against pathological recursion
        BtfType.Composite c = (BtfType.Composite) btf.type(id);
        boolean natural = simulate(c, false, null, depth);
        packed[id] = !natural;
        int a = 1;
        if (natural) {
            for (BtfType.Member m : c.members()) {
                a = Math.max(a, alignOf(m.type(), depth + 1));
            }
        }
        align[id] = a;
    }

    /**
     * Lays the members out as a C compiler would, appending padding where BTF has a gap; returns
     * false if some member sits before its natural position (the struct needs packing).
     */
    private boolean simulate(BtfType.Composite c, boolean isPacked, StringBuilder body, int depth) {
        boolean kflag = c.kindFlag();
        long pos = 0;
        int maxAlign = 1;
        long maxEnd = 0;
        boolean union = c.kind() == BtfKind.UNION;
        for (BtfType.Member m : c.members()) {
            long off = m.bitOffset(kflag);
            int bf = m.bitfieldSize(kflag);
            int a = isPacked ? 1 : alignOf(m.type(), depth + 1);
            long size = sizeOf(m.type());
            if (union) {
                if (off != 0) {
                    return false;
                }
            } else if (bf != 0) {
                long unit = Math.max(size, 1) * 8;
                long nat = isPacked || (pos / unit) == ((pos + bf - 1) / unit) ? pos : roundUp(pos, a * 8L);
                if (off < nat) {
                    return false;
                }
                if (off > nat) {
                    pad(body, pos, off);
                    if (!isPacked && (off / unit) != ((off + bf - 1) / unit)) {
                        return false;
                    }
                }
                pos = off + bf;
            } else {
                long nat = roundUp(pos, a * 8L);
                if (off < nat) {
                    return false;
                }
                if (off > nat) {
                    if (off % (a * 8L) != 0) {
                        return false;
                    }
                    pad(body, pos, off);
                }
                pos = off + size * 8;
            }
            maxAlign = Math.max(maxAlign, a);
            maxEnd = Math.max(maxEnd, off + (bf != 0 ? bf : size * 8));
            if (body != null) {
                body.append("\t").append(member(m, bf)).append(";\n");
            }
        }
        long end = union ? maxEnd : pos;
        long natSize = roundUp(roundUp(end, 8) / 8, maxAlign);
        long size = Integer.toUnsignedLong(c.size());
        if (natSize > size || size % maxAlign != 0) {
            return false;
        }
        if (natSize < size) {
            if (union) {
                if (body != null) {
                    body.append("\tunsigned char __pad_union[").append(size).append("];\n");
                }
            } else {
                pad(body, end, size * 8);
            }
        }
        return true;
    }

    private String member(BtfType.Member m, int bf) {
        String n = m.nameOff() == 0 ? "" : btf.str(m.nameOff());
        return decl(m.type(), n, 1) + (bf != 0 ? ": " + bf : "");
    }

    private long sizeOf(int id) {
        try {
            return btf.resolveSize(id);
        } catch (BtfException e) {
            return 0; // a FWD or void member: BTF of a flexible or opaque tail
        }
    }

    /**
     * The most text one dump builds in memory. bpftool streams, so it prints the 536 million
     * {@code long: 64;} lines of a struct of size 0xffffffff; this dump is built as a string, so
     * a dump beyond this size is refused with a message instead of running out of memory.
     * Not modelled: streaming C output of such types (btf_dump__dump_type writes as it goes).
     */
    static final long MAX_TEXT = 64L << 20;

    /** Unnamed bit-fields from bit {@code from} to {@code to}, never straddling their unit. */
    private static void pad(StringBuilder body, long from, long to) {
        if (body == null) {
            return;
        }
        if (body.length() + (to - from) / 64 * 11 > MAX_TEXT) {
            throw new BtfException("format c: " + (to - from) / 8 + " bytes of padding would print more than "
                    + (MAX_TEXT >> 20) + " MiB of C (use format raw)");
        }
        long p = from;
        while (p < to) {
            long gap = to - p;
            if (p % 64 == 0 && gap >= 64) {
                body.append("\tlong: 64;\n");
                p += 64;
            } else if (p % 8 == 0 && gap >= 8) {
                body.append("\tchar: 8;\n");
                p += 8;
            } else {
                long n = Math.min(gap, 8 - p % 8);
                body.append("\tchar: ").append(n).append(";\n");
                p += n;
            }
        }
    }

    private static long roundUp(long v, long a) {
        return (v + a - 1) / a * a;
    }

    /**
     * Anonymous structs and unions printed inside one another. C11 5.2.4.1 asks compilers for 63
     * levels of nested struct definitions; deeper (hostile) BTF is refused before it can exhaust
     * the stack (six frames per level).
     */
    private int inlineDepth;
    private static final int MAX_INLINE_DEPTH = 63;

    private String composite(int id, int indent) {
        enter();
        if (++inlineDepth > MAX_INLINE_DEPTH) {
            nesting--;
            inlineDepth--;
            throw new BtfException("BTF: structs and unions are nested more than " + MAX_INLINE_DEPTH
                    + " deep; cannot print them as C");
        }
        try {
            return composite0(id, indent);
        } finally {
            nesting--;
            inlineDepth--;
        }
    }

    private String composite0(int id, int indent) {
        layout(id, 0);
        BtfType.Composite c = (BtfType.Composite) btf.type(id);
        StringBuilder body = new StringBuilder();
        simulate(c, packed[id], body, 0);
        String ind = "\t".repeat(indent);
        StringBuilder sb = new StringBuilder(c.kind() == BtfKind.STRUCT ? "struct" : "union");
        if (names[id] != null) {
            sb.append(' ').append(names[id]);
        }
        sb.append(" {\n");
        for (String line : body.toString().split("\n")) {
            if (!line.isEmpty()) {
                sb.append(ind).append(line).append('\n');
            }
        }
        sb.append(ind).append('}');
        if (packed[id]) {
            sb.append(" __attribute__((packed))");
        }
        return sb.toString();
    }
}
