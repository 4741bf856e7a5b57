import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import org.bpfosgi.isa.*;
import java.util.*;

/** Differential memory cases: kind M, the op (on *(r3 -8), src r1), A (memory and r0), B (r1). */
public class Gen4 {
    static final long[] V = {0, 1, -1, 0x7fffffffL, 0xffffffff80000000L, Long.MIN_VALUE, 0xfffffffe00000003L, 0x00000001ffffffffL};

    public static List<Insn> program(Insn op, long a, long b) {
        List<Insn> p = new ArrayList<>();
        p.addAll(BPF_LD_IMM64(0, a));
        p.addAll(BPF_LD_IMM64(1, b));
        p.add(BPF_STX_MEM(BPF_DW, 10, 0, -8));
        p.add(BPF_MOV64_REG(3, 10));
        p.add(op);
        p.add(BPF_LDX_MEM(BPF_DW, 4, 10, -8));
        p.add(BPF_ALU64_IMM(BPF_MUL, 1, 0x1e3779b1));
        p.add(BPF_ALU64_IMM(BPF_MUL, 4, 0x05ebca77));
        p.add(BPF_ALU64_REG(BPF_XOR, 0, 1));
        p.add(BPF_ALU64_REG(BPF_XOR, 0, 4));
        p.addAll(insns(BPF_MOV64_REG(2, 0), BPF_ALU64_IMM(BPF_RSH, 2, 32), BPF_ALU64_IMM(BPF_MUL, 2, 0x2545f491),
            BPF_ALU64_REG(BPF_XOR, 0, 2), BPF_EXIT_INSN()));
        return p;
    }

    public static void main(String[] args) {
        int[] atomics = {BPF_ADD, BPF_AND, BPF_OR, BPF_XOR, BPF_ADD | BPF_FETCH, BPF_AND | BPF_FETCH, BPF_OR | BPF_FETCH,
            BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG};
        List<Insn> ops = new ArrayList<>();
        for (int op : atomics) { ops.add(BPF_ATOMIC_OP(BPF_DW, op, 3, 1, -8)); ops.add(BPF_ATOMIC_OP(BPF_W, op, 3, 1, -8)); }
        for (int size : new int[] {BPF_B, BPF_H, BPF_W, BPF_DW}) {
            ops.add(BPF_LDX_MEM(size, 1, 3, -8));
            ops.add(BPF_STX_MEM(size, 3, 1, -8));
            if (size != BPF_DW) ops.add(BPF_LDX_MEMSX(size, 1, 3, -8));
            ops.add(BPF_LDX_MEM(size, 1, 3, -6 + (size == BPF_DW ? -2 : 0)));
        }
        for (long a : V) for (long b : V) for (Insn op : ops) {
            StringBuilder sb = new StringBuilder();
            for (byte x : Insn.encodeAll(program(op, a, b))) sb.append(String.format("%02x", x));
            StringBuilder oh = new StringBuilder();
            for (byte x : op.encode()) oh.append(String.format("%02x", x));
            System.out.println("M " + oh + " " + Long.toHexString(a) + " " + Long.toHexString(b) + " " + sb);
        }
        for (long a : V) for (int imm : new int[] {0, -1, 0x7fffffff, 0x12345678}) for (int size : new int[] {BPF_B, BPF_H, BPF_W, BPF_DW}) {
            Insn op = BPF_ST_MEM(size, 3, -8, imm);
            StringBuilder sb = new StringBuilder();
            for (byte x : Insn.encodeAll(program(op, a, 0))) sb.append(String.format("%02x", x));
            StringBuilder oh = new StringBuilder();
            for (byte x : op.encode()) oh.append(String.format("%02x", x));
            System.out.println("M " + oh + " " + Long.toHexString(a) + " 0 " + sb);
        }
    }
}
