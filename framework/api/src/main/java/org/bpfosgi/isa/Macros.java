package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's instruction macros (include/linux/filter.h, plus the ones tools/include/linux/filter.h
 * adds) as static factories, with the kernel's names and argument order, so that a prologue written
 * in C translates line by line: {@code BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 0)}.
 * Macros that expand to two slots ({@code BPF_LD_IMM64} and friends) return a two-element list.
 */
@ProviderType
@SuppressWarnings("checkstyle:MethodName")
public final class Macros {
    private Macros() {}

    /** {@code BPF_RAW_INSN(CODE, DST, SRC, OFF, IMM)}. */
    public static Insn BPF_RAW_INSN(int code, int dst, int src, int off, int imm) {
        return new Insn(code, dst, src, off, imm);
    }

    // ALU

    public static Insn BPF_ALU64_REG_OFF(int op, int dst, int src, int off) { return new Insn(BPF_ALU64 | BPF_OP(op) | BPF_X, dst, src, off, 0); }
    public static Insn BPF_ALU64_REG(int op, int dst, int src) { return BPF_ALU64_REG_OFF(op, dst, src, 0); }
    public static Insn BPF_ALU32_REG_OFF(int op, int dst, int src, int off) { return new Insn(BPF_ALU | BPF_OP(op) | BPF_X, dst, src, off, 0); }
    public static Insn BPF_ALU32_REG(int op, int dst, int src) { return BPF_ALU32_REG_OFF(op, dst, src, 0); }
    public static Insn BPF_ALU64_IMM_OFF(int op, int dst, int imm, int off) { return new Insn(BPF_ALU64 | BPF_OP(op) | BPF_K, dst, 0, off, imm); }
    public static Insn BPF_ALU64_IMM(int op, int dst, int imm) { return BPF_ALU64_IMM_OFF(op, dst, imm, 0); }
    public static Insn BPF_ALU32_IMM_OFF(int op, int dst, int imm, int off) { return new Insn(BPF_ALU | BPF_OP(op) | BPF_K, dst, 0, off, imm); }
    public static Insn BPF_ALU32_IMM(int op, int dst, int imm) { return BPF_ALU32_IMM_OFF(op, dst, imm, 0); }

    /** {@code BPF_ENDIAN(TYPE, DST, LEN)}: TYPE is BPF_TO_LE or BPF_TO_BE, LEN 16/32/64. */
    public static Insn BPF_ENDIAN(int type, int dst, int len) { return new Insn(BPF_ALU | BPF_END | BPF_SRC(type), dst, 0, 0, len); }
    /** {@code BPF_BSWAP(DST, LEN)}: the unconditional byte swap of cpu v4 (ALU64 END). */
    public static Insn BPF_BSWAP(int dst, int len) { return new Insn(BPF_ALU64 | BPF_END | BPF_TO_LE, dst, 0, 0, len); }

    public static Insn BPF_MOV64_REG(int dst, int src) { return new Insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
    /** include/linux/filter.h BPF_MOV64_PERCPU_REG: internal-only, dst = this CPU's copy of the per-cpu pointer src. */
    public static Insn BPF_MOV64_PERCPU_REG(int dst, int src) { return new Insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, BPF_ADDR_PERCPU, 0); }
    public static Insn BPF_MOV32_REG(int dst, int src) { return new Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
    public static Insn BPF_MOV64_IMM(int dst, int imm) { return new Insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
    public static Insn BPF_MOV32_IMM(int dst, int imm) { return new Insn(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, imm); }
    /** {@code BPF_MOVSX64_REG(DST, SRC, OFF)}: OFF is the source width in bits, 8/16/32. */
    public static Insn BPF_MOVSX64_REG(int dst, int src, int off) { return new Insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, off, 0); }
    public static Insn BPF_MOVSX32_REG(int dst, int src, int off) { return new Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, off, 0); }
    /** {@code BPF_ZEXT_REG(DST)}: the verifier's explicit zero extension (mov32 with imm 1). */
    public static Insn BPF_ZEXT_REG(int dst) { return new Insn(BPF_ALU | BPF_MOV | BPF_X, dst, dst, 0, 1); }
    public static Insn BPF_MOV64_RAW(int type, int dst, int src, int imm) { return new Insn(BPF_ALU64 | BPF_MOV | BPF_SRC(type), dst, src, 0, imm); }
    public static Insn BPF_MOV32_RAW(int type, int dst, int src, int imm) { return new Insn(BPF_ALU | BPF_MOV | BPF_SRC(type), dst, src, 0, imm); }

    // 64-bit immediates: two slots

    /** {@code BPF_LD_IMM64_RAW_FULL(DST, SRC, OFF1, OFF2, IMM1, IMM2)}. */
    public static List<Insn> BPF_LD_IMM64_RAW_FULL(int dst, int src, int off1, int off2, int imm1, int imm2) {
        return List.of(new Insn(BPF_LD | BPF_DW | BPF_IMM, dst, src, off1, imm1), new Insn(0, 0, 0, off2, imm2));
    }
    /** {@code BPF_LD_IMM64_RAW(DST, SRC, IMM)}. */
    public static List<Insn> BPF_LD_IMM64_RAW(int dst, int src, long imm) {
        return List.of(new Insn(BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, (int) imm), new Insn(0, 0, 0, 0, (int) (imm >>> 32)));
    }
    public static List<Insn> BPF_LD_IMM64(int dst, long imm) { return BPF_LD_IMM64_RAW(dst, 0, imm); }
    /** {@code BPF_LD_MAP_FD(DST, MAP_FD)}: ld_imm64 with src_reg BPF_PSEUDO_MAP_FD. */
    public static List<Insn> BPF_LD_MAP_FD(int dst, int mapFd) { return BPF_LD_IMM64_RAW(dst, BPF_PSEUDO_MAP_FD, mapFd & 0xffffffffL); }
    /** {@code BPF_LD_MAP_VALUE(DST, MAP_FD, VALUE_OFF)} (tools/include/linux/filter.h). */
    public static List<Insn> BPF_LD_MAP_VALUE(int dst, int mapFd, int valueOff) {
        return BPF_LD_IMM64_RAW_FULL(dst, BPF_PSEUDO_MAP_VALUE, 0, 0, mapFd, valueOff);
    }

