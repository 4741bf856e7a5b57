package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Models kernel/bpf/disasm.c {@code print_bpf_insn()}: the text the verifier log,
 * {@code bpftool prog dump xlated} and the selftests' {@code __xlated("...")} lines show,
 * byte for byte. {@link #print} gives the kernel's line ({@code "(79) r6 = *(u64 *)(r1 +0)"});
 * {@link #xlated} gives the selftests' form, which tools/testing/selftests/bpf/disasm_helpers.c
 * {@code disasm_insn()} derives from it by dropping the {@code "(79) "} column and, for calls,
 * the {@code "#imm"} suffix.
 */
@ProviderType
public final class Disassembler {
    private Disassembler() {}

    /**
     * The kernel's {@code struct bpf_insn_cbs} callbacks. A null answer falls back to what
     * print_bpf_insn() prints without callbacks.
     */
    public interface Callbacks {
        /** {@code cb_call}: the name printed for a call the helper table does not name. */
        default String call(Insn insn) { return null; }

        /** {@code cb_imm}: the text printed for an ld_imm64's value. */
        default String imm(Insn insn, Insn next, long fullImm) { return null; }
    }

    /** No callbacks: print_bpf_insn() on its own, as the selftests' disassembler uses it for non-pseudo calls. */
    public static final Callbacks NONE = new Callbacks() {};

    /**
     * Models tools/bpf/bpftool/xlated_dumper.c {@code print_imm()}: maps appear as
     * {@code map[id:N]} / {@code map[id:N][0]+off}, callbacks as {@code subprog[+N]}.
     *
     * @param mapId maps the ld_imm64's imm (after bpf_insn_prepare_dump() this is already the map id)
     *              to the id printed
     */
    public static Callbacks bpftool(IntUnaryOperator mapId) {
        return new Callbacks() {
            @Override
            public String imm(Insn insn, Insn next, long fullImm) {
                int nextImm = next == null ? 0 : next.imm();
                switch (insn.src()) {
                    case BPF_PSEUDO_MAP_FD: return "map[id:" + Integer.toUnsignedString(mapId.applyAsInt(insn.imm())) + "]";
                    case BPF_PSEUDO_MAP_VALUE:
                        return "map[id:" + Integer.toUnsignedString(mapId.applyAsInt(insn.imm())) + "][0]+" + Integer.toUnsignedString(nextImm);
                    case BPF_PSEUDO_MAP_IDX_VALUE:
                        return "map[idx:" + Integer.toUnsignedString(insn.imm()) + "]+" + Integer.toUnsignedString(nextImm);
                    case BPF_PSEUDO_FUNC: return "subprog[" + String.format("%+d", insn.imm()) + "]";
                    default: return "0x" + Long.toHexString(fullImm);
                }
            }
        };
    }

    /**
     * Models tools/testing/selftests/bpf/disasm_helpers.c {@code print_call_cb()}: in the xlated
     * image of a JITed program, {@code jit_subprogs()} has moved a bpf-to-bpf call's displacement
     * to {@code off} and put the subprogram's index in {@code imm}; the selftests print {@code off}.
     */
    public static final Callbacks JITED_SUBPROGS = new Callbacks() {
        @Override
        public String call(Insn insn) {
            return insn.src() == BPF_PSEUDO_CALL ? signed(insn.off()) : null;
        }
    };

    /** bpftool's callbacks with map ids printed as stored. */
    public static final Callbacks BPFTOOL = bpftool(IntUnaryOperator.identity());

    private static final String[] ALU = new String[16];
    private static final String[] ALU_SIGN = new String[16];
    private static final String[] MOVSX = {"(s8)", "(s16)", null, "(s32)"};
    private static final String[] ATOMIC_ALU = new String[16];
    private static final String[] LDST = {"u32", "u16", "u8", "u64"};
    private static final String[] LDSX = {"s32", "s16", "s8", null};
    private static final String[] JMP = new String[16];
    private static final String[] CLASS = {"ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64"};

    static {
        String[][] alu = {{"+=", "0"}, {"-=", "1"}, {"*=", "2"}, {"/=", "3"}, {"|=", "4"}, {"&=", "5"}, {"<<=", "6"},
            {">>=", "7"}, {"neg", "8"}, {"%=", "9"}, {"^=", "10"}, {"=", "11"}, {"s>>=", "12"}, {"endian", "13"}};
        for (String[] a : alu) ALU[Integer.parseInt(a[1])] = a[0];
        ALU_SIGN[BPF_DIV >> 4] = "s/=";
        ALU_SIGN[BPF_MOD >> 4] = "s%=";
        ATOMIC_ALU[BPF_ADD >> 4] = "add";
        ATOMIC_ALU[BPF_AND >> 4] = "and";
        ATOMIC_ALU[BPF_OR >> 4] = "or";
        ATOMIC_ALU[BPF_XOR >> 4] = "xor";
        String[][] jmp = {{"jmp", "0"}, {"==", "1"}, {">", "2"}, {">=", "3"}, {"&", "4"}, {"!=", "5"}, {"s>", "6"},
            {"s>=", "7"}, {"call", "8"}, {"exit", "9"}, {"<", "10"}, {"<=", "11"}, {"s<", "12"}, {"s<=", "13"}};
        for (String[] j : jmp) JMP[Integer.parseInt(j[1])] = j[0];
    }

    /** printf's "%s" of a NULL table entry, as glibc and the kernel's vsnprintf print it. */
    private static String s(String str) { return str == null ? "(null)" : str; }

    private static String hex2(int code) { return String.format("%02x", code); }

    private static String signed(int v) { return v >= 0 ? "+" + v : Integer.toString(v); }

    /** print_bpf_insn() without callbacks. */
    public static String print(Insn insn, Insn next) { return print(insn, next, NONE, true); }

    /**
     * One line of print_bpf_insn(), without the trailing newline.
     *
     * @param next          the following slot (the high half of an ld_imm64), or null
     * @param allowPtrLeaks false hides map pointers of ld_imm64 as the verifier log does for unprivileged users
     */
    public static String print(Insn insn, Insn next, Callbacks cbs, boolean allowPtrLeaks) {
        int code = insn.code();
        int cls = BPF_CLASS(code);
        String c = "(" + hex2(code) + ") ";
        if (cls == BPF_ALU || cls == BPF_ALU64) {
            char r = cls == BPF_ALU ? 'w' : 'r';
            int op = BPF_OP(code);
            if (op == BPF_END) {
                if (cls == BPF_ALU64)
                    return c + "r" + insn.dst() + " = bswap" + insn.imm() + " r" + insn.dst();
                return c + "r" + insn.dst() + " = " + (BPF_SRC(code) == BPF_TO_BE ? "be" : "le") + insn.imm() + " r" + insn.dst();
            }
            if (op == BPF_NEG)
                return c + r + insn.dst() + " = -" + r + insn.dst();
            // kernel/bpf/disasm.c is_mov_percpu_addr()
            if (code == (BPF_ALU64 | BPF_MOV | BPF_X) && insn.off() == BPF_ADDR_PERCPU)
                return c + "r" + insn.dst() + " = &(void __percpu *)(r" + insn.src() + ")";
            if (code == (BPF_ALU64 | BPF_MOV | BPF_X) && insn.off() == BPF_ADDR_SPACE_CAST)
                return c + "r" + insn.dst() + " = addr_space_cast(r" + insn.src() + ", " + (insn.imm() >>> 16) + ", " + (insn.imm() & 0xffff) + ")";
            boolean sdivSmod = (op == BPF_DIV || op == BPF_MOD) && insn.off() == 1;
            String opStr = sdivSmod ? ALU_SIGN[op >> 4] : ALU[op >> 4];
            if (BPF_SRC(code) == BPF_X) {
                boolean movsx = op == BPF_MOV && (insn.off() == 8 || insn.off() == 16 || insn.off() == 32);
                return c + r + insn.dst() + " " + s(opStr) + " " + (movsx ? MOVSX[(insn.off() >> 3) - 1] : "") + r + insn.src();
            }
            return c + r + insn.dst() + " " + s(opStr) + " " + insn.imm();
        }
        if (cls == BPF_STX) {
            String size = LDST[BPF_SIZE(code) >> 3];
            int mode = BPF_MODE(code);
            int imm = insn.imm();
            String mem = "(r" + insn.dst() + " " + signed(insn.off()) + ")";
            if (mode == BPF_MEM)
                return c + "*(" + size + " *)" + mem + " = r" + insn.src();
            if (mode == BPF_ATOMIC && (imm == BPF_ADD || imm == BPF_AND || imm == BPF_OR || imm == BPF_XOR))
                return c + "lock *(" + size + " *)" + mem + " " + ALU[imm >> 4] + " r" + insn.src();
            String w = BPF_SIZE(code) == BPF_DW ? "64" : "";
            if (mode == BPF_ATOMIC && (imm == (BPF_ADD | BPF_FETCH) || imm == (BPF_AND | BPF_FETCH)
                    || imm == (BPF_OR | BPF_FETCH) || imm == (BPF_XOR | BPF_FETCH)))
                return c + "r" + insn.src() + " = atomic" + w + "_fetch_" + ATOMIC_ALU[(imm & 0xf0) >> 4] + "((" + size + " *)" + mem + ", r" + insn.src() + ")";
            if (mode == BPF_ATOMIC && imm == BPF_CMPXCHG)
                return c + "r0 = atomic" + w + "_cmpxchg((" + size + " *)" + mem + ", r0, r" + insn.src() + ")";
            if (mode == BPF_ATOMIC && imm == BPF_XCHG)
                return c + "r" + insn.src() + " = atomic" + w + "_xchg((" + size + " *)" + mem + ", r" + insn.src() + ")";
            if (mode == BPF_ATOMIC && imm == BPF_LOAD_ACQ)
                return c + "r" + insn.dst() + " = load_acquire((" + size + " *)(r" + insn.src() + " " + signed(insn.off()) + "))";
            if (mode == BPF_ATOMIC && imm == BPF_STORE_REL)
                return c + "store_release((" + size + " *)" + mem + ", r" + insn.src() + ")";
            return "BUG_" + hex2(code);
        }
        if (cls == BPF_ST) {
            if (BPF_MODE(code) == BPF_MEM)
                return c + "*(" + LDST[BPF_SIZE(code) >> 3] + " *)(r" + insn.dst() + " " + signed(insn.off()) + ") = " + insn.imm();
            if (BPF_MODE(code) == 0xc0)
                return c + "nospec";
            return "BUG_st_" + hex2(code);
        }
        if (cls == BPF_LDX) {
            int mode = BPF_MODE(code);
            if (mode != BPF_MEM && mode != BPF_MEMSX)
                return "BUG_ldx_" + hex2(code);
            String size = mode == BPF_MEM ? LDST[BPF_SIZE(code) >> 3] : LDSX[BPF_SIZE(code) >> 3];
            return c + "r" + insn.dst() + " = *(" + s(size) + " *)(r" + insn.src() + " " + signed(insn.off()) + ")";
        }
        if (cls == BPF_LD) {
            int mode = BPF_MODE(code);
            String size = LDST[BPF_SIZE(code) >> 3];
            if (mode == BPF_ABS)
                return c + "r0 = *(" + size + " *)skb[" + insn.imm() + "]";
            if (mode == BPF_IND)
                return c + "r0 = *(" + size + " *)skb[r" + insn.src() + " + " + insn.imm() + "]";
            if (mode == BPF_IMM && BPF_SIZE(code) == BPF_DW) {
                long imm = Insn.imm64(insn, next == null ? new Insn(0, 0, 0, 0, 0) : next);
                boolean isPtr = insn.src() == BPF_PSEUDO_MAP_FD || insn.src() == BPF_PSEUDO_MAP_VALUE;
                if (isPtr && !allowPtrLeaks) imm = 0;
                String text = cbs.imm(insn, next, imm);
                return c + "r" + insn.dst() + " = " + (text != null ? text : "0x" + Long.toHexString(imm));
            }
            return "BUG_ld_" + hex2(code);
        }
        // BPF_JMP and BPF_JMP32
        char r = cls == BPF_JMP32 ? 'w' : 'r';
        int op = BPF_OP(code);
        if (op == BPF_CALL) {
            if (insn.src() == BPF_PSEUDO_CALL)
                return c + "call pc" + funcName(cbs, insn, null);
            return c + "call " + funcName(cbs, insn, "unknown") + "#" + insn.imm();
        }
        if (code == (BPF_JMP | BPF_JA))
            return c + "goto pc" + signed(insn.off());
        if (code == (BPF_JMP | BPF_JCOND) && insn.src() == BPF_MAY_GOTO)
            return c + "may_goto pc" + signed(insn.off());
        if (code == (BPF_JMP32 | BPF_JA))
            return c + "gotol pc" + signed(insn.imm());
        if (code == (BPF_JMP | BPF_EXIT))
            return c + "exit";
        if (BPF_SRC(code) == BPF_X)
            return c + "if " + r + insn.dst() + " " + s(JMP[op >> 4]) + " " + r + insn.src() + " goto pc" + signed(insn.off());
        return c + "if " + r + insn.dst() + " " + s(JMP[op >> 4]) + " 0x" + Integer.toHexString(insn.imm()) + " goto pc" + signed(insn.off());
    }

    /** Models disasm.c {@code __func_get_name()}; {@code buff} is what the caller pre-filled (strcpy "unknown"). */
    private static String funcName(Callbacks cbs, Insn insn, String buff) {
        if (insn.src() == 0 && insn.imm() >= 0 && insn.imm() < HelperIds.__BPF_FUNC_MAX_ID) {
            String n = HelperIds.name(insn.imm());
            if (n != null) return n;
        }
        String res = cbs.call(insn);
        if (res != null) return res;
        if (insn.src() == BPF_PSEUDO_CALL) return signed(insn.imm());
        if (insn.src() == BPF_PSEUDO_KFUNC_CALL) return "kernel-function";
        return buff == null ? "" : buff;
    }

    /**
     * The selftests' form (tools/testing/selftests/bpf/disasm_helpers.c {@code disasm_insn()}):
     * print_bpf_insn()'s line without its first five characters, and for calls without the
     * {@code #imm} suffix: {@code "call kernel-function"}, {@code "call pc+1"}, {@code "r1 = 0"}.
     */
    public static String xlated(Insn insn, Insn next) { return xlated(insn, next, NONE); }

    public static String xlated(Insn insn, Insn next, Callbacks cbs) {
        String buf = print(insn, next, cbs, true);
        int start = Math.min(5, buf.length());
        int end = buf.length();
        if (buf.startsWith("call ", start) && buf.lastIndexOf('#') >= 0) end = buf.lastIndexOf('#');
        return end <= start ? "" : buf.substring(start, end);
    }

    /** How {@link #dump} lays out its lines. */
    public enum Style {
        /** {@code bpftool prog dump xlated}: {@code "   0: (79) r6 = *(u64 *)(r1 +0)"}. */
        BPFTOOL,
        /** {@code bpftool prog dump xlated ... opcodes}: as BPFTOOL, each line followed by its bytes. */
        BPFTOOL_OPCODES,
        /** The selftests' {@code __xlated} lines: {@code "0: r6 = *(u64 *)(r1 +0)"}. */
        SELFTEST
    }

    /** Disassembles a whole program, one line per instruction (an ld_imm64 is one line). */
    public static List<String> dump(List<Insn> insns, Style style, Callbacks cbs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < insns.size(); i++) {
            Insn insn = insns.get(i);
            Insn next = i + 1 < insns.size() ? insns.get(i + 1) : null;
            boolean dbl = insn.isLdImm64();
            if (style == Style.SELFTEST) {
                out.add(i + ": " + xlated(insn, next, cbs));
            } else {
                out.add(String.format("% 4d: ", i) + print(insn, next, cbs, true));
                if (style == Style.BPFTOOL_OPCODES) out.add("       " + hexBytes(insn, dbl ? next : null));
            }
            if (dbl) i++;
        }
        return out;
    }

    /** bpftool's {@code fprint_hex()} of one or two slots: bytes as {@code "%02x"}, single spaces. */
    private static String hexBytes(Insn a, Insn b) {
        StringBuilder sb = new StringBuilder();
        for (Insn x : b == null ? List.of(a) : List.of(a, b))
            for (byte v : x.encode()) {
                if (sb.length() > 0) sb.append(' ');
                sb.append(String.format("%02x", v & 0xff));
            }
        return sb.toString();
    }
}
