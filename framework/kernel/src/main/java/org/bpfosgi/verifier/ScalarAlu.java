package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

/**
 * Models kernel/bpf/verifier.c (v6.12) adjust_scalar_min_max_vals() with
 * is_safe_to_compute_dst_reg_range() and the per-operation scalar(32)_min_max_*() functions:
 * the tnum and the eight bounds of {@code dst op= src}. DIV, MOD and shifts by a non-constant
 * or too large amount give an unknown scalar, without zero-extension even for ALU32. Also the
 * concrete semantics (RFC 9669) that the interpreter and the constant folding of the tests use.
 */
final class ScalarAlu {
    private ScalarAlu() {
    }

    /** Models is_safe_to_compute_dst_reg_range(). */
    static boolean isSafeToComputeDstRegRange(int op, boolean alu64, RegBounds src) {
        boolean srcIsConst;
        long bitness = alu64 ? 64 : 32;
        if (!alu64) {
            srcIsConst = src.var.subregIsConst() && src.s32min == src.s32max && src.u32min == src.u32max;
        } else {
            srcIsConst = src.var.isConst() && src.smin == src.smax && src.umin == src.umax;
        }
        return switch (op) {
            case BPF_ADD, BPF_SUB, BPF_AND, BPF_XOR, BPF_OR, BPF_MUL -> true;
            case BPF_LSH, BPF_RSH, BPF_ARSH -> srcIsConst && Long.compareUnsigned(src.umax, bitness) < 0;
            default -> false;
        };
    }

    /** Models adjust_scalar_min_max_vals(): {@code dst} is updated in place. */
    static void adjustScalarMinMaxVals(int op, boolean alu64, RegBounds dst, RegBounds src) {
        if (!isSafeToComputeDstRegRange(op, alu64, src)) {
            dst.markUnknown();
            return;
        }
        boolean alu32 = !alu64;
        switch (op) {
            case BPF_ADD -> {
                scalar32MinMaxAdd(dst, src);
                scalarMinMaxAdd(dst, src);
                dst.var = dst.var.add(src.var);
            }
            case BPF_SUB -> {
                scalar32MinMaxSub(dst, src);
                scalarMinMaxSub(dst, src);
                dst.var = dst.var.sub(src.var);
            }
            case BPF_MUL -> {
                dst.var = dst.var.mul(src.var);
                scalar32MinMaxMul(dst, src);
                scalarMinMaxMul(dst, src);
            }
            case BPF_AND -> {
                dst.var = dst.var.and(src.var);
                scalar32MinMaxAnd(dst, src);
                scalarMinMaxAnd(dst, src);
            }
            case BPF_OR -> {
                dst.var = dst.var.or(src.var);
                scalar32MinMaxOr(dst, src);
                scalarMinMaxOr(dst, src);
            }
            case BPF_XOR -> {
                dst.var = dst.var.xor(src.var);
                scalar32MinMaxXor(dst, src);
                scalarMinMaxXor(dst, src);
            }
            case BPF_LSH -> {
                if (alu32) {
                    scalar32MinMaxLsh(dst, src);
                } else {
                    scalarMinMaxLsh(dst, src);
                }
            }
            case BPF_RSH -> {
                if (alu32) {
                    scalar32MinMaxRsh(dst, src);
                } else {
                    scalarMinMaxRsh(dst, src);
                }
            }
            case BPF_ARSH -> {
                if (alu32) {
                    scalar32MinMaxArsh(dst, src);
                } else {
                    scalarMinMaxArsh(dst, src);
                }
            }
            default -> {
            }
        }
        if (alu32) {
            dst.zext32To64();
        }
        dst.regBoundsSync();
    }

    private static boolean addOverflows32(int a, int b) {
        int r = a + b;
        return ((a ^ r) & (b ^ r)) < 0;
    }

    private static boolean subOverflows32(int a, int b) {
        int r = a - b;
        return ((a ^ b) & (a ^ r)) < 0;
    }

    private static boolean addOverflows64(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0;
    }

    private static boolean subOverflows64(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0;
    }

    /** Models scalar32_min_max_add(). */
    static void scalar32MinMaxAdd(RegBounds d, RegBounds s) {
        if (addOverflows32(d.s32min, s.s32min) || addOverflows32(d.s32max, s.s32max)) {
            d.s32min = RegBounds.S32_MIN;
            d.s32max = RegBounds.S32_MAX;
        } else {
            d.s32min += s.s32min;
            d.s32max += s.s32max;
        }
        // check_add_overflow() on u32: a carry out
        if (Integer.compareUnsigned(d.u32min + s.u32min, d.u32min) < 0
                || Integer.compareUnsigned(d.u32max + s.u32max, d.u32max) < 0) {
            d.u32min = 0;
            d.u32max = RegBounds.U32_MAX;
        } else {
            d.u32min += s.u32min;
            d.u32max += s.u32max;
        }
    }

