package org.bpfosgi.obj.core;

import java.util.function.Consumer;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;

/**
 * Matching a local spec against one candidate type (src/relo_core.c, libbpf v1.5):
 * bpf_core_spec_match() with bpf_core_match_member(), and the compatibility relations
 * __bpf_core_types_are_compat(), bpf_core_fields_are_compat() and __bpf_core_types_match().
 * Every function returns 1 (match), 0 (no match) or a negative errno, as libbpf's do.
 */
final class BpfCoreMatch {
    private static final int EINVAL = -22;
    private static final int E2BIG = -7;

    private final Consumer<String> warn;

    /** @param warn receives libbpf's WARN lines ("unexpected kind %s relocated, ...") */
    BpfCoreMatch(Consumer<String> warn) {
        this.warn = warn;
    }

    // ------------------------------------------------------------------ compat

    /** Models bpf_core_types_are_compat() → __bpf_core_types_are_compat(..., 32). */
    int typesAreCompat(Btf lb, int localId, Btf tb, int targId) {
        return typesAreCompat(lb, localId, tb, targId, 32);
    }

    private int typesAreCompat(Btf lb, int localId, Btf tb, int targId, int level) {
        int depth = 32;
        // caller made sure that names match (ignoring flavor suffix)
        BtfKind lk = CoreBtf.kind(lb, localId);
        BtfKind tk = CoreBtf.kind(tb, targId);
        if (lk == null || tk == null || !CoreBtf.kindCoreCompat(lk, tk)) {
            return 0;
        }
        while (true) {
            depth--;
            if (depth < 0) {
                return EINVAL;
            }
            localId = CoreBtf.skip(lb, localId);
            targId = CoreBtf.skip(tb, targId);
            if (localId < 0 || targId < 0) {
                return EINVAL;
            }
            lk = lb.kind(localId);
            tk = tb.kind(targId);
            if (!CoreBtf.kindCoreCompat(lk, tk)) {
                return 0;
            }
            switch (lk) {
                case UNKN, STRUCT, UNION, ENUM, FWD, ENUM64:
                    return 1;
                case INT:
                    // reject deprecated bitfield-like integers; all other integers are compatible
                    return ((BtfType.Int) lb.type(localId)).bitsOffset() == 0
                            && ((BtfType.Int) tb.type(targId)).bitsOffset() == 0 ? 1 : 0;
                case PTR:
                    localId = ((BtfType.Ref) lb.type(localId)).type();
                    targId = ((BtfType.Ref) tb.type(targId)).type();
                    continue;
                case ARRAY:
                    localId = ((BtfType.Array) lb.type(localId)).type();
                    targId = ((BtfType.Array) tb.type(targId)).type();
                    continue;
                case FUNC_PROTO: {
                    BtfType.FuncProto lp = (BtfType.FuncProto) lb.type(localId);
                    BtfType.FuncProto tp = (BtfType.FuncProto) tb.type(targId);
                    if (lp.vlen() != tp.vlen()) {
                        return 0;
                    }
                    for (int i = 0; i < lp.vlen(); i++) {
                        if (level <= 0) {
                            return EINVAL;
                        }
                        int la = CoreBtf.skip(lb, lp.params().get(i).type());
                        int ta = CoreBtf.skip(tb, tp.params().get(i).type());
                        int err = typesAreCompat(lb, la, tb, ta, level - 1);
                        if (err <= 0) {
                            return err;
                        }
                    }
                    // tail recurse for return type check
                    localId = CoreBtf.skip(lb, lp.returnType());
                    targId = CoreBtf.skip(tb, tp.returnType());
                    continue;
                }
                default:
                    warn.accept(String.format("unexpected kind %s relocated, local [%d], target [%d]",
                            CoreBtf.kindStr(lk), localId, targId));
                    return 0;
            }
        }
    }

