package org.bpfosgi.isa;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The instruction encoding constants of include/uapi/linux/bpf_common.h and
 * include/uapi/linux/bpf.h (cpu v4, RFC 9669), with the kernel's names.
 * Field extractors mirror the kernel's {@code BPF_CLASS()}, {@code BPF_OP()}, ... macros.
 */
@ProviderType
public final class Bpf {
    private Bpf() {}

    // Instruction classes (BPF_CLASS(code), low 3 bits).
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_ST = 0x02;
    public static final int BPF_STX = 0x03;
    public static final int BPF_ALU = 0x04;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_JMP32 = 0x06;
    public static final int BPF_ALU64 = 0x07;

    // Load/store sizes (BPF_SIZE(code)).
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;
    public static final int BPF_DW = 0x18;

    // Load/store modes (BPF_MODE(code)).
    public static final int BPF_IMM = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_IND = 0x40;
    public static final int BPF_MEM = 0x60;
    public static final int BPF_LEN = 0x80;
    public static final int BPF_MSH = 0xa0;
    public static final int BPF_MEMSX = 0x80;
    public static final int BPF_ATOMIC = 0xc0;
    /** The pre-5.12 name of {@link #BPF_ATOMIC} with imm {@link #BPF_ADD}. */
    public static final int BPF_XADD = 0xc0;

    // ALU operations (BPF_OP(code)).
    public static final int BPF_ADD = 0x00;
    public static final int BPF_SUB = 0x10;
    public static final int BPF_MUL = 0x20;
    public static final int BPF_DIV = 0x30;
    public static final int BPF_OR = 0x40;
    public static final int BPF_AND = 0x50;
    public static final int BPF_LSH = 0x60;
    public static final int BPF_RSH = 0x70;
    public static final int BPF_NEG = 0x80;
    public static final int BPF_MOD = 0x90;
    public static final int BPF_XOR = 0xa0;
    public static final int BPF_MOV = 0xb0;
    public static final int BPF_ARSH = 0xc0;
    public static final int BPF_END = 0xd0;

    // Jump operations (BPF_OP(code)).
    public static final int BPF_JA = 0x00;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGT = 0x20;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;
    public static final int BPF_JNE = 0x50;
    public static final int BPF_JSGT = 0x60;
    public static final int BPF_JSGE = 0x70;
    public static final int BPF_CALL = 0x80;
    public static final int BPF_EXIT = 0x90;
    public static final int BPF_JLT = 0xa0;
    public static final int BPF_JLE = 0xb0;
    public static final int BPF_JSLT = 0xc0;
    public static final int BPF_JSLE = 0xd0;
    public static final int BPF_JCOND = 0xe0;

    // Source operand (BPF_SRC(code)).
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;
    /** BPF_END source bit: convert to little endian. */
    public static final int BPF_TO_LE = 0x00;
    /** BPF_END source bit: convert to big endian. */
    public static final int BPF_TO_BE = 0x08;
    public static final int BPF_FROM_LE = BPF_TO_LE;
    public static final int BPF_FROM_BE = BPF_TO_BE;

    // Atomic operations (imm of BPF_STX | BPF_ATOMIC).
    public static final int BPF_FETCH = 0x01;
    public static final int BPF_XCHG = 0xe0 | BPF_FETCH;
    public static final int BPF_CMPXCHG = 0xf0 | BPF_FETCH;
    public static final int BPF_LOAD_ACQ = 0x100;
    public static final int BPF_STORE_REL = 0x110;

    /** BPF_JCOND src_reg: the may_goto instruction. */
    public static final int BPF_MAY_GOTO = 0;
    /** off of an ALU64 MOV X: arena address-space cast. */
    public static final int BPF_ADDR_SPACE_CAST = 1;
    /**
     * off of an ALU64 MOV X: BPF_ADDR_PERCPU (include/linux/filter.h), the internal-only
     * instruction that resolves a per-CPU address (dst = src + this CPU's per-cpu offset).
     */
    public static final int BPF_ADDR_PERCPU = -1;

    // Registers.
    public static final int BPF_REG_0 = 0;
    public static final int BPF_REG_1 = 1;
    public static final int BPF_REG_2 = 2;
    public static final int BPF_REG_3 = 3;
    public static final int BPF_REG_4 = 4;
    public static final int BPF_REG_5 = 5;
    public static final int BPF_REG_6 = 6;
    public static final int BPF_REG_7 = 7;
    public static final int BPF_REG_8 = 8;
    public static final int BPF_REG_9 = 9;
    public static final int BPF_REG_10 = 10;
    public static final int BPF_REG_FP = BPF_REG_10;
    public static final int BPF_REG_ARG1 = BPF_REG_1;
    public static final int BPF_REG_CTX = BPF_REG_6;
    public static final int MAX_BPF_REG = 11;

    // ld_imm64 src_reg pseudo values (include/uapi/linux/bpf.h).
    public static final int BPF_PSEUDO_MAP_FD = 1;
    public static final int BPF_PSEUDO_MAP_VALUE = 2;
    public static final int BPF_PSEUDO_BTF_ID = 3;
    public static final int BPF_PSEUDO_FUNC = 4;
    public static final int BPF_PSEUDO_MAP_IDX = 5;
    public static final int BPF_PSEUDO_MAP_IDX_VALUE = 6;

    // call src_reg pseudo values.
    public static final int BPF_PSEUDO_CALL = 1;
    public static final int BPF_PSEUDO_KFUNC_CALL = 2;

    /** Stack size of one frame (include/linux/filter.h MAX_BPF_STACK). */
    public static final int MAX_BPF_STACK = 512;
    /** Most nested bpf-to-bpf frames (include/linux/bpf_verifier.h MAX_CALL_FRAMES). */
    public static final int MAX_CALL_FRAMES = 8;
    /** Longest chain of tail calls (include/linux/bpf.h MAX_TAIL_CALL_CNT). */
    public static final int MAX_TAIL_CALL_CNT = 33;
    /** Most instructions a privileged program may have (BPF_COMPLEXITY_LIMIT_INSNS). */
    public static final int BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;

    public static int BPF_CLASS(int code) { return code & 0x07; }
    public static int BPF_SIZE(int code) { return code & 0x18; }
    public static int BPF_MODE(int code) { return code & 0xe0; }
    public static int BPF_OP(int code) { return code & 0xf0; }
    public static int BPF_SRC(int code) { return code & 0x08; }

    /** Bytes accessed by a load/store of size {@code BPF_SIZE(code)} (bpf_size_to_bytes()). */
    public static int bpf_size_to_bytes(int size) {
        switch (size) {
            case BPF_B: return 1;
            case BPF_H: return 2;
            case BPF_W: return 4;
            case BPF_DW: return 8;
            default: return -1;
        }
    }
}
