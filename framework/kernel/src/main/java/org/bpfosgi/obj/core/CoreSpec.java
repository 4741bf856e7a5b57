package org.bpfosgi.obj.core;

import java.util.function.Consumer;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt.CoreRelo;
import org.bpfosgi.btf.BtfExt.CoreReloKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;

/**
 * {@code struct bpf_core_spec} (src/relo_core.h): a parsed access string. The high-level
 * accessors ({@link #spec}) are the named fields and array indexes, the low-level ones
 * ({@link #raw}) every index of the string; {@link #bitOffset} is where the accessed field starts.
 * A scratch object, as libbpf's {@code specs_scratch[3]}: filled by {@link #parse} or by
 * {@link BpfCoreMatch#specMatch}, copied when kept.
 */
final class CoreSpec {
    /** BPF_CORE_SPEC_MAX_LEN. */
    static final int MAX_LEN = 64;

    /** {@code struct bpf_core_accessor}: name null for array indexes (and the root's "0"). */
    record Acc(int typeId, int idx, String name) {
    }

    Btf btf;
    int rootTypeId;
    CoreReloKind kind;
    final Acc[] spec = new Acc[MAX_LEN];
    int len;
    final int[] raw = new int[MAX_LEN];
    int rawLen;
    /** __u32 bit_offset. */
    long bitOffset;

    CoreSpec copy() {
        CoreSpec c = new CoreSpec();
        c.btf = btf;
        c.rootTypeId = rootTypeId;
        c.kind = kind;
        System.arraycopy(spec, 0, c.spec, 0, MAX_LEN);
        c.len = len;
        System.arraycopy(raw, 0, c.raw, 0, MAX_LEN);
        c.rawLen = rawLen;
        c.bitOffset = bitOffset;
        return c;
    }

    void reset(Btf b, int root, CoreReloKind k) {
        btf = b;
        rootTypeId = root;
        kind = k;
        java.util.Arrays.fill(spec, null);
        len = 0;
        java.util.Arrays.fill(raw, 0);
        rawLen = 0;
        bitOffset = 0;
    }

    /**
     * Models bpf_core_parse_spec(): 0, or a negative errno. {@code warn} receives the one WARN
     * line it can print ("captures type of unexpected kind").
     */
    static int parse(String progName, Btf btf, CoreRelo relo, CoreSpec spec, Consumer<String> warn) {
        // the access string as BtfExt read it from .BTF at access_str_off (null: not a string)
        String specStr = relo.accessStr();
        if (specStr == null || specStr.isEmpty() || specStr.charAt(0) == ':') {
            return -22;
        }
        spec.reset(btf, relo.typeId(), relo.kind());
        // type-based relocations don't have a field access string
        if (relo.kind() != null && relo.kind().isTypeBased()) {
            return specStr.equals("0") ? 0 : -22;
        }
        // parse "0:1:2:3:4" into raw_spec=[0, 1, 2, 3, 4], as the sscanf("%d%n") loop does
        int p = 0;
        while (p < specStr.length()) {
            if (specStr.charAt(p) == ':') {
                p++;
            }
            int q = p;
            while (q < specStr.length() && Character.isWhitespace(specStr.charAt(q))) {
                q++;
            }
            int digits = q;
            if (digits < specStr.length() && (specStr.charAt(digits) == '-' || specStr.charAt(digits) == '+')) {
                digits++;
            }
            int end = digits;
            while (end < specStr.length() && Character.isDigit(specStr.charAt(end))) {
                end++;
            }
            if (end == digits) {
                return -22;
            }
            long v;
            try {
                v = Long.parseLong(specStr.substring(q, end));
            } catch (NumberFormatException e) {
                return -22;
            }
            // a negative or overflowing index is undefined behaviour in libbpf (it indexes
            // members with it); the model refuses it as the malformed access string it is
            if (v < 0 || v > Integer.MAX_VALUE) {
                return -22;
            }
            if (spec.rawLen == MAX_LEN) {
                return -7; // -E2BIG
            }
            p = end;
            spec.raw[spec.rawLen++] = (int) v;
        }
        if (spec.rawLen == 0) {
            return -22;
        }
        int id = CoreBtf.skip(btf, relo.typeId());
        if (id < 0) {
            return -22;
        }
        int accessIdx = spec.raw[0];
        spec.spec[0] = new Acc(id, accessIdx, null);
        spec.len++;
        BtfKind k = btf.kind(id);
        if (relo.kind() != null && relo.kind().isEnumvalBased()) {
            BtfType t = CoreBtf.type(btf, id);
            if (!CoreBtf.isAnyEnum(k) || spec.rawLen > 1 || accessIdx >= t.vlen()) {
                return -22;
            }
            // record enumerator name in a first accessor
            spec.spec[0] = new Acc(id, accessIdx, CoreBtf.str(btf, CoreBtf.enumNameOff(t, accessIdx)));
            return 0;
        }
        if (relo.kind() == null || !relo.kind().isFieldBased()) {
            return -22;
        }
        long sz = CoreBtf.resolveSize(btf, id);
        if (sz < 0) {
            return (int) sz;
        }
        spec.bitOffset = accessIdx * sz * 8;
        for (int i = 1; i < spec.rawLen; i++) {
            id = CoreBtf.skip(btf, id);
            if (id < 0) {
                return -22;
            }
            BtfType t = CoreBtf.type(btf, id);
            accessIdx = spec.raw[i];
            if (t instanceof BtfType.Composite c) {
                if (accessIdx >= c.vlen()) {
                    return -22;
                }
                BtfType.Member m = c.members().get(accessIdx);
                spec.bitOffset += Integer.toUnsignedLong(m.bitOffset(c.kindFlag()));
                if (m.nameOff() != 0) {
                    String name = CoreBtf.str(btf, m.nameOff());
                    if (name == null || name.isEmpty()) {
                        return -22;
                    }
                    spec.spec[spec.len++] = new Acc(id, accessIdx, name);
                }
                id = m.type();
            } else if (t instanceof BtfType.Array a) {
                id = CoreBtf.skip(btf, a.type());
                if (id < 0) {
                    return -22;
                }
                boolean flex = isFlexArr(btf, spec.spec[spec.len - 1], a);
                if (!flex && Integer.toUnsignedLong(accessIdx) >= Integer.toUnsignedLong(a.nelems())) {
                    return -22;
                }
                spec.spec[spec.len++] = new Acc(id, accessIdx, null);
                sz = CoreBtf.resolveSize(btf, id);
                if (sz < 0) {
                    return (int) sz;
                }
                spec.bitOffset += accessIdx * sz * 8;
            } else {
                warn.accept(String.format(
                        "prog '%s': relo for [%d] %s (at idx %d) captures type [%d] of unexpected kind %s", progName,
                        relo.typeId(), specStr, i, id, CoreBtf.kindStr(btf.kind(id))));
                return -22;
            }
        }
        return 0;
    }

