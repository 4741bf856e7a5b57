package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The assembly dialect of bpf_conformance's {@code bpf_assembler.cc} and ubpf
 * ({@code mov32 %r0, 1}, {@code ldxb %r0, [%r1+2]}, {@code jne %r0, 15, failed},
 * {@code lock fetch add [%r10-8], %r1}, {@code call local func1}, {@code ja32 L}), with its
 * conventions: {@code #} comments, an implicit label {@code exit} on the first exit, mnemonics
 * suffixed {@code 32} for the 32-bit classes. Error texts follow the upstream assembler's
 * ("Invalid register", "Invalid mnemonic", "Invalid number of operands for lock", ...).
 */
final class UbpfAsm {
    private UbpfAsm() {}

    private static final Map<String, Integer> ALU = Map.ofEntries(
        Map.entry("add", BPF_ADD), Map.entry("sub", BPF_SUB), Map.entry("mul", BPF_MUL), Map.entry("div", BPF_DIV),
        Map.entry("sdiv", BPF_DIV), Map.entry("or", BPF_OR), Map.entry("and", BPF_AND), Map.entry("lsh", BPF_LSH),
        Map.entry("rsh", BPF_RSH), Map.entry("mod", BPF_MOD), Map.entry("smod", BPF_MOD), Map.entry("xor", BPF_XOR),
        Map.entry("mov", BPF_MOV), Map.entry("arsh", BPF_ARSH));
    private static final Map<String, Integer> JMP = Map.ofEntries(
        Map.entry("jeq", BPF_JEQ), Map.entry("jgt", BPF_JGT), Map.entry("jge", BPF_JGE), Map.entry("jset", BPF_JSET),
        Map.entry("jne", BPF_JNE), Map.entry("jsgt", BPF_JSGT), Map.entry("jsge", BPF_JSGE), Map.entry("jlt", BPF_JLT),
        Map.entry("jle", BPF_JLE), Map.entry("jslt", BPF_JSLT), Map.entry("jsle", BPF_JSLE));
    private static final Map<String, Integer> SIZES = Map.of("b", BPF_B, "h", BPF_H, "w", BPF_W, "dw", BPF_DW);
    private static final Map<String, Integer> ATOMIC = Map.of("add", BPF_ADD, "and", BPF_AND, "or", BPF_OR, "xor", BPF_XOR);

    private static final Pattern LABEL = Pattern.compile("^([A-Za-z_.$][\\w.$]*)\\s*:$");
    private static final Pattern MEM = Pattern.compile("^\\[\\s*(%?\\w+)\\s*(?:([+-])\\s*(0[xX][0-9a-fA-F]+|\\d+))?\\s*]$");

    /** One operand and its column. */
    private record Op(String text, int col) {}

    private record Line(String mnemonic, int mcol, List<Op> ops, int line) {}

    static Assembler.Result assemble(String source, String file, int firstLine) {
        ProgramBuilder b = new ProgramBuilder(file);
        String[] lines = source.split("\r?\n", -1);
        boolean sawExit = false;
        for (int i = 0; i < lines.length; i++) {
            int ln = firstLine + i;
            String raw = lines[i];
            int hash = raw.indexOf('#');
            String text = hash >= 0 ? raw.substring(0, hash) : raw;
            String t = text.strip();
            if (t.isEmpty()) continue;
            int col = text.indexOf(t) + 1;
            Matcher lm = LABEL.matcher(t);
            if (lm.matches()) { b.label(lm.group(1), ln, col); continue; }
            Line l = split(t, col, ln);
            if (l.mnemonic().equals("exit") && !sawExit) { b.defaultLabel("exit"); sawExit = true; }
            encode(b, l);
        }
        Program p = b.finish();
        return new Assembler.Result(p, b.lines());
    }

    private static Line split(String t, int col, int ln) {
        int sp = 0;
        while (sp < t.length() && !Character.isWhitespace(t.charAt(sp))) sp++;
        String mnemonic = t.substring(0, sp);
        List<Op> ops = new ArrayList<>();
        int pos = sp;
        // Operands are separated by commas and/or blanks, but a [mem] operand may contain blanks.
        while (pos < t.length()) {
            char c = t.charAt(pos);
            if (Character.isWhitespace(c) || c == ',') { pos++; continue; }
            int start = pos;
            if (c == '[') {
                while (pos < t.length() && t.charAt(pos) != ']') pos++;
                if (pos < t.length()) pos++;
            } else {
                while (pos < t.length() && !Character.isWhitespace(t.charAt(pos)) && t.charAt(pos) != ',') pos++;
            }
            ops.add(new Op(t.substring(start, pos), col + start));
        }
        return new Line(mnemonic, col, ops, ln);
    }

    private static AsmException err(ProgramBuilder b, Line l, int col, String msg) { return b.error(l.line(), col, msg); }

    private static void count(ProgramBuilder b, Line l, int n) {
        if (l.ops().size() != n)
            throw err(b, l, l.mcol(), "Invalid number of operands for mnemonic: " + l.mnemonic() + " (expected " + n + ", got " + l.ops().size() + ")");
    }

    private static void encode(ProgramBuilder b, Line l) {
        String m = l.mnemonic();
        List<Op> ops = l.ops();
        boolean is32 = m.endsWith("32") && !m.startsWith("movsx") && !m.matches("(be|le|swap|bswap)32");
        String base = is32 ? m.substring(0, m.length() - 2) : m;
        int aluCls = is32 ? BPF_ALU : BPF_ALU64;
        if (m.equals("exit")) { count(b, l, 0); b.emit(Macros.BPF_EXIT_INSN(), l.line()); return; }
        if (m.equals("lock")) { lock(b, l); return; }
        if (m.equals("call")) { call(b, l); return; }
        if (m.equals("ja") || m.equals("ja32")) {
            count(b, l, 1);
            int idx = b.emit(m.equals("ja") ? Macros.BPF_JMP_A(0) : Macros.BPF_JMP32_A(0), l.line());
            target(b, l, ops.get(0), idx, m.equals("ja32"));
            return;
        }
        if (m.equals("lddw")) {
            count(b, l, 2);
            b.emitAll(Macros.BPF_LD_IMM64(reg(b, l, ops.get(0)), imm64(b, l, ops.get(1))), l.line());
            return;
        }
        Matcher mm;
        if ((mm = Pattern.compile("^ldx(s?)(b|h|w|dw)$").matcher(m)).matches()) {
            count(b, l, 2);
            boolean sx = !mm.group(1).isEmpty();
            if (sx && mm.group(2).equals("dw")) throw err(b, l, l.mcol(), "Invalid mnemonic: " + m);
            int[] mem = mem(b, l, ops.get(1));
            b.emit(new Insn(BPF_LDX | SIZES.get(mm.group(2)) | (sx ? BPF_MEMSX : BPF_MEM), reg(b, l, ops.get(0)), mem[0], mem[1], 0), l.line());
            return;
        }
        if ((mm = Pattern.compile("^st(x?)(b|h|w|dw)$").matcher(m)).matches()) {
            count(b, l, 2);
            int[] mem = mem(b, l, ops.get(0));
            int size = SIZES.get(mm.group(2));
            if (mm.group(1).isEmpty()) b.emit(new Insn(BPF_ST | size | BPF_MEM, mem[0], 0, mem[1], imm32(b, l, ops.get(1))), l.line());
            else b.emit(new Insn(BPF_STX | size | BPF_MEM, mem[0], reg(b, l, ops.get(1)), mem[1], 0), l.line());
            return;
        }
        if ((mm = Pattern.compile("^(be|le|swap|bswap)(16|32|64)$").matcher(m)).matches()) {
            count(b, l, 1);
            int code = switch (mm.group(1)) {
                case "be" -> BPF_ALU | BPF_END | BPF_TO_BE;
                case "le" -> BPF_ALU | BPF_END | BPF_TO_LE;
                default -> BPF_ALU64 | BPF_END | BPF_TO_LE;
            };
            b.emit(new Insn(code, reg(b, l, ops.get(0)), 0, 0, Integer.parseInt(mm.group(2))), l.line());
            return;
        }
        if ((mm = Pattern.compile("^movsx(8|16|32)(32|64)$").matcher(m)).matches()) {
            count(b, l, 2);
            int bits = Integer.parseInt(mm.group(1));
            boolean w = mm.group(2).equals("32");
            if (w && bits == 32) throw err(b, l, l.mcol(), "Invalid mnemonic: " + m);
            b.emit(new Insn((w ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_X, reg(b, l, ops.get(0)), reg(b, l, ops.get(1)), bits, 0), l.line());
            return;
        }
        if (base.equals("neg")) {
            count(b, l, 1);
            b.emit(new Insn(aluCls | BPF_NEG, reg(b, l, ops.get(0)), 0, 0, 0), l.line());
            return;
        }
        if (ALU.containsKey(base)) {
            count(b, l, 2);
            int op = ALU.get(base);
            int off = base.startsWith("s") && !base.equals("sub") ? 1 : 0;
            int dst = reg(b, l, ops.get(0));
            Op src = ops.get(1);
            if (src.text().startsWith("%")) b.emit(new Insn(aluCls | op | BPF_X, dst, reg(b, l, src), off, 0), l.line());
            else b.emit(new Insn(aluCls | op | BPF_K, dst, 0, off, imm32(b, l, src)), l.line());
            return;
        }
        if (JMP.containsKey(base)) {
            count(b, l, 3);
            int cls = is32 ? BPF_JMP32 : BPF_JMP;
            int op = JMP.get(base);
            int dst = reg(b, l, ops.get(0));
            Op src = ops.get(1);
            Insn insn = src.text().startsWith("%")
                ? new Insn(cls | op | BPF_X, dst, reg(b, l, src), 0, 0)
                : new Insn(cls | op | BPF_K, dst, 0, 0, imm32(b, l, src));
            int idx = b.emit(insn, l.line());
            target(b, l, ops.get(2), idx, false);
            return;
        }
        throw err(b, l, l.mcol(), "Invalid mnemonic: " + m);
    }

    private static void call(ProgramBuilder b, Line l) {
        List<Op> ops = l.ops();
        if (ops.size() == 1) {
            Op t = ops.get(0);
            if (t.text().startsWith("%")) b.emit(new Insn(BPF_JMP | BPF_CALL | BPF_X, reg(b, l, t), 0, 0, 0), l.line());
            else b.emit(Macros.BPF_EMIT_CALL(imm32(b, l, t)), l.line());
            return;
        }
        count(b, l, 2);
        Op mode = ops.get(0);
        Op t = ops.get(1);
        switch (mode.text()) {
            case "helper" -> b.emit(Macros.BPF_EMIT_CALL(imm32(b, l, t)), l.line());
            case "runtime" -> b.emit(new Insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, imm32(b, l, t)), l.line());
            case "local" -> {
                int idx = b.emit(Macros.BPF_CALL_REL(0), l.line());
                if (t.text().startsWith("+") || t.text().startsWith("-")) b.replaceLast(Macros.BPF_CALL_REL(imm32(b, l, t)));
                else b.refer(idx, t.text(), ProgramBuilder.Fix.CALL_LOCAL, l.line(), t.col());
            }
            default -> throw err(b, l, mode.col(), "Invalid call mode: " + mode.text());
        }
    }

    /** {@code lock [fetch] op [dst+off], src}; xchg and cmpxchg always fetch. */
    private static void lock(ProgramBuilder b, Line l) {
        List<Op> ops = new ArrayList<>(l.ops());
        boolean fetch = !ops.isEmpty() && ops.get(0).text().equals("fetch");
        if (fetch) ops.remove(0);
        if (ops.size() != 3) throw err(b, l, l.mcol(), "Invalid number of operands for lock");
        String op = ops.get(0).text();
        boolean is32 = op.endsWith("32");
        String base = is32 ? op.substring(0, op.length() - 2) : op;
        int imm;
        if (ATOMIC.containsKey(base)) imm = ATOMIC.get(base) | (fetch ? BPF_FETCH : 0);
        else if (base.equals("xchg")) imm = BPF_XCHG;
        else if (base.equals("cmpxchg")) imm = BPF_CMPXCHG;
        else throw err(b, l, ops.get(0).col(), "Invalid atomic operation: " + op);
        int[] mem = mem(b, l, ops.get(1));
        b.emit(new Insn(BPF_STX | (is32 ? BPF_W : BPF_DW) | BPF_ATOMIC, mem[0], reg(b, l, ops.get(2)), mem[1], imm), l.line());
    }

    private static void target(ProgramBuilder b, Line l, Op t, int idx, boolean imm) {
        String s = t.text();
        if (s.startsWith("+") || s.startsWith("-")) {
            long v = number(b, l, t);
            if (imm) b.replaceLast(b.lastInsn().withImm((int) v));
            else {
                if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) throw err(b, l, t.col(), "Invalid offset: " + s);
                b.replaceLast(b.lastInsn().withOff((int) v));
            }
        } else {
            b.refer(idx, s, imm ? ProgramBuilder.Fix.IMM : ProgramBuilder.Fix.OFF, l.line(), t.col());
        }
    }

    private static int reg(ProgramBuilder b, Line l, Op o) {
        String s = o.text();
        if (s.matches("%r(10|[0-9])")) return Integer.parseInt(s.substring(2));
        throw err(b, l, o.col(), "Invalid register: " + s);
    }

    /** [%rN+off] as {register, offset}. */
    private static int[] mem(ProgramBuilder b, Line l, Op o) {
        Matcher m = MEM.matcher(o.text());
        if (!m.matches()) throw err(b, l, o.col(), "Failed to decode register and offset: " + o.text());
        int r = reg(b, l, new Op(m.group(1), o.col() + 1));
        long off = 0;
        if (m.group(2) != null) {
            off = number(b, l, new Op(m.group(3), o.col()));
            if (m.group(2).equals("-")) off = -off;
        }
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) throw err(b, l, o.col(), "Invalid offset: " + o.text() + " does not fit in 16 bits");
        return new int[] {r, (int) off};
    }

    /** A 32-bit immediate: decimal must fit a signed int, hex an unsigned one. */
    private static int imm32(ProgramBuilder b, Line l, Op o) {
        String s = o.text();
        long v = number(b, l, o);
        boolean hex = s.replaceFirst("^[-+]", "").toLowerCase().startsWith("0x");
        if (hex ? (v < Integer.MIN_VALUE || v > 0xffffffffL) : (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE))
            throw err(b, l, o.col(), "Invalid immediate: " + s + " does not fit in 32 bits");
        return (int) v;
    }

    private static long number(ProgramBuilder b, Line l, Op o) {
        String s = o.text();
        boolean neg = s.startsWith("-");
        String body = s.replaceFirst("^[-+]", "");
        try {
            long v = body.toLowerCase().startsWith("0x") ? Long.parseLong(body.substring(2), 16) : Long.parseLong(body);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw err(b, l, o.col(), "Invalid number: " + s);
        }
    }

    private static long imm64(ProgramBuilder b, Line l, Op o) {
        String s = o.text();
        boolean neg = s.startsWith("-");
        String body = s.replaceFirst("^[-+]", "");
        try {
            BigInteger v = body.toLowerCase().startsWith("0x") ? new BigInteger(body.substring(2), 16) : new BigInteger(body);
            if (neg) v = v.negate();
            if (v.compareTo(BigInteger.ONE.shiftLeft(64)) >= 0 || v.compareTo(BigInteger.ONE.shiftLeft(63).negate()) < 0)
                throw err(b, l, o.col(), "Invalid immediate: " + s + " does not fit in 64 bits");
            return v.longValue();
        } catch (NumberFormatException e) {
            throw err(b, l, o.col(), "Invalid number: " + s);
        }
    }
}
