package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfObject;

/**
 * Models {@code struct bpf_reg_state} (include/linux/bpf_verifier.h), immutable. {@code off} is
 * the fixed pointer offset, {@code var} the variable part (for a scalar: its value). Flags are
 * the type modifiers PTR_MAYBE_NULL, PTR_TRUSTED, PTR_UNTRUSTED, MEM_RDONLY, MEM_PERCPU. {@code id} links
 * copies of a maybe-null pointer so one null check marks them all; {@code refObjId} names the
 * acquired reference the pointer carries. The scalar bounds {@code smin..u32max} are the
 * kernel's {@code smin_value, smax_value, umin_value, umax_value, s32_min_value, s32_max_value,
 * u32_min_value, u32_max_value} (u64/u32 held in long/int, compared unsigned); they are worked on
 * through {@link RegBounds}. {@code precise} is the mark mark_chain_precision() sets on the
 * registers of explored states whose exact value a later check depended on.
 */
public record RegState(RegType type, int flags, int off, Tnum var, long smin, long smax, long umin, long umax,
                       int s32min, int s32max, int u32min, int u32max, BtfObject btf, int btfId, int memSize,
                       int id, int refObjId, int frameno, boolean precise) {
    public static final int PTR_MAYBE_NULL = 1;
    public static final int PTR_TRUSTED = 2;
    public static final int PTR_UNTRUSTED = 4;
    public static final int MEM_RDONLY = 8;
    /** MEM_PERCPU: a per-cpu variable's address (a ksym in ".data..percpu"), not dereferenceable. */
    public static final int MEM_PERCPU = 16;

    public static final RegState NOT_INIT = new RegState(RegType.NOT_INIT, 0, 0, Tnum.UNKNOWN, Long.MIN_VALUE, Long.MAX_VALUE, 0, -1L, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, null, 0, 0, 0, 0, 0, false);
    public static final RegState UNKNOWN_SCALAR = new RegState(RegType.SCALAR_VALUE, 0, 0, Tnum.UNKNOWN, Long.MIN_VALUE, Long.MAX_VALUE, 0, -1L, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, null, 0, 0, 0, 0, 0, false);

    /** The small constants, shared: every immediate operand is one (off_reg, env->fake_reg). */
    private static final RegState[] SMALL_CONSTANTS = new RegState[1024 + 128];

    static {
        for (int i = 0; i < SMALL_CONSTANTS.length; i++) {
            SMALL_CONSTANTS[i] = knownScalar(i - 128);
        }
    }

    /** Models __mark_reg_known(): a scalar constant. */
    public static RegState scalar(long v) {
        if (v >= -128 && v < 1024) {
            return SMALL_CONSTANTS[(int) v + 128];
        }
        return knownScalar(v);
    }

    private static RegState knownScalar(long v) {
        return new RegState(RegType.SCALAR_VALUE, 0, 0, Tnum.constant(v), v, v, v, v, (int) v, (int) v, (int) v, (int) v,
                null, 0, 0, 0, 0, 0, false);
    }

    /** An otherwise unbounded scalar with tnum {@code t}, its bounds synced (reg_bounds_sync()). */
    public static RegState scalar(Tnum t) {
        RegBounds b = RegBounds.unknown();
        b.var = t;
        b.regBoundsSync();
        return b.toScalar();
    }

    /**
     * A pointer whose variable part is known zero (var_off and the eight bounds 0, as
     * mark_reg_known_zero() leaves them), with the given type, flags, fixed offset and fields;
     * not precise. The pointer factories below all go through it.
     */
    private static RegState knownZeroPtr(RegType type, int flags, int off, BtfObject btf, int btfId, int memSize,
                                         int id, int refObjId, int frameno) {
        return new RegState(type, flags, off, Tnum.constant(0), 0, 0, 0, 0, 0, 0, 0, 0, btf, btfId, memSize, id, refObjId,
                frameno, false);
    }

    public static RegState ctx() {
        return knownZeroPtr(RegType.PTR_TO_CTX, 0, 0, null, 0, 0, 0, 0, 0);
    }

    /** The frame pointer of frame {@code frameno} (R10), or a stack pointer at {@code off}. */
    public static RegState stack(int frameno, int off) {
        return knownZeroPtr(RegType.PTR_TO_STACK, 0, off, null, 0, 0, 0, 0, frameno);
    }

    /** CONST_PTR_TO_MAP of the map with id {@code mapId} (kept in the btfId slot). */
    public static RegState mapPtr(int mapId) {
        return knownZeroPtr(RegType.CONST_PTR_TO_MAP, 0, 0, null, mapId, 0, 0, 0, 0);
    }

    /**
     * A PTR_TO_MAP_VALUE into the map with id {@code mapId} and value_size {@code valueSize}, at
     * fixed offset {@code off}, with {@code flags} (PTR_MAYBE_NULL) and {@code id}.
     */
    public static RegState mapValue(int mapId, int valueSize, int off, int flags, int id) {
        return knownZeroPtr(RegType.PTR_TO_MAP_VALUE, flags, off, null, mapId, valueSize, id, 0, 0);
    }

    public static RegState btfPtr(BtfObject btf, int btfId, int flags, int id, int refObjId) {
        return knownZeroPtr(RegType.PTR_TO_BTF_ID, flags, 0, btf, btfId, 0, id, refObjId, 0);
    }

    /**
     * PTR_TO_MEM | {@code flags} (MEM_RDONLY, PTR_MAYBE_NULL) of {@code memSize} bytes:
     * mark_reg_known_zero() (offset 0, var_off and bounds 0, id and ref_obj_id 0), then
     * {@code reg->type} and {@code reg->mem_size} set, as check_ld_imm() does for a ksym
     * ({@code aux->btf_var}) and check_helper_call() for RET_PTR_TO_MEM_OR_BTF_ID of a
     * non-struct. A maybe-null one gets its id from the caller ({@link #withId}).
     */
    public static RegState ptrToMem(int flags, int memSize) {
        return knownZeroPtr(RegType.PTR_TO_MEM, flags, 0, null, 0, memSize, 0, 0, 0);
    }

    public boolean isScalar() {
        return type == RegType.SCALAR_VALUE;
    }

    public boolean isPointer() {
        return type != RegType.SCALAR_VALUE && type != RegType.NOT_INIT;
    }

    public boolean isConst() {
        return type == RegType.SCALAR_VALUE && var.isConst();
    }

    /** Models tnum_is_const(reg->var_off) with the bounds agreeing (a constant the kernel trusts). */
    public boolean isKnown() {
        return var.isConst() && smin == smax && umin == umax;
    }

    /** Models register_is_null(): a scalar known to be 0. */
    public boolean isNull() {
        return isConst() && var.value() == 0;
    }

    public boolean maybeNull() {
        return (flags & PTR_MAYBE_NULL) != 0;
    }

    public RegState withType(RegType t, int newFlags) {
        return new RegState(t, newFlags, off, var, smin, smax, umin, umax, s32min, s32max, u32min, u32max, btf, btfId, memSize, id, refObjId, frameno, precise);
    }

    public RegState withFlags(int newFlags) {
        return new RegState(type, newFlags, off, var, smin, smax, umin, umax, s32min, s32max, u32min, u32max, btf, btfId, memSize, id, refObjId, frameno, precise);
    }

    /** The pointer at fixed offset {@code newOff}, its variable part (var_off and bounds) unchanged. */
    public RegState withOff(int newOff) {
        return new RegState(type, flags, newOff, var, smin, smax, umin, umax, s32min, s32max, u32min, u32max, btf, btfId,
                memSize, id, refObjId, frameno, precise);
    }

    /** This register with the variable part (var_off and the eight bounds) of {@code b}. */
    public RegState withBounds(RegBounds b) {
        return new RegState(type, flags, off, b.var, b.smin, b.smax, b.umin, b.umax, b.s32min, b.s32max, b.u32min,
                b.u32max, btf, btfId, memSize, id, refObjId, frameno, precise);
    }

    public RegState withId(int newId) {
        return new RegState(type, flags, off, var, smin, smax, umin, umax, s32min, s32max, u32min, u32max, btf, btfId, memSize, newId,
                refObjId, frameno, precise);
    }

    /** The register with the precise mark of {@code bpf_reg_state.precise}. */
    public RegState withPrecise(boolean p) {
        if (p == precise) {
            return this;
        }
        return new RegState(type, flags, off, var, smin, smax, umin, umax, s32min, s32max, u32min, u32max, btf, btfId, memSize, id,
                refObjId, frameno, p);
    }

    public RegState withRefObjId(int newRef) {
        return new RegState(type, flags, off, var, smin, smax, umin, umax, s32min, s32max, u32min, u32max, btf, btfId, memSize, id,
                newRef, frameno, precise);
    }

    /** Models reg_type_str(): "trusted_ptr_", "ptr_or_null_", "ctx", "fp", "scalar". */
    public String typeStr() {
        if (type == RegType.NOT_INIT) {
            return "?";
        }
        StringBuilder p = new StringBuilder();
        if ((flags & MEM_RDONLY) != 0) {
            p.append("rdonly_");
        }
        if ((flags & MEM_PERCPU) != 0) {
            p.append("percpu_");
        }
        if ((flags & PTR_UNTRUSTED) != 0) {
            p.append("untrusted_");
        }
        if ((flags & PTR_TRUSTED) != 0) {
            p.append("trusted_");
        }
        p.append(type.str);
        if ((flags & PTR_MAYBE_NULL) != 0) {
            p.append(type == RegType.PTR_TO_BTF_ID ? "or_null_" : "_or_null");
        }
        return p.toString();
    }
}
