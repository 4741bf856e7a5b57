import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import org.bpfosgi.isa.*;
import java.util.*;

/** Differential cases: one operation on r0 (= A) and r1 (= B); prints "insnhex A B programhex". */
public class Gen3 {
    static final long[] V = {0, 1, -1, 2, -41, 0x7fffffffL, 0xffffffff80000000L, Long.MIN_VALUE, 0xfffffffe00000003L, 37};

    static String hex(List<Insn> p) {
        StringBuilder sb = new StringBuilder();
        for (byte b : Insn.encodeAll(p)) sb.append(String.format("%02x", b));
        return sb.toString();
    }

    static List<Insn> tail() {
        // fold the 64-bit r0 into the u32 return value: r0 ^= (r0 >> 32) * 0x2545f491
        return insns(BPF_MOV64_REG(2, 0), BPF_ALU64_IMM(BPF_RSH, 2, 32), BPF_ALU64_IMM(BPF_MUL, 2, 0x2545f491),
            BPF_ALU64_REG(BPF_XOR, 0, 2), BPF_EXIT_INSN());
    }

    static void emit(Insn op, long a, long b, boolean jump) {
        List<Insn> p = new ArrayList<>();
        p.addAll(BPF_LD_IMM64(0, a));
        p.addAll(BPF_LD_IMM64(1, b));
        if (jump) {
            p.add(BPF_MOV64_IMM(2, 0));
            p.add(op);
            p.add(BPF_MOV64_IMM(2, 1));
            p.add(BPF_MOV64_REG(0, 2));
            p.add(BPF_EXIT_INSN());
        } else {
            p.add(op);
            p.addAll(tail());
        }
        System.out.println((jump ? "J " : "A ") + hex(List.of(op)) + " " + Long.toHexString(a) + " " + Long.toHexString(b) + " " + hex(p));
    }

    public static void main(String[] args) {
        int[] ops = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH};
        for (long a : V) for (long b : V) {
            for (int op : ops) for (int sdiv = 0; sdiv < 2; sdiv++) {
                if (sdiv == 1 && op != BPF_DIV && op != BPF_MOD) continue;
                emit(BPF_ALU64_REG_OFF(op, 0, 1, sdiv), a, b, false);
                emit(BPF_ALU32_REG_OFF(op, 0, 1, sdiv), a, b, false);
                boolean fits = b == (int) b;
                boolean shift = op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH;
                if (!fits || ((op == BPF_DIV || op == BPF_MOD) && b == 0)) continue;
                if (shift && (b < 0 || b >= 32)) { if (!(b >= 0 && b < 64)) continue; emit(BPF_ALU64_IMM_OFF(op, 0, (int) b, sdiv), a, b, false); continue; }
                emit(BPF_ALU64_IMM_OFF(op, 0, (int) b, sdiv), a, b, false);
                emit(BPF_ALU32_IMM_OFF(op, 0, (int) b, sdiv), a, b, false);
            }
            int[] jops = {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE};
            for (int op : jops) {
                emit(BPF_JMP_REG(op, 0, 1, 1), a, b, true);
                emit(BPF_JMP32_REG(op, 0, 1, 1), a, b, true);
                if (b == (int) b) {
                    emit(BPF_JMP_IMM(op, 0, (int) b, 1), a, b, true);
                    emit(BPF_JMP32_IMM(op, 0, (int) b, 1), a, b, true);
                }
            }
        }
        for (long a : V) {
            emit(BPF_ALU64_IMM(BPF_NEG, 0, 0), a, 0, false);
            emit(BPF_ALU32_IMM(BPF_NEG, 0, 0), a, 0, false);
            for (int w : new int[] {16, 32, 64}) {
                emit(BPF_ENDIAN(BPF_TO_BE, 0, w), a, 0, false);
                emit(BPF_ENDIAN(BPF_TO_LE, 0, w), a, 0, false);
                emit(BPF_BSWAP(0, w), a, 0, false);
            }
            for (int w : new int[] {8, 16, 32}) emit(BPF_MOVSX64_REG(0, 1, w), 0, a, false);
            for (int w : new int[] {8, 16}) emit(BPF_MOVSX32_REG(0, 1, w), 0, a, false);
        }
    }
}
