package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

/**
 * Models kernel/bpf/core.c bpf_opcode_in_insntable() (v6.12): the opcodes the kernel knows,
 * {@code BPF_INSN_MAP()} plus the cBPF carry-overs LD_ABS/LD_IND of 1, 2 and 4 bytes and
 * {@code BPF_JMP | BPF_JCOND} (may_goto). resolve_pseudo_ldimm64() refuses any other code with
 * "unknown opcode %02x" (-EINVAL) before do_check() runs. Not in the table, so refused there:
 * the 8-byte LD_ABS/LD_IND (0x38, 0x58), LD modes other than IMM/ABS/IND and LD_IMM of fewer than
 * 8 bytes, BPF_ST | BPF_NOSPEC (0xc2: the verifier inserts it, a program may not), callx
 * (0x8d), calls/exits/JCOND of class JMP32, the byte swap of class ALU64 with BPF_X, NEG with
 * BPF_X, ALU/JMP ops above BPF_END/BPF_JCOND, ST/STX of modes other than MEM (ATOMIC for STX of
 * 4 and 8 bytes), 8-byte MEMSX loads. v6.12 has no 1/2-byte atomics (load-acquire and
 * store-release came in 6.15).
 */
final class BpfOpcodeInInsntable {
    private static final boolean[] TABLE = new boolean[256];

    static {
        int[] aluOps = {BPF_ADD, BPF_SUB, BPF_AND, BPF_OR, BPF_LSH, BPF_RSH, BPF_XOR, BPF_MUL, BPF_MOV, BPF_ARSH,
            BPF_DIV, BPF_MOD};
        for (int cls : new int[] {BPF_ALU, BPF_ALU64}) {
            for (int op : aluOps) {
                TABLE[cls | op | BPF_X] = true;
                TABLE[cls | op | BPF_K] = true;
            }
            TABLE[cls | BPF_NEG] = true;
            TABLE[cls | BPF_END | BPF_TO_LE] = true;
        }
        TABLE[BPF_ALU | BPF_END | BPF_TO_BE] = true;
        TABLE[BPF_JMP | BPF_CALL] = true;
        TABLE[BPF_JMP | BPF_EXIT] = true;
        int[] jmpOps = {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT,
            BPF_JSLE};
        for (int cls : new int[] {BPF_JMP, BPF_JMP32}) {
            for (int op : jmpOps) {
                TABLE[cls | op | BPF_X] = true;
                TABLE[cls | op | BPF_K] = true;
            }
            TABLE[cls | BPF_JA] = true;
        }
        TABLE[BPF_STX | BPF_ATOMIC | BPF_W] = true;
        TABLE[BPF_STX | BPF_ATOMIC | BPF_DW] = true;
        for (int size : new int[] {BPF_B, BPF_H, BPF_W, BPF_DW}) {
            TABLE[BPF_STX | BPF_MEM | size] = true;
            TABLE[BPF_ST | BPF_MEM | size] = true;
            TABLE[BPF_LDX | BPF_MEM | size] = true;
        }
        TABLE[BPF_LDX | BPF_MEMSX | BPF_B] = true;
        TABLE[BPF_LDX | BPF_MEMSX | BPF_H] = true;
        TABLE[BPF_LDX | BPF_MEMSX | BPF_W] = true;
        TABLE[BPF_LD | BPF_IMM | BPF_DW] = true;
        // "UAPI exposed, but rewritten opcodes. cBPF carry-over."
        for (int mode : new int[] {BPF_ABS, BPF_IND}) {
            TABLE[BPF_LD | mode | BPF_B] = true;
            TABLE[BPF_LD | mode | BPF_H] = true;
            TABLE[BPF_LD | mode | BPF_W] = true;
        }
        TABLE[BPF_JMP | BPF_JCOND] = true;
    }

    private BpfOpcodeInInsntable() {
    }

    static boolean test(int code) {
        return TABLE[code & 0xff];
    }
}