    /** Models scalar_min_max_add(). */
    static void scalarMinMaxAdd(RegBounds d, RegBounds s) {
        if (addOverflows64(d.smin, s.smin) || addOverflows64(d.smax, s.smax)) {
            d.smin = RegBounds.S64_MIN;
            d.smax = RegBounds.S64_MAX;
        } else {
            d.smin += s.smin;
            d.smax += s.smax;
        }
        if (Long.compareUnsigned(d.umin + s.umin, d.umin) < 0 || Long.compareUnsigned(d.umax + s.umax, d.umax) < 0) {
            d.umin = 0;
            d.umax = RegBounds.U64_MAX;
        } else {
            d.umin += s.umin;
            d.umax += s.umax;
        }
    }

    /** Models scalar32_min_max_sub(). */
    static void scalar32MinMaxSub(RegBounds d, RegBounds s) {
        if (subOverflows32(d.s32min, s.s32max) || subOverflows32(d.s32max, s.s32min)) {
            d.s32min = RegBounds.S32_MIN;
            d.s32max = RegBounds.S32_MAX;
        } else {
            d.s32min -= s.s32max;
            d.s32max -= s.s32min;
        }
        if (RegBounds.ult32(d.u32min, s.u32max)) {
            d.u32min = 0;
            d.u32max = RegBounds.U32_MAX;
        } else {
            d.u32min -= s.u32max;
            d.u32max -= s.u32min;
        }
    }

    /** Models scalar_min_max_sub(). */
    static void scalarMinMaxSub(RegBounds d, RegBounds s) {
        if (subOverflows64(d.smin, s.smax) || subOverflows64(d.smax, s.smin)) {
            d.smin = RegBounds.S64_MIN;
            d.smax = RegBounds.S64_MAX;
        } else {
            d.smin -= s.smax;
            d.smax -= s.smin;
        }
        if (RegBounds.ult(d.umin, s.umax)) {
            d.umin = 0;
            d.umax = RegBounds.U64_MAX;
        } else {
            d.umin -= s.umax;
            d.umax -= s.umin;
        }
    }

    /** Models scalar32_min_max_mul() (v6.12: both signed minima must be non-negative). */
    static void scalar32MinMaxMul(RegBounds d, RegBounds s) {
        if (s.s32min < 0 || d.s32min < 0) {
            d.mark32Unbounded();
            return;
        }
        if (Integer.compareUnsigned(s.u32max, 0xffff) > 0 || Integer.compareUnsigned(d.u32max, 0xffff) > 0) {
            d.mark32Unbounded();
            return;
        }
        d.u32min *= s.u32min;
        d.u32max *= s.u32max;
        if (Integer.compareUnsigned(d.u32max, RegBounds.S32_MAX) > 0) {
            d.s32min = RegBounds.S32_MIN;
            d.s32max = RegBounds.S32_MAX;
        } else {
            d.s32min = d.u32min;
            d.s32max = d.u32max;
        }
    }

    /** Models scalar_min_max_mul() (v6.12). */
    static void scalarMinMaxMul(RegBounds d, RegBounds s) {
        if (s.smin < 0 || d.smin < 0) {
            d.mark64Unbounded();
            return;
        }
        if (Long.compareUnsigned(s.umax, 0xffffffffL) > 0 || Long.compareUnsigned(d.umax, 0xffffffffL) > 0) {
            d.mark64Unbounded();
            return;
        }
        d.umin *= s.umin;
        d.umax *= s.umax;
        if (Long.compareUnsigned(d.umax, RegBounds.S64_MAX) > 0) {
            d.smin = RegBounds.S64_MIN;
            d.smax = RegBounds.S64_MAX;
        } else {
            d.smin = d.umin;
            d.smax = d.umax;
        }
    }

    private static void signed32FromUnsigned(RegBounds d) {
        if (d.u32min <= d.u32max) {
            d.s32min = d.u32min;
            d.s32max = d.u32max;
        } else {
            d.s32min = RegBounds.S32_MIN;
            d.s32max = RegBounds.S32_MAX;
        }
    }

    private static void signed64FromUnsigned(RegBounds d) {
        if (d.umin <= d.umax) {
            d.smin = d.umin;
            d.smax = d.umax;
        } else {
            d.smin = RegBounds.S64_MIN;
            d.smax = RegBounds.S64_MAX;
        }
    }

    /** Models scalar32_min_max_and(). */
    static void scalar32MinMaxAnd(RegBounds d, RegBounds s) {
        Tnum v32 = d.var.subreg();
        if (s.var.subregIsConst() && d.var.subregIsConst()) {
            d.mark32Known(v32.value());
            return;
        }
        d.u32min = (int) v32.value();
        d.u32max = RegBounds.umin32(d.u32max, s.u32max);
        signed32FromUnsigned(d);
    }

