package org.bpfosgi.verifier;

/**
 * The variable part of {@code struct bpf_reg_state} while an instruction works on it: {@code var_off}
 * and the eight bounds, mutable as the kernel's fields are, with the kernel's helpers of
 * kernel/bpf/verifier.c (v6.12) named after them: ___mark_reg_known(), __mark_reg32_known(),
 * __mark_reg_unbounded() and its 32/64 halves, __update_reg_bounds(), __reg_deduce_bounds(),
 * __reg_bound_offset(), reg_bounds_sync(), zext_32_to_64(), coerce_reg_to_size() and the
 * sign-extending coercions. u64/u32 values are held in long/int and compared unsigned.
 */
public final class RegBounds {
    static final long S64_MIN = Long.MIN_VALUE;
    static final long S64_MAX = Long.MAX_VALUE;
    static final long U64_MAX = -1L;
    static final int S32_MIN = Integer.MIN_VALUE;
    static final int S32_MAX = Integer.MAX_VALUE;
    static final int U32_MAX = -1;

    Tnum var = Tnum.UNKNOWN;
    long smin = S64_MIN;
    long smax = S64_MAX;
    long umin = 0;
    long umax = U64_MAX;
    int s32min = S32_MIN;
    int s32max = S32_MAX;
    int u32min = 0;
    int u32max = U32_MAX;

    RegBounds() {
    }

    /** A completely unknown scalar (__mark_reg_unknown()'s bounds). */
    static RegBounds unknown() {
        return new RegBounds();
    }

    /** The variable part of {@code r}. */
    static RegBounds of(RegState r) {
        return new RegBounds().load(r);
    }

    /**
     * This object, now holding the variable part of {@code r}: lets a hot path (a conditional
     * jump, an ALU op) reuse scratch bounds instead of allocating them per instruction.
     */
    RegBounds load(RegState r) {
        var = r.var();
        smin = r.smin();
        smax = r.smax();
        umin = r.umin();
        umax = r.umax();
        s32min = r.s32min();
        s32max = r.s32max();
        u32min = r.u32min();
        u32max = r.u32max();
        return this;
    }

    /** A SCALAR_VALUE register with these bounds (no id). */
    RegState toScalar() {
        return RegState.UNKNOWN_SCALAR.withBounds(this);
    }

    // ------------------------------------------------------------------ unsigned helpers