    // Legacy packet access

    public static Insn BPF_LD_ABS(int size, int imm) { return new Insn(BPF_LD | BPF_SIZE(size) | BPF_ABS, 0, 0, 0, imm); }
    public static Insn BPF_LD_IND(int size, int src, int imm) { return new Insn(BPF_LD | BPF_SIZE(size) | BPF_IND, 0, src, 0, imm); }

    // Memory

    /** {@code BPF_LDX_MEM(SIZE, DST, SRC, OFF)}: dst = *(size *)(src + off). */
    public static Insn BPF_LDX_MEM(int size, int dst, int src, int off) { return new Insn(BPF_LDX | BPF_SIZE(size) | BPF_MEM, dst, src, off, 0); }
    /** {@code BPF_LDX_MEMSX(SIZE, DST, SRC, OFF)}: sign-extending load (cpu v4). */
    public static Insn BPF_LDX_MEMSX(int size, int dst, int src, int off) { return new Insn(BPF_LDX | BPF_SIZE(size) | BPF_MEMSX, dst, src, off, 0); }
    /** {@code BPF_STX_MEM(SIZE, DST, SRC, OFF)}: *(size *)(dst + off) = src. */
    public static Insn BPF_STX_MEM(int size, int dst, int src, int off) { return new Insn(BPF_STX | BPF_SIZE(size) | BPF_MEM, dst, src, off, 0); }
    /** {@code BPF_ST_MEM(SIZE, DST, OFF, IMM)}: *(size *)(dst + off) = imm. */
    public static Insn BPF_ST_MEM(int size, int dst, int off, int imm) { return new Insn(BPF_ST | BPF_SIZE(size) | BPF_MEM, dst, 0, off, imm); }
    /** {@code BPF_ATOMIC_OP(SIZE, OP, DST, SRC, OFF)}: OP is e.g. BPF_ADD, BPF_ADD | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG. */
    public static Insn BPF_ATOMIC_OP(int size, int op, int dst, int src, int off) { return new Insn(BPF_STX | BPF_SIZE(size) | BPF_ATOMIC, dst, src, off, op); }
    /** {@code BPF_STX_XADD(SIZE, DST, SRC, OFF)}: the legacy name of an atomic add. */
    public static Insn BPF_STX_XADD(int size, int dst, int src, int off) { return BPF_ATOMIC_OP(size, BPF_ADD, dst, src, off); }
    /** {@code BPF_ST_NOSPEC()}: the verifier's speculation barrier (BPF_ST | BPF_NOSPEC). */
    public static Insn BPF_ST_NOSPEC() { return new Insn(BPF_ST | 0xc0, 0, 0, 0, 0); }

    // Jumps

    public static Insn BPF_JMP_REG(int op, int dst, int src, int off) { return new Insn(BPF_JMP | BPF_OP(op) | BPF_X, dst, src, off, 0); }
    public static Insn BPF_JMP_IMM(int op, int dst, int imm, int off) { return new Insn(BPF_JMP | BPF_OP(op) | BPF_K, dst, 0, off, imm); }
    public static Insn BPF_JMP32_REG(int op, int dst, int src, int off) { return new Insn(BPF_JMP32 | BPF_OP(op) | BPF_X, dst, src, off, 0); }
    public static Insn BPF_JMP32_IMM(int op, int dst, int imm, int off) { return new Insn(BPF_JMP32 | BPF_OP(op) | BPF_K, dst, 0, off, imm); }
    /** {@code BPF_JMP_A(OFF)}: goto pc+OFF. */
    public static Insn BPF_JMP_A(int off) { return new Insn(BPF_JMP | BPF_JA, 0, 0, off, 0); }
    /** {@code BPF_JMP32_A(IMM)}: gotol pc+IMM, a 32-bit displacement. */
    public static Insn BPF_JMP32_A(int imm) { return new Insn(BPF_JMP32 | BPF_JA, 0, 0, 0, imm); }
    /** {@code BPF_CALL_REL(IMM)}: bpf-to-bpf call, IMM is the displacement to the callee. */
    public static Insn BPF_CALL_REL(int imm) { return new Insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, imm); }
    /** {@code BPF_CALL_KFUNC(OFF, IMM)}: OFF is the fd_array offset of the module BTF (0 = vmlinux), IMM the BTF id. */
    public static Insn BPF_CALL_KFUNC(int off, int imm) { return new Insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, off, imm); }
    /**
     * {@code BPF_EMIT_CALL(FUNC)}. The kernel stores {@code FUNC - __bpf_call_base}; in this model a
     * function is named by that call immediate (a helper id before fixup).
     */
    public static Insn BPF_EMIT_CALL(int func) { return new Insn(BPF_JMP | BPF_CALL, 0, 0, 0, func); }
    public static Insn BPF_EXIT_INSN() { return new Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

    /** Flattens instructions and two-slot lists into one immutable list, in order. */
    public static List<Insn> insns(Object... parts) {
        List<Insn> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Insn i) out.add(i);
            else if (p instanceof Collection<?> c) for (Object o : c) out.add((Insn) o);
            else if (p instanceof Insn[] a) out.addAll(List.of(a));
            else throw new IllegalArgumentException("not an instruction: " + p);
        }
        return List.copyOf(out);
    }
}