    /** Models scalar_min_max_and(). */
    static void scalarMinMaxAnd(RegBounds d, RegBounds s) {
        if (s.var.isConst() && d.var.isConst()) {
            d.markKnown(d.var.value());
            return;
        }
        d.umin = d.var.value();
        d.umax = RegBounds.uminOf(d.umax, s.umax);
        signed64FromUnsigned(d);
        d.updateBounds();
    }

    /** Models scalar32_min_max_or(). */
    static void scalar32MinMaxOr(RegBounds d, RegBounds s) {
        Tnum v32 = d.var.subreg();
        if (s.var.subregIsConst() && d.var.subregIsConst()) {
            d.mark32Known(v32.value());
            return;
        }
        d.u32min = RegBounds.umax32(d.u32min, s.u32min);
        d.u32max = (int) (v32.value() | v32.mask());
        signed32FromUnsigned(d);
    }

    /** Models scalar_min_max_or(). */
    static void scalarMinMaxOr(RegBounds d, RegBounds s) {
        if (s.var.isConst() && d.var.isConst()) {
            d.markKnown(d.var.value());
            return;
        }
        d.umin = RegBounds.umaxOf(d.umin, s.umin);
        d.umax = d.var.value() | d.var.mask();
        signed64FromUnsigned(d);
        d.updateBounds();
    }

    /** Models scalar32_min_max_xor(). */
    static void scalar32MinMaxXor(RegBounds d, RegBounds s) {
        Tnum v32 = d.var.subreg();
        if (s.var.subregIsConst() && d.var.subregIsConst()) {
            d.mark32Known(v32.value());
            return;
        }
        d.u32min = (int) v32.value();
        d.u32max = (int) (v32.value() | v32.mask());
        signed32FromUnsigned(d);
    }

    /** Models scalar_min_max_xor(). */
    static void scalarMinMaxXor(RegBounds d, RegBounds s) {
        if (s.var.isConst() && d.var.isConst()) {
            d.markKnown(d.var.value());
            return;
        }
        d.umin = d.var.value();
        d.umax = d.var.value() | d.var.mask();
        signed64FromUnsigned(d);
        d.updateBounds();
    }

    /** Models __scalar32_min_max_lsh(). */
    private static void scalar32MinMaxLshInner(RegBounds d, long uminVal, long umaxVal) {
        d.s32min = RegBounds.S32_MIN;
        d.s32max = RegBounds.S32_MAX;
        if (Long.compareUnsigned(umaxVal, 31) > 0 || Long.compareUnsigned(d.u32max & 0xffffffffL, 1L << (31 - umaxVal)) > 0) {
            d.u32min = 0;
            d.u32max = RegBounds.U32_MAX;
        } else {
            d.u32min <<= uminVal;
            d.u32max <<= umaxVal;
        }
    }

    /** Models scalar32_min_max_lsh(). */
    static void scalar32MinMaxLsh(RegBounds d, RegBounds s) {
        long umaxVal = s.u32max & 0xffffffffL;
        long uminVal = s.u32min & 0xffffffffL;
        Tnum subreg = d.var.subreg();
        scalar32MinMaxLshInner(d, uminVal, umaxVal);
        d.var = subreg.lshift((int) uminVal).subreg();
        d.mark64Unbounded();
        d.update32Bounds();
    }

    /** Models __scalar64_min_max_lsh(). */
    private static void scalar64MinMaxLshInner(RegBounds d, long uminVal, long umaxVal) {
        if (uminVal == 32 && umaxVal == 32 && d.s32max >= 0) {
            d.smax = (long) d.s32max << 32;
        } else {
            d.smax = RegBounds.S64_MAX;
        }
        if (uminVal == 32 && umaxVal == 32 && d.s32min >= 0) {
            d.smin = (long) d.s32min << 32;
        } else {
            d.smin = RegBounds.S64_MIN;
        }
        if (Long.compareUnsigned(d.umax, 1L << (63 - umaxVal)) > 0) {
            d.umin = 0;
            d.umax = RegBounds.U64_MAX;
        } else {
            d.umin <<= uminVal;
            d.umax <<= umaxVal;
        }
    }

    /** Models scalar_min_max_lsh(). */
    static void scalarMinMaxLsh(RegBounds d, RegBounds s) {
        long umaxVal = s.umax;
        long uminVal = s.umin;
        scalar64MinMaxLshInner(d, uminVal, umaxVal);
        scalar32MinMaxLshInner(d, uminVal, umaxVal);
        d.var = d.var.lshift((int) uminVal);
        d.updateBounds();
    }

