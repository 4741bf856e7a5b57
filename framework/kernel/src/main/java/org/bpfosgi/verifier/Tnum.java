package org.bpfosgi.verifier;

/**
 * Models kernel/bpf/tnum.c: a tracked number, {@code value} holds the known bits, {@code mask}
 * the unknown ones (a bit set in mask is unknown; value has it clear). The register's
 * {@code var_off}; its signed/unsigned ranges are in {@link RegState} / {@link RegBounds}.
 */
public record Tnum(long value, long mask) {
    public static final Tnum UNKNOWN = new Tnum(0, -1L);

    public Tnum {
        if ((value & mask) != 0) {
            value &= ~mask;
        }
    }

    /** Models tnum_const(). */
    public static Tnum constant(long v) {
        return new Tnum(v, 0);
    }

    /** Models tnum_is_const(). */
    public boolean isConst() {
        return mask == 0;
    }

    /** Models tnum_is_unknown(). */
    public boolean isUnknown() {
        return mask == -1L;
    }

    /** Models tnum_equals_const(). */
    public boolean equalsConst(long v) {
        return mask == 0 && value == v;
    }

    /** Smallest unsigned value it can hold. */
    public long umin() {
        return value;
    }

    /** Largest unsigned value it can hold. */
    public long umax() {
        return value | mask;
    }

    /** Models tnum_add(). */
    public Tnum add(Tnum b) {
        long sm = mask + b.mask;
        long sv = value + b.value;
        long sigma = sm + sv;
        long chi = sigma ^ sv;
        long mu = chi | mask | b.mask;
        return new Tnum(sv & ~mu, mu);
    }

    /** Models tnum_sub(). */
    public Tnum sub(Tnum b) {
        long dv = value - b.value;
        long alpha = dv + mask;
        long beta = dv - b.mask;
        long chi = alpha ^ beta;
        long mu = chi | mask | b.mask;
        return new Tnum(dv & ~mu, mu);
    }

    /** Models tnum_and(). */
    public Tnum and(Tnum b) {
        long alpha = value | mask;
        long beta = b.value | b.mask;
        long v = value & b.value;
        return new Tnum(v, alpha & beta & ~v);
    }

    /** Models tnum_or(). */
    public Tnum or(Tnum b) {
        long v = value | b.value;
        long mu = mask | b.mask;
        return new Tnum(v, mu & ~v);
    }

    /** Models tnum_xor(). */
    public Tnum xor(Tnum b) {
        long v = value ^ b.value;
        long mu = mask | b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** Models tnum_lshift(). */
    public Tnum lshift(int shift) {
        return new Tnum(value << shift, mask << shift);
    }

    /** Models tnum_rshift(). */
    public Tnum rshift(int shift) {
        return new Tnum(value >>> shift, mask >>> shift);
    }

    /** Models tnum_arshift() for 64-bit. */
    public Tnum arshift(int shift) {
        return new Tnum(value >> shift, mask >> shift);
    }

    /** Models tnum_arshift(a, shift, 32): the low halves shifted as s32, zero-extended. */
    public Tnum arshift32(int shift) {
        return new Tnum(((int) value >> shift) & 0xffffffffL, ((int) mask >> shift) & 0xffffffffL);
    }

    /** Models tnum_range(min, max). */
    public static Tnum range(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi);
        if (bits > 63) {
            return UNKNOWN;
        }
        long delta = (1L << bits) - 1;
        return new Tnum(min & ~delta, delta);
    }

    /** Models tnum_intersect(). */
    public Tnum intersect(Tnum b) {
        long v = value | b.value;
        long mu = mask & b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** Models tnum_clear_subreg(). */
    public Tnum clearSubreg() {
        return rshift(32).lshift(32);
    }

    /** Models tnum_with_subreg(reg, subreg). */
    public Tnum withSubreg(Tnum sub) {
        return clearSubreg().or(sub.subreg());
    }

    /** Models tnum_const_subreg(). */
    public Tnum constSubreg(long v) {
        return withSubreg(constant(v & 0xffffffffL));
    }

    /** Models tnum_subreg_is_const(). */
    public boolean subregIsConst() {
        return (mask & 0xffffffffL) == 0;
    }

    /** Models tnum_cast(a, size). */
    public Tnum cast(int size) {
        if (size >= 8) {
            return this;
        }
        long m = (1L << (size * 8)) - 1;
        return new Tnum(value & m, mask & m);
    }

    /** Models tnum_is_aligned(). */
    public boolean isAligned(long size) {
        if (size == 0) {
            return true;
        }
        return ((value | mask) & (size - 1)) == 0;
    }

    /** Models tnum_mul() (the kernel's shift-and-add form). */
    public Tnum mul(Tnum b) {
        Tnum a = this;
        long accV = a.value * b.value;
        Tnum accM = new Tnum(0, 0);
        while (a.value != 0 || a.mask != 0) {
            if ((a.value & 1) != 0) {
                accM = accM.add(new Tnum(0, b.mask));
            } else if ((a.mask & 1) != 0) {
                accM = accM.add(new Tnum(0, b.value | b.mask));
            }
            a = a.rshift(1);
            b = b.lshift(1);
        }
        return new Tnum(accV, 0).add(accM);
    }

    /** Models tnum_subreg() / tnum_cast(.., 4): the low 32 bits, zero-extended. */
    public Tnum subreg() {
        return new Tnum(value & 0xffffffffL, mask & 0xffffffffL);
    }

    /** Models tnum_in(this, b): every value b can hold, this can hold too. */
    public boolean contains(Tnum b) {
        if ((b.mask & ~mask) != 0) {
            return false;
        }
        return (b.value & ~mask) == value;
    }

    /**
     * Models tnum_strn() of kernel/bpf/log.c (v6.12): a constant prints as {@code %llu} when
     * is_unum_decimal() (at most U16_MAX), else {@code %#llx}; otherwise "(0x0; 0x7)".
     */
    @Override
    public String toString() {
        if (mask == 0) {
            return Long.compareUnsigned(value, 0xffff) <= 0 ? Long.toString(value) : "0x" + Long.toHexString(value);
        }
        return "(0x" + Long.toHexString(value) + "; 0x" + Long.toHexString(mask) + ")";
    }
}