    static long umaxOf(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    static long uminOf(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    static int umax32(int a, int b) {
        return Integer.compareUnsigned(a, b) >= 0 ? a : b;
    }

    static int umin32(int a, int b) {
        return Integer.compareUnsigned(a, b) <= 0 ? a : b;
    }

    static boolean ule(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0;
    }

    static boolean ult(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    static boolean ule32(int a, int b) {
        return Integer.compareUnsigned(a, b) <= 0;
    }

    static boolean ult32(int a, int b) {
        return Integer.compareUnsigned(a, b) < 0;
    }

    // ------------------------------------------------------------------ constructors

    /** Models ___mark_reg_known(). */
    void markKnown(long v) {
        var = Tnum.constant(v);
        smin = v;
        smax = v;
        umin = v;
        umax = v;
        s32min = (int) v;
        s32max = (int) v;
        u32min = (int) v;
        u32max = (int) v;
    }

    /** Models __mark_reg32_known(). */
    void mark32Known(long v) {
        var = var.constSubreg(v);
        s32min = (int) v;
        s32max = (int) v;
        u32min = (int) v;
        u32max = (int) v;
    }

    /** Models __mark_reg_unbounded(). */
    void markUnbounded() {
        mark64Unbounded();
        mark32Unbounded();
    }

    /** Models __mark_reg64_unbounded(). */
    void mark64Unbounded() {
        smin = S64_MIN;
        smax = S64_MAX;
        umin = 0;
        umax = U64_MAX;
    }

    /** Models __mark_reg32_unbounded(). */
    void mark32Unbounded() {
        s32min = S32_MIN;
        s32max = S32_MAX;
        u32min = 0;
        u32max = U32_MAX;
    }

    /** Models __mark_reg_unknown()'s variable part. */
    void markUnknown() {
        var = Tnum.UNKNOWN;
        markUnbounded();
    }

    // ------------------------------------------------------------------ reg_bounds_sync()

    /** Models __update_reg32_bounds(). */
    void update32Bounds() {
        // var_off's subregister (tnum_subreg()), its low 32 bits
        int v = (int) var.value();
        int m = (int) var.mask();
        s32min = Math.max(s32min, v | (m & S32_MIN));
        s32max = Math.min(s32max, v | (m & S32_MAX));
        u32min = umax32(u32min, v);
        u32max = umin32(u32max, v | m);
    }

    /** Models __update_reg64_bounds(). */
    void update64Bounds() {
        smin = Math.max(smin, var.value() | (var.mask() & S64_MIN));
        smax = Math.min(smax, var.value() | (var.mask() & S64_MAX));
        umin = umaxOf(umin, var.value());
        umax = uminOf(umax, var.value() | var.mask());
    }

    /** Models __update_reg_bounds(). */
    void updateBounds() {
        update32Bounds();
        update64Bounds();
    }

    /** Models __reg32_deduce_bounds() (v6.12). */
    void reg32DeduceBounds() {
        if ((umin >>> 32) == (umax >>> 32)) {
            u32min = umax32(u32min, (int) umin);
            u32max = umin32(u32max, (int) umax);
            if ((int) umin <= (int) umax) {
                s32min = Math.max(s32min, (int) umin);
                s32max = Math.min(s32max, (int) umax);
            }
        }
        if ((smin >> 32) == (smax >> 32)) {
            if (ule32((int) smin, (int) smax)) {
                u32min = umax32(u32min, (int) smin);
                u32max = umin32(u32max, (int) smax);
            }
            if ((int) smin <= (int) smax) {
                s32min = Math.max(s32min, (int) smin);
                s32max = Math.min(s32max, (int) smax);
            }
        }
        if ((int) (umin >>> 32) + 1 == (int) (umax >>> 32) && (int) umin < 0 && (int) umax >= 0) {
            s32min = Math.max(s32min, (int) umin);
            s32max = Math.min(s32max, (int) umax);
        }
        if ((int) (smin >>> 32) + 1 == (int) (smax >>> 32) && (int) smin < 0 && (int) smax >= 0) {
            s32min = Math.max(s32min, (int) smin);
            s32max = Math.min(s32max, (int) smax);
        }
        if (u32min <= u32max) {
            // (s32)u32_min <= (s32)u32_max
            s32min = Math.max(s32min, u32min);
            s32max = Math.min(s32max, u32max);
        }
        if (ule32(s32min, s32max)) {
            u32min = umax32(s32min, u32min);
            u32max = umin32(s32max, u32max);
        }
    }

    /** Models __reg64_deduce_bounds() (v6.12: nothing across the sign boundary). */
    void reg64DeduceBounds() {
        if (umin <= umax) {
            // (s64)umin <= (s64)umax
            smin = Math.max(smin, umin);
            smax = Math.min(smax, umax);
        }
        if (ule(smin, smax)) {
            umin = umaxOf(smin, umin);
            umax = uminOf(smax, umax);
        }
    }

    /** Models __reg_deduce_mixed_bounds(). */
    void regDeduceMixedBounds() {
        long hi = ~0xffffffffL;
        long nUmin = (umin & hi) | (u32min & 0xffffffffL);
        long nUmax = (umax & hi) | (u32max & 0xffffffffL);
        umin = umaxOf(umin, nUmin);
        umax = uminOf(umax, nUmax);
        long nSmin = (smin & hi) | (u32min & 0xffffffffL);
        long nSmax = (smax & hi) | (u32max & 0xffffffffL);
        smin = Math.max(smin, nSmin);
        smax = Math.min(smax, nSmax);
        if (ule32(s32min, s32max)) {
            nUmin = (umin & hi) | (s32min & 0xffffffffL);
            nUmax = (umax & hi) | (s32max & 0xffffffffL);
            umin = umaxOf(umin, nUmin);
            umax = uminOf(umax, nUmax);
            nSmin = (smin & hi) | (s32min & 0xffffffffL);
            nSmax = (smax & hi) | (s32max & 0xffffffffL);
            smin = Math.max(smin, nSmin);
            smax = Math.min(smax, nSmax);
        }
        if (s32min >= 0 && smin >= S32_MIN && smax <= S32_MAX) {
            smin = s32min;
            smax = s32max;
            umin = s32min;
            umax = s32max;
            // var_off = tnum_intersect(var_off, tnum_range(smin, smax))
            long rm = rangeMask(smin, smax);
            setVar(intersectValue(var.value(), var.mask(), smin & ~rm, rm), var.mask() & rm);
        }
    }

    /*
     * The tnum operations of reg_bounds_sync() on (value, mask) pairs, so that syncing, which
     * every ALU op and both sides of every branch do, builds at most one Tnum. Each is the tnum.c
     * function named, and keeps a tnum canonical (value & mask == 0) as the kernel's do.
     */

    /** tnum_range(min, max)'s mask ({@code min & ~mask} is its value); all ones: unknown. */
    private static long rangeMask(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi);
        return bits > 63 ? -1L : (1L << bits) - 1;
    }

    /** tnum_intersect()'s value: {@code (av | bv) & ~(am & bm)}. */
    private static long intersectValue(long av, long am, long bv, long bm) {
        return (av | bv) & ~(am & bm);
    }

    /** var_off = (value, mask), reusing the Tnum when nothing changed. */
    private void setVar(long value, long mask) {
        if (value != var.value() || mask != var.mask()) {
            var = new Tnum(value, mask);
        }
    }

    /** Models __reg_deduce_bounds(). */
    void regDeduceBounds() {
        reg32DeduceBounds();
        reg64DeduceBounds();
        regDeduceMixedBounds();
    }

    /** Models __reg_bound_offset(). */
    void regBoundOffset() {
        // var64_off = tnum_intersect(reg->var_off, tnum_range(reg->umin_value, reg->umax_value))
        long rm = rangeMask(umin, umax);
        long m64 = var.mask() & rm;
        long v64 = intersectValue(var.value(), var.mask(), umin & ~rm, rm);
        // var32_off = tnum_intersect(tnum_subreg(var64_off), tnum_range(reg->u32_min_value, reg->u32_max_value))
        long lo = u32min & 0xffffffffL;
        long rm32 = rangeMask(lo, u32max & 0xffffffffL);
        long m32 = m64 & 0xffffffffL & rm32;
        long v32 = intersectValue(v64 & 0xffffffffL, m64 & 0xffffffffL, lo & ~rm32, rm32);
        // reg->var_off = tnum_or(tnum_clear_subreg(var64_off), var32_off)
        long v = (v64 & ~0xffffffffL) | v32;
        long m = (m64 & ~0xffffffffL) | m32;
        setVar(v, m & ~v);
    }

    /** Models reg_bounds_sync() (v6.12: __reg_deduce_bounds() twice). */
    void regBoundsSync() {
        updateBounds();
        regDeduceBounds();
        regDeduceBounds();
        regBoundOffset();
        updateBounds();
    }

    /**
     * Models reg_bounds_sanity_check() for a scalar: the message, or null when the bounds are
     * consistent.
     */
    String sanityViolation() {
        return sanityViolation(var, smin, smax, umin, umax, s32min, s32max, u32min, u32max);
    }

    /** {@link #sanityViolation()} of a register's bounds, read in place. */
    static String sanityViolation(RegState r) {
        return sanityViolation(r.var(), r.smin(), r.smax(), r.umin(), r.umax(), r.s32min(), r.s32max(), r.u32min(),
                r.u32max());
    }

    private static String sanityViolation(Tnum var, long smin, long smax, long umin, long umax, int s32min, int s32max,
                                          int u32min, int u32max) {
        if (Long.compareUnsigned(umin, umax) > 0 || smin > smax || Integer.compareUnsigned(u32min, u32max) > 0
                || s32min > s32max) {
            return "range bounds violation";
        }
        if (var.isConst()) {
            long uval = var.value();
            long sval = var.value();
            if (umin != uval || umax != uval || smin != sval || smax != sval) {
                return "const tnum out of sync with range bounds";
            }
        }
        if (var.subregIsConst()) {
            int uval32 = (int) var.value();
            if (u32min != uval32 || u32max != uval32 || s32min != uval32 || s32max != uval32) {
                return "const subreg tnum out of sync with range bounds";
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ extensions

    /** Models __reg_assign_32_into_64(). */
    void regAssign32Into64() {
        umin = u32min & 0xffffffffL;
        umax = u32max & 0xffffffffL;
        if (s32min >= 0 && s32max >= 0) {
            smin = s32min;
            smax = s32max;
        } else {
            smin = 0;
            smax = 0xffffffffL;
        }
    }

    /** Models zext_32_to_64(). */
    void zext32To64() {
        var = var.subreg();
        regAssign32Into64();
    }

    /** Models coerce_reg_to_size() (set_sext... not: the zero-extending one). */
    void coerceRegToSize(int size) {
        if (size >= 8) {
            return;
        }
        var = var.cast(size);
        long mask = (1L << (size * 8)) - 1;
        if ((umin & ~mask) == (umax & ~mask)) {
            umin &= mask;
            umax &= mask;
        } else {
            umin = 0;
            umax = mask;
        }
        smin = umin;
        smax = umax;
        if (size < 4) {
            mark32Unbounded();
        }
        regBoundsSync();
    }

    /** Models set_sext64_default_val(). */
    private void setSext64DefaultVal(int size) {
        if (size == 1) {
            smin = Byte.MIN_VALUE;
            smax = Byte.MAX_VALUE;
            s32min = Byte.MIN_VALUE;
            s32max = Byte.MAX_VALUE;
        } else if (size == 2) {
            smin = Short.MIN_VALUE;
            smax = Short.MAX_VALUE;
            s32min = Short.MIN_VALUE;
            s32max = Short.MAX_VALUE;
        } else {
            smin = S32_MIN;
            smax = S32_MAX;
            s32min = S32_MIN;
            s32max = S32_MAX;
        }
        umin = 0;
        u32min = 0;
        umax = U64_MAX;
        u32max = U32_MAX;
        var = Tnum.UNKNOWN;
    }

    /** Models coerce_reg_to_size_sx(). */
    void coerceRegToSizeSx(int size) {
        if (var.isConst()) {
            long u = ScalarAlu.sext(var.value(), size * 8);
            markKnown(u);
            return;
        }
        long topSmaxValue = smax >>> (size * 8);
        long topSminValue = smin >>> (size * 8);
        if (topSmaxValue != topSminValue) {
            setSext64DefaultVal(size);
            return;
        }
        long initSmax = ScalarAlu.sext(smax, size * 8);
        long initSmin = ScalarAlu.sext(smin, size * 8);
        long sMax = Math.max(initSmax, initSmin);
        long sMin = Math.min(initSmax, initSmin);
        if ((sMax >= 0 && sMin >= 0) || (sMax < 0 && sMin < 0)) {
            smin = sMin;
            smax = sMax;
            umin = sMin;
            umax = sMax;
            s32min = (int) sMin;
            s32max = (int) sMax;
            u32min = (int) sMin;
            u32max = (int) sMax;
            var = Tnum.range(sMin, sMax);
            return;
        }
        setSext64DefaultVal(size);
    }

    /** Models set_sext32_default_val(). */
    private void setSext32DefaultVal(int size) {
        if (size == 1) {
            s32min = Byte.MIN_VALUE;
            s32max = Byte.MAX_VALUE;
        } else {
            s32min = Short.MIN_VALUE;
            s32max = Short.MAX_VALUE;
        }
        u32min = 0;
        u32max = U32_MAX;
        var = Tnum.UNKNOWN.subreg();
    }

    /** Models coerce_subreg_to_size_sx(). */
    void coerceSubregToSizeSx(int size) {
        if (var.isConst()) {
            int u32val = (int) ScalarAlu.sext(var.value(), size * 8);
            var = Tnum.constant(u32val);
            s32min = u32val;
            s32max = u32val;
            u32min = u32val;
            u32max = u32val;
            return;
        }
        int topSmax = s32max >>> (size * 8);
        int topSmin = s32min >>> (size * 8);
        if (topSmax != topSmin) {
            setSext32DefaultVal(size);
            return;
        }
        int initSmax = (int) ScalarAlu.sext(s32max, size * 8);
        int initSmin = (int) ScalarAlu.sext(s32min, size * 8);
        int sMax = Math.max(initSmax, initSmin);
        int sMin = Math.min(initSmax, initSmin);
        if ((sMax >= 0 && sMin >= 0) || (sMax < 0 && sMin < 0)) {
            s32min = sMin;
            s32max = sMax;
            u32min = sMin;
            u32max = sMax;
            var = Tnum.range(sMin, sMax).subreg();
            return;
        }
        setSext32DefaultVal(size);
    }
}
