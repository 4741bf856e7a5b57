package org.bpfosgi.vm;

import static org.bpfosgi.isa.Bpf.*;

import java.util.List;
import org.bpfosgi.isa.HelperIds;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Program;
import org.bpfosgi.isa.Reloc;

/**
 * A program prepared for {@link Vm}: each slot packed into one {@code long} with an internal
 * opcode that already tells apart what the wire opcode leaves to {@code off} or {@code imm}
 * (sdiv/smod, movsx widths, byte-swap widths, atomic operations, call kinds), ld_imm64 values
 * joined, call targets bound, and jumps that would leave the program turned into an instruction
 * that oopses. The kernel's counterpart is the image {@code bpf_prog_select_runtime()} hands to
 * {@code ___bpf_prog_run()}, whose jump table is indexed by opcode the same way.
 */
public final class LoadedProgram {
    final String name;
    final long[] code;
    final long[] imm64;
    final BpfFunction[] targets;
    final String[] invalid;
    final int[] wire;
    final int length;

    // Internal opcodes beyond the 256 wire opcodes.
    static final int SDIV64_K = 256, SDIV64_X = 257, SMOD64_K = 258, SMOD64_X = 259;
    static final int SDIV32_K = 260, SDIV32_X = 261, SMOD32_K = 262, SMOD32_X = 263;
    static final int MOVSX64_8 = 264, MOVSX64_16 = 265, MOVSX64_32 = 266, MOVSX32_8 = 267, MOVSX32_16 = 268;
    static final int LE16 = 269, LE32 = 270, LE64 = 271, BE16 = 272, BE32 = 273, BE64 = 274;
    static final int CALL_HELPER = 275, CALL_KFUNC = 276, CALL_LOCAL = 277, TAIL_CALL = 278, CALLX = 279, LDDW = 280;
    static final int A64_ADD = 281, A64_OR = 282, A64_AND = 283, A64_XOR = 284;
    static final int A64_FADD = 285, A64_FOR = 286, A64_FAND = 287, A64_FXOR = 288, A64_XCHG = 289, A64_CMPXCHG = 290;
    static final int A32_ADD = 291, A32_OR = 292, A32_AND = 293, A32_XOR = 294;
    static final int A32_FADD = 295, A32_FOR = 296, A32_FAND = 297, A32_FXOR = 298, A32_XCHG = 299, A32_CMPXCHG = 300;
    static final int LOAD_ACQ = 301, STORE_REL = 302, GOTOL = 303, MAY_GOTO = 304, INVALID = 305;
    /** BPF_MOV64_PERCPU_REG (off BPF_ADDR_PERCPU), which only do_misc_fixups() emits. */
    static final int MOV64_PERCPU = 306;

    /** Whether an ld_imm64 loads {@code &jiffies} (the bpf_jiffies64 inline): the run maps and sets {@link Jiffies}. */
    final boolean readsJiffies;

    private LoadedProgram(String name, long[] code, long[] imm64, BpfFunction[] targets, String[] invalid, int[] wire, int length) {
        boolean j = false;
        for (long v : imm64) {
            j |= v == Jiffies.ADDRESS;
        }
        this.readsJiffies = j;
        this.wire = wire;
        this.name = name;
        this.code = code;
        this.imm64 = imm64;
        this.targets = targets;
        this.invalid = invalid;
        this.length = length;
    }

    public String name() { return name; }
    /** Number of instruction slots. */
    public int length() { return length; }