    /** Models bpf_core_fields_are_compat(). */
    int fieldsAreCompat(Btf lb, int localId, Btf tb, int targId) {
        for (int depth = 0; ; depth++) {
            localId = CoreBtf.skip(lb, localId);
            targId = CoreBtf.skip(tb, targId);
            if (localId < 0 || targId < 0) {
                return EINVAL;
            }
            BtfKind lk = lb.kind(localId);
            BtfKind tk = tb.kind(targId);
            if (CoreBtf.isComposite(lk) && CoreBtf.isComposite(tk)) {
                return 1;
            }
            if (!CoreBtf.kindCoreCompat(lk, tk)) {
                return 0;
            }
            switch (lk) {
                case PTR, FLOAT:
                    return 1;
                case FWD, ENUM64, ENUM: {
                    String ln = CoreBtf.name(lb, localId);
                    String tn = CoreBtf.name(tb, targId);
                    int ll = CoreBtf.essentialNameLen(ln);
                    int tl = CoreBtf.essentialNameLen(tn);
                    // one of them is anonymous or both w/ same flavor-less names
                    return ll == 0 || tl == 0 || (ll == tl && ln.regionMatches(0, tn, 0, ll)) ? 1 : 0;
                }
                case INT:
                    return ((BtfType.Int) lb.type(localId)).bitsOffset() == 0
                            && ((BtfType.Int) tb.type(targId)).bitsOffset() == 0 ? 1 : 0;
                case ARRAY:
                    // validated BTF has no array loops; the bound only guards hand-made input
                    if (depth > 64) {
                        return EINVAL;
                    }
                    localId = ((BtfType.Array) lb.type(localId)).type();
                    targId = ((BtfType.Array) tb.type(targId)).type();
                    continue;
                default:
                    return 0;
            }
        }
    }

    // ------------------------------------------------------------------ spec match

    /**
     * Models bpf_core_match_member(): finds the local named accessor's field in the target
     * struct/union (anonymous members searched recursively first), extending {@code spec}.
     * {@code nextTargId[0]} receives the matched member's type.
     */
    private int matchMember(Btf lb, CoreSpec.Acc localAcc, Btf tb, int targId, CoreSpec spec, int[] nextTargId) {
        targId = CoreBtf.skip(tb, targId);
        if (targId < 0) {
            return EINVAL;
        }
        if (!(tb.type(targId) instanceof BtfType.Composite tt)) {
            return 0;
        }
        BtfType.Composite lt = (BtfType.Composite) lb.type(localAcc.typeId());
        BtfType.Member localMember = lt.members().get(localAcc.idx());
        String localName = CoreBtf.str(lb, localMember.nameOff());
        for (int i = 0; i < tt.vlen(); i++) {
            BtfType.Member m = tt.members().get(i);
            long bitOffset = Integer.toUnsignedLong(m.bitOffset(tt.kindFlag()));
            // too deep struct/union/array nesting
            if (spec.rawLen == CoreSpec.MAX_LEN) {
                return E2BIG;
            }
            // speculate this member will be the good one
            spec.bitOffset += bitOffset;
            spec.raw[spec.rawLen++] = i;
            String targName = CoreBtf.str(tb, m.nameOff());
            if (targName == null || targName.isEmpty()) {
                // embedded struct/union, we need to go deeper
                int found = matchMember(lb, localAcc, tb, m.type(), spec, nextTargId);
                if (found != 0) {
                    return found;
                }
            } else if (targName.equals(localName)) {
                spec.spec[spec.len++] = new CoreSpec.Acc(targId, i, targName);
                nextTargId[0] = m.type();
                int found = fieldsAreCompat(lb, localMember.type(), tb, m.type());
                if (found == 0) {
                    spec.len--; // pop accessor
                }
                return found;
            }
            // member turned out not to be what we looked for
            spec.bitOffset -= bitOffset;
            spec.rawLen--;
        }
        return 0;
    }