    /** is_flex_arr(): a zero-length array that is the last member of its struct. */
    static boolean isFlexArr(Btf btf, Acc acc, BtfType.Array arr) {
        if (acc == null || acc.name() == null || arr.nelems() > 0) {
            return false;
        }
        BtfType t = CoreBtf.type(btf, acc.typeId());
        return t != null && acc.idx() == t.vlen() - 1;
    }

    /** Models bpf_core_format_spec(). */
    String format() {
        StringBuilder b = new StringBuilder();
        BtfType t = CoreBtf.type(btf, rootTypeId);
        String s = t == null ? "" : CoreBtf.nullToEmpty(CoreBtf.str(btf, t.nameOff()));
        b.append('<').append(kind == null ? "unknown" : kind.shortName()).append("> [")
                .append(Integer.toUnsignedString(rootTypeId)).append("] ")
                .append(CoreBtf.kindStr(CoreBtf.kind(btf, rootTypeId))).append(' ')
                .append(s.isEmpty() ? "<anon>" : s);
        if (kind == null || kind.isTypeBased()) {
            return b.toString();
        }
        if (kind.isEnumvalBased()) {
            int id = CoreBtf.skip(btf, rootTypeId);
            BtfType e = CoreBtf.type(btf, id);
            if (e instanceof BtfType.Enum en) {
                BtfType.EnumValue v = en.values().get(raw[0]);
                b.append("::").append(CoreBtf.str(btf, v.nameOff())).append(" = ")
                        .append(en.kindFlag() ? Integer.toString(v.val()) : Integer.toUnsignedString(v.val()));
            } else if (e instanceof BtfType.Enum64 en) {
                BtfType.Enum64Value v = en.values().get(raw[0]);
                b.append("::").append(CoreBtf.str(btf, v.nameOff())).append(" = ")
                        .append(en.kindFlag() ? Long.toString(v.val()) : Long.toUnsignedString(v.val()));
            }
            return b.toString();
        }
        for (int i = 0; i < len; i++) {
            if (spec[i].name() != null) {
                b.append('.').append(spec[i].name());
            } else if (i > 0 || spec[i].idx() > 0) {
                b.append('[').append(Integer.toUnsignedString(spec[i].idx())).append(']');
            }
        }
        b.append(" (");
        for (int i = 0; i < rawLen; i++) {
            b.append(i == 0 ? "" : ":").append(raw[i]);
        }
        long bo = bitOffset & 0xffffffffL;
        if (bo % 8 != 0) {
            b.append(" @ offset ").append(bo / 8).append('.').append(bo % 8).append(')');
        } else {
            b.append(" @ offset ").append(bo / 8).append(')');
        }
        return b.toString();
    }
}
