package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

/**
 * Models kernel/bpf/verifier.c adjust_scalar_min_max_vals() for the value the model tracks
 * today (a tnum): known constants fold exactly, with the instruction set's semantics (RFC 9669:
 * division by zero gives 0, modulo by zero leaves dst; shifts are masked); other operations use
 * the tnum operations where the kernel has one and give an unknown scalar otherwise. 32-bit
 * operations work on the low halves and zero-extend.
 */
final class ScalarAlu {
    private ScalarAlu() {
    }

    /** The result of {@code dst op= src}; {@code off} is the instruction's off (signed div/mod, movsx). */
    static Tnum apply(int op, Tnum dst, Tnum src, boolean is64, int off) {
        if (!is64) {
            dst = dst.subreg();
            src = src.subreg();
        }
        if (dst.isConst() && src.isConst()) {
            return Tnum.constant(eval(op, dst.value(), src.value(), is64, off));
        }
        Tnum r;
        switch (op) {
            case BPF_ADD -> r = dst.add(src);
            case BPF_SUB -> r = dst.sub(src);
            case BPF_MUL -> r = dst.mul(src);
            case BPF_AND -> r = dst.and(src);
            case BPF_OR -> r = dst.or(src);
            case BPF_XOR -> r = dst.xor(src);
            case BPF_LSH -> r = src.isConst() ? dst.lshift((int) (src.value() & (is64 ? 63 : 31))) : Tnum.UNKNOWN;
            case BPF_RSH -> r = src.isConst() ? dst.rshift((int) (src.value() & (is64 ? 63 : 31))) : Tnum.UNKNOWN;
            case BPF_ARSH -> r = src.isConst() && is64 ? dst.arshift((int) (src.value() & 63)) : Tnum.UNKNOWN;
            default -> r = Tnum.UNKNOWN;
        }
        return is64 ? r : r.subreg();
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