    /** Models bpf_core_spec_match(): fills {@code targ} (partially, when there is no match). */
    int specMatch(CoreSpec local, Btf tb, int targId, CoreSpec targ) {
        targ.reset(tb, targId, local.kind);
        if (local.kind.isTypeBased()) {
            if (local.kind == org.bpfosgi.btf.BtfExt.CoreReloKind.BPF_CORE_TYPE_MATCHES) {
                return typesMatch(local.btf, local.rootTypeId, tb, targId);
            }
            return typesAreCompat(local.btf, local.rootTypeId, tb, targId);
        }
        CoreSpec.Acc localAcc = local.spec[0];
        if (local.kind.isEnumvalBased()) {
            // has to resolve to an enum
            targId = CoreBtf.skip(tb, targId);
            BtfType tt = CoreBtf.type(tb, targId);
            if (tt == null || !CoreBtf.isAnyEnum(tt.kind())) {
                return 0;
            }
            int localLen = CoreBtf.essentialNameLen(localAcc.name());
            for (int i = 0; i < tt.vlen(); i++) {
                String targName = CoreBtf.nullToEmpty(CoreBtf.str(tb, CoreBtf.enumNameOff(tt, i)));
                if (CoreBtf.essentialNameLen(targName) != localLen) {
                    continue;
                }
                if (localAcc.name().regionMatches(0, targName, 0, localLen)) {
                    targ.spec[0] = new CoreSpec.Acc(targId, i, targName);
                    targ.len++;
                    targ.raw[targ.rawLen++] = i;
                    return 1;
                }
            }
            return 0;
        }
        if (!local.kind.isFieldBased()) {
            return EINVAL;
        }
        int[] next = new int[1];
        for (int i = 0; i < local.len; i++) {
            localAcc = local.spec[i];
            targId = CoreBtf.skip(tb, targId);
            if (targId < 0) {
                return EINVAL;
            }
            if (localAcc.name() != null) {
                int matched = matchMember(local.btf, localAcc, tb, targId, targ, next);
                if (matched <= 0) {
                    return matched;
                }
                targId = next[0];
            } else {
                // for i=0, targ_id is already treated as array element type (because it's the
                // original struct), for others we should find array element type first
                if (i > 0) {
                    if (!(tb.type(targId) instanceof BtfType.Array a)) {
                        return 0;
                    }
                    boolean flex = CoreSpec.isFlexArr(tb, targ.spec[targ.len - 1], a);
                    if (!flex && Integer.toUnsignedLong(localAcc.idx()) >= Integer.toUnsignedLong(a.nelems())) {
                        return 0;
                    }
                    targId = CoreBtf.skip(tb, a.type());
                    if (targId < 0) {
                        return EINVAL;
                    }
                }
                // too deep struct/union/array nesting
                if (targ.rawLen == CoreSpec.MAX_LEN) {
                    return E2BIG;
                }
                targ.spec[targ.len++] = new CoreSpec.Acc(targId, localAcc.idx(), null);
                targ.raw[targ.rawLen++] = localAcc.idx();
                long sz = CoreBtf.resolveSize(tb, targId);
                if (sz < 0) {
                    return (int) sz;
                }
                targ.bitOffset += localAcc.idx() * sz * 8;
            }
        }
        return 1;
    }

    // ------------------------------------------------------------------ types match

    /** Models bpf_core_types_match() → __bpf_core_types_match(..., false, 32). */
    int typesMatch(Btf lb, int localId, Btf tb, int targId) {
        return typesMatch(lb, localId, tb, targId, false, 32);
    }

    /** bpf_core_names_match(): essential names equal; an anonymous target needs an anonymous local. */
    private static boolean namesMatch(Btf lb, int localNameOff, Btf tb, int targNameOff) {
        String ln = CoreBtf.nullToEmpty(CoreBtf.str(lb, localNameOff));
        String tn = CoreBtf.nullToEmpty(CoreBtf.str(tb, targNameOff));
        if (tn.isEmpty()) {
            return ln.isEmpty();
        }
        int tl = CoreBtf.essentialNameLen(tn);
        int ll = CoreBtf.essentialNameLen(ln);
        return tl == ll && ln.regionMatches(0, tn, 0, ll);
    }

    /** bpf_core_enums_match(). */
    private static int enumsMatch(Btf lb, BtfType lt, Btf tb, BtfType tt) {
        if (CoreBtf.size(lt) != CoreBtf.size(tt) || lt.vlen() > tt.vlen()) {
            return 0;
        }
        for (int i = 0; i < lt.vlen(); i++) {
            boolean matched = false;
            for (int j = 0; j < tt.vlen() && !matched; j++) {
                matched = namesMatch(lb, CoreBtf.enumNameOff(lt, i), tb, CoreBtf.enumNameOff(tt, j));
            }
            if (!matched) {
                return 0;
            }
        }
        return 1;
    }

    /** bpf_core_composites_match(). */
    private int compositesMatch(Btf lb, BtfType.Composite lt, Btf tb, BtfType.Composite tt, boolean behindPtr,
                                int level) {
        if (lt.vlen() > tt.vlen()) {
            return 0;
        }
        for (BtfType.Member lm : lt.members()) {
            boolean matched = false;
            for (BtfType.Member tm : tt.members()) {
                if (!namesMatch(lb, lm.nameOff(), tb, tm.nameOff())) {
                    continue;
                }
                int err = typesMatch(lb, lm.type(), tb, tm.type(), behindPtr, level - 1);
                if (err < 0) {
                    return err;
                }
                if (err > 0) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return 0;
            }
        }
        return 1;
    }