    /** Prepares a program whose calls are resolved (helper ids, kfunc BTF ids) or named by relocs. */
    public static LoadedProgram load(String name, Program program, Bindings bindings) {
        List<Insn> insns = program.insns();
        int n = insns.size();
        long[] code = new long[n + 1];
        long[] imm64 = new long[n + 1];
        BpfFunction[] targets = new BpfFunction[n + 1];
        String[] invalid = new String[n + 1];
        int[] wire = new int[n + 1];
        for (Reloc r : program.relocs())
            if (r.kind() == Reloc.Kind.KFUNC) targets[r.insn()] = bindings.kfunc(r.name());
        for (int i = 0; i < n; i++) {
            Insn insn = insns.get(i);
            int op = decode(insn, i, n, insns, invalid);
            if (op == LDDW) {
                if (i + 1 >= n) { op = INVALID; invalid[i] = "ld_imm64 without its second slot"; }
                else imm64[i] = Insn.imm64(insn, insns.get(i + 1));
            } else if (op == CALL_HELPER) {
                if (insn.imm() == HelperIds.BPF_FUNC_tail_call && bindings.helper(insn.imm()) == null) op = TAIL_CALL;
                else targets[i] = bindings.helper(insn.imm());
            } else if (op == CALL_KFUNC && targets[i] == null) {
                targets[i] = bindings.kfunc(insn.imm(), insn.off());
            }
            code[i] = pack(op, insn);
            wire[i] = insn.code();
        }
        code[n] = pack(INVALID, new Insn(0, 0, 0, 0, 0));
        invalid[n] = "fell off the end of the program";
        return new LoadedProgram(name, code, imm64, targets, invalid, wire, n);
    }

    public static LoadedProgram load(Program program, Bindings bindings) { return load("prog", program, bindings); }