    /** Models scalar32_min_max_rsh(). */
    static void scalar32MinMaxRsh(RegBounds d, RegBounds s) {
        Tnum subreg = d.var.subreg();
        int umaxVal = s.u32max;
        int uminVal = s.u32min;
        d.s32min = RegBounds.S32_MIN;
        d.s32max = RegBounds.S32_MAX;
        d.var = subreg.rshift(uminVal);
        d.u32min >>>= umaxVal;
        d.u32max >>>= uminVal;
        d.mark64Unbounded();
        d.update32Bounds();
    }

    /** Models scalar_min_max_rsh(). */
    static void scalarMinMaxRsh(RegBounds d, RegBounds s) {
        long umaxVal = s.umax;
        long uminVal = s.umin;
        d.smin = RegBounds.S64_MIN;
        d.smax = RegBounds.S64_MAX;
        d.var = d.var.rshift((int) uminVal);
        d.umin >>>= umaxVal;
        d.umax >>>= uminVal;
        d.mark32Unbounded();
        d.updateBounds();
    }

    /** Models scalar32_min_max_arsh(). */
    static void scalar32MinMaxArsh(RegBounds d, RegBounds s) {
        int uminVal = s.u32min;
        d.s32min = d.s32min >> uminVal;
        d.s32max = d.s32max >> uminVal;
        d.var = d.var.subreg().arshift32(uminVal);
        d.u32min = 0;
        d.u32max = RegBounds.U32_MAX;
        d.mark64Unbounded();
        d.update32Bounds();
    }

    /** Models scalar_min_max_arsh(). */
    static void scalarMinMaxArsh(RegBounds d, RegBounds s) {
        long uminVal = s.umin;
        d.smin >>= uminVal;
        d.smax >>= uminVal;
        d.var = d.var.arshift((int) uminVal);
        d.umin = 0;
        d.umax = RegBounds.U64_MAX;
        d.mark32Unbounded();
        d.updateBounds();
    }

    /** Concrete evaluation, exactly as the interpreter computes it. */
    static long eval(int op, long a, long b, boolean is64, int off) {
        if (!is64) {
            int x = (int) a;
            int y = (int) b;
            int r = switch (op) {
                case BPF_ADD -> x + y;
                case BPF_SUB -> x - y;
                case BPF_MUL -> x * y;
                case BPF_DIV -> y == 0 ? 0 : off == 1 ? (y == -1 ? -x : x / y) : Integer.divideUnsigned(x, y);
                case BPF_MOD -> y == 0 ? x : off == 1 ? (y == -1 ? 0 : x % y) : Integer.remainderUnsigned(x, y);
                case BPF_OR -> x | y;
                case BPF_AND -> x & y;
                case BPF_XOR -> x ^ y;
                case BPF_LSH -> x << (y & 31);
                case BPF_RSH -> x >>> (y & 31);
                case BPF_ARSH -> x >> (y & 31);
                case BPF_MOV -> y;
                case BPF_NEG -> -x;
                default -> 0;
            };
            return r & 0xffffffffL;
        }
        return switch (op) {
            case BPF_ADD -> a + b;
            case BPF_SUB -> a - b;
            case BPF_MUL -> a * b;
            case BPF_DIV -> b == 0 ? 0 : off == 1 ? (b == -1 ? -a : a / b) : Long.divideUnsigned(a, b);
            case BPF_MOD -> b == 0 ? a : off == 1 ? (b == -1 ? 0 : a % b) : Long.remainderUnsigned(a, b);
            case BPF_OR -> a | b;
            case BPF_AND -> a & b;
            case BPF_XOR -> a ^ b;
            case BPF_LSH -> a << (b & 63);
            case BPF_RSH -> a >>> (b & 63);
            case BPF_ARSH -> a >> (b & 63);
            case BPF_MOV -> b;
            case BPF_NEG -> -a;
            default -> 0;
        };
    }

    /** BPF_END: to_le/to_be (ALU) or bswap (ALU64) of width {@code bits}, on a little-endian host. */
    static long endian(long v, int bits, boolean toBe, boolean alu64) {
        boolean swap = alu64 || toBe;
        return switch (bits) {
            case 16 -> swap ? Short.toUnsignedLong(Short.reverseBytes((short) v)) : v & 0xffffL;
            case 32 -> swap ? Integer.toUnsignedLong(Integer.reverseBytes((int) v)) : v & 0xffffffffL;
            default -> swap ? Long.reverseBytes(v) : v;
        };
    }

    /** Sign-extension of the low {@code bits} bits (movsx, ldsx). */
    static long sext(long v, int bits) {
        int sh = 64 - bits;
        return (v << sh) >> sh;
    }

    /** Models coerce_reg_to_size(): the value of a {@code size}-byte load, zero-extended. */
    static Tnum coerce(Tnum t, int size) {
        if (size >= 8) {
            return t;
        }
        long m = (1L << (size * 8)) - 1;
        return new Tnum(t.value() & m, t.mask() & m);
    }
}