    private int typesMatch(Btf lb, int localId, Btf tb, int targId, boolean behindPtr, int level) {
        int depth = 32;
        if (level <= 0) {
            return EINVAL;
        }
        while (true) {
            depth--;
            if (depth < 0) {
                return EINVAL;
            }
            localId = CoreBtf.skip(lb, localId);
            targId = CoreBtf.skip(tb, targId);
            if (localId < 0 || targId < 0) {
                return EINVAL;
            }
            BtfType lt = CoreBtf.type(lb, localId);
            BtfType tt = CoreBtf.type(tb, targId);
            int lNameOff = lt == null ? 0 : lt.nameOff();
            int tNameOff = tt == null ? 0 : tt.nameOff();
            if (!namesMatch(lb, lNameOff, tb, tNameOff)) {
                return 0;
            }
            BtfKind lk = lb.kind(localId);
            BtfKind tk = tb.kind(targId);
            switch (lk) {
                case UNKN:
                    return lk == tk ? 1 : 0;
                case FWD: {
                    boolean lf = lt.kindFlag();
                    if (behindPtr) {
                        if (lk == tk) {
                            return lf == tt.kindFlag() ? 1 : 0;
                        }
                        // for forward declarations kflag dictates struct (0) or union (1)
                        return (tk == BtfKind.STRUCT && !lf) || (tk == BtfKind.UNION && lf) ? 1 : 0;
                    }
                    if (lk != tk) {
                        return 0;
                    }
                    return lf == tt.kindFlag() ? 1 : 0;
                }
                case ENUM, ENUM64:
                    if (!CoreBtf.isAnyEnum(tk)) {
                        return 0;
                    }
                    return enumsMatch(lb, lt, tb, tt);
                case STRUCT, UNION:
                    if (behindPtr) {
                        if (lk == tk) {
                            return 1;
                        }
                        if (tk != BtfKind.FWD) {
                            return 0;
                        }
                        return (lk == BtfKind.UNION) == tt.kindFlag() ? 1 : 0;
                    }
                    if (lk != tk) {
                        return 0;
                    }
                    return compositesMatch(lb, (BtfType.Composite) lt, tb, (BtfType.Composite) tt, behindPtr, level);
                case INT: {
                    if (lk != tk) {
                        return 0;
                    }
                    BtfType.Int li = (BtfType.Int) lt;
                    BtfType.Int ti = (BtfType.Int) tt;
                    return li.size() == ti.size() && (li.encoding() & BtfType.INT_SIGNED) == (ti.encoding()
                            & BtfType.INT_SIGNED) ? 1 : 0;
                }
                case PTR:
                    if (lk != tk) {
                        return 0;
                    }
                    behindPtr = true;
                    localId = ((BtfType.Ref) lt).type();
                    targId = ((BtfType.Ref) tt).type();
                    continue;
                case ARRAY: {
                    if (lk != tk) {
                        return 0;
                    }
                    BtfType.Array la = (BtfType.Array) lt;
                    BtfType.Array ta = (BtfType.Array) tt;
                    if (la.nelems() != ta.nelems()) {
                        return 0;
                    }
                    localId = la.type();
                    targId = ta.type();
                    continue;
                }
                case FUNC_PROTO: {
                    if (lk != tk) {
                        return 0;
                    }
                    BtfType.FuncProto lp = (BtfType.FuncProto) lt;
                    BtfType.FuncProto tp = (BtfType.FuncProto) tt;
                    if (lp.vlen() != tp.vlen()) {
                        return 0;
                    }
                    for (int i = 0; i < lp.vlen(); i++) {
                        int err = typesMatch(lb, lp.params().get(i).type(), tb, tp.params().get(i).type(), behindPtr,
                                level - 1);
                        if (err <= 0) {
                            return err;
                        }
                    }
                    // tail recurse for return type check
                    localId = lp.returnType();
                    targId = tp.returnType();
                    continue;
                }
                default:
                    warn.accept(String.format("unexpected kind %s relocated, local [%d], target [%d]",
                            CoreBtf.kindStr(lk), localId, targId));
                    return 0;
            }
        }
    }
}