    /**
     * Packs a slot into one long: internal opcode (bits 0-8), dst (9-12), off (13-28), and in the
     * high 32 bits either imm or, for instructions that read src_reg, src. No instruction needs
     * src, off and imm at once once atomics and sdiv/movsx have their own internal opcodes.
     */
    static long pack(int op, Insn i) {
        int cls = i.cls();
        boolean usesSrc = cls == BPF_LDX || cls == BPF_STX
            || ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_SRC(i.code()) == BPF_X)
            || ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(i.code()) == BPF_X && BPF_OP(i.code()) != BPF_END);
        long high = usesSrc ? i.src() : i.imm();
        return (op & 0x1ffL) | (long) i.dst() << 9 | (i.off() & 0xffffL) << 13 | high << 32;
    }

    private static int decode(Insn insn, int i, int n, List<Insn> insns, String[] invalid) {
        int code = insn.code();
        int cls = BPF_CLASS(code);
        int op = BPF_OP(code);
        int off = insn.off();
        switch (cls) {
            case BPF_ALU64, BPF_ALU -> {
                boolean k = BPF_SRC(code) == BPF_K;
                boolean a64 = cls == BPF_ALU64;
                if (op == BPF_DIV || op == BPF_MOD) {
                    if (off == 1) {
                        if (op == BPF_DIV) return a64 ? (k ? SDIV64_K : SDIV64_X) : (k ? SDIV32_K : SDIV32_X);
                        return a64 ? (k ? SMOD64_K : SMOD64_X) : (k ? SMOD32_K : SMOD32_X);
                    }
                    if (off != 0) return bad(invalid, i, "division with off " + off);
                }
                if (op == BPF_MOV && !k && off != 0) {
                    if (a64 && off == BPF_ADDR_PERCPU) return MOV64_PERCPU;
                    if (a64 && off == 8) return MOVSX64_8;
                    if (a64 && off == 16) return MOVSX64_16;
                    if (a64 && off == 32) return MOVSX64_32;
                    if (!a64 && off == 8) return MOVSX32_8;
                    if (!a64 && off == 16) return MOVSX32_16;
                    return bad(invalid, i, "mov with off " + off);
                }
                if (op == BPF_END) {
                    int w = insn.imm();
                    if (w != 16 && w != 32 && w != 64) return bad(invalid, i, "byte swap of width " + w);
                    if (a64 || BPF_SRC(code) == BPF_TO_BE) return w == 16 ? BE16 : w == 32 ? BE32 : BE64;
                    return w == 16 ? LE16 : w == 32 ? LE32 : LE64;
                }
                if (op > BPF_END) return bad(invalid, i, String.format("unknown opcode %02x", code));
                if (op == BPF_NEG && !k) return bad(invalid, i, String.format("unknown opcode %02x", code));
                return code;
            }
            case BPF_LDX -> {
                int mode = BPF_MODE(code);
                if (mode == BPF_MEM || (mode == BPF_MEMSX && BPF_SIZE(code) != BPF_DW)) return code;
                return bad(invalid, i, String.format("unknown opcode %02x", code));
            }
            case BPF_ST -> {
                return BPF_MODE(code) == BPF_MEM ? code : bad(invalid, i, String.format("unknown opcode %02x", code));
            }
            case BPF_STX -> {
                if (BPF_MODE(code) == BPF_MEM) return code;
                if (BPF_MODE(code) != BPF_ATOMIC) return bad(invalid, i, String.format("unknown opcode %02x", code));
                int imm = insn.imm();
                if (imm == BPF_LOAD_ACQ) return LOAD_ACQ;
                if (imm == BPF_STORE_REL) return STORE_REL;
                boolean dw = BPF_SIZE(code) == BPF_DW;
                if (!dw && BPF_SIZE(code) != BPF_W) return bad(invalid, i, "atomic operation on " + BPF_SIZE(code));
                int a = switch (imm) {
                    case BPF_ADD -> A64_ADD;
                    case BPF_OR -> A64_OR;
                    case BPF_AND -> A64_AND;
                    case BPF_XOR -> A64_XOR;
                    case BPF_ADD | BPF_FETCH -> A64_FADD;
                    case BPF_OR | BPF_FETCH -> A64_FOR;
                    case BPF_AND | BPF_FETCH -> A64_FAND;
                    case BPF_XOR | BPF_FETCH -> A64_FXOR;
                    case BPF_XCHG -> A64_XCHG;
                    case BPF_CMPXCHG -> A64_CMPXCHG;
                    default -> -1;
                };
                if (a < 0) return bad(invalid, i, String.format("unknown atomic operation %02x", imm));
                return dw ? a : a + (A32_ADD - A64_ADD);
            }
            case BPF_LD -> {
                if (code == (BPF_LD | BPF_IMM | BPF_DW)) return LDDW;
                return bad(invalid, i, String.format("legacy packet access (opcode %02x) is not modelled", code));
            }
            default -> { // BPF_JMP, BPF_JMP32
                boolean j32 = cls == BPF_JMP32;
                if (op == BPF_EXIT) return j32 ? bad(invalid, i, "exit in JMP32") : code;
                if (op == BPF_CALL) {
                    if (j32) return bad(invalid, i, "call in JMP32");
                    if (BPF_SRC(code) == BPF_X) return CALLX;
                    if (insn.src() == BPF_PSEUDO_CALL) {
                        long t = (long) i + 1 + insn.imm();
                        if (t < 0 || t >= n) return bad(invalid, i, "call to insn " + t + " outside the program");
                        return CALL_LOCAL;
                    }
                    return insn.src() == BPF_PSEUDO_KFUNC_CALL ? CALL_KFUNC : CALL_HELPER;
                }
                if (code == 0xf5) return TAIL_CALL; // BPF_JMP | BPF_TAIL_CALL, the verifier's rewrite
                if (op == BPF_JCOND) {
                    if (j32 || insn.src() != BPF_MAY_GOTO) return bad(invalid, i, String.format("unknown opcode %02x", code));
                    return checkTarget(MAY_GOTO, (long) i + 1 + off, n, invalid, i);
                }
                if (op > BPF_JCOND) return bad(invalid, i, String.format("unknown opcode %02x", code));
                if (op == BPF_JA && j32) return checkTarget(GOTOL, (long) i + 1 + insn.imm(), n, invalid, i);
                return checkTarget(code, (long) i + 1 + off, n, invalid, i);
            }
        }
    }

    private static int checkTarget(int op, long target, int n, String[] invalid, int i) {
        if (target < 0 || target > n) return bad(invalid, i, "jump to insn " + target + " outside the program");
        return op;
    }

    private static int bad(String[] invalid, int i, String why) {
        invalid[i] = why;
        return INVALID;
    }
}
