package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;

import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The LLVM BPF assembly syntax kernel selftests write in inline asm ({@code r1 = *(u64 *)(r1 +0)},
 * {@code w0 *= 2}, {@code if r2 == 0 goto +3}, {@code call bpf_kfunc_st_ops_inc10},
 * {@code lock *(u64 *)(r1 +0) += r2}, ...), plus the forms print_bpf_insn() prints
 * ({@code call pc+1}, {@code goto pc-3}, {@code if r1 == 0x1 goto pc+2}, {@code atomic64_xchg(...)})
 * so that disassembled text assembles back. Statements end at a newline or {@code ;};
 * comments are {@code //}, {@code #} (at the start of a word) and {@code /* ... *}{@code /}.
 */
final class LlvmAsm {
    private LlvmAsm() {}

    private static final String R = "([rw]\\d+)";
    private static final String NUM = "([-+]?\\s*(?:0[xX][0-9a-fA-F]+|\\d+))";
    private static final String SZ = "(u8|u16|u32|u64|s8|s16|s32|s64)";
    private static final String MEM = "\\(\\s*([rw]\\d+)\\s*(?:([+-])\\s*(0[xX][0-9a-fA-F]+|\\d+))?\\s*\\)";
    private static final String TARGET = "(pc\\s*[+-]\\s*\\d+|[+-]\\s*\\d+|[A-Za-z_.$][\\w.$]*)";
    private static final String NAME = "([A-Za-z_.$][\\w.$]*)";

    private static Pattern p(String re) { return Pattern.compile("^" + re + "$"); }

    private static final Pattern LABEL = Pattern.compile("^([A-Za-z_.$][\\w.$]*|\\d+)\\s*:");
    private static final Pattern EXIT = p("exit");
    private static final Pattern CALL = p("call\\s+(pc\\s*[+-]\\s*\\d+|\\d+|[A-Za-z_.$][\\w.$]*)(?:#-?\\d+)?");
    private static final Pattern CALLX = p("callx\\s+" + R);
    private static final Pattern GOTO = p("(goto|gotol|may_goto)\\s+" + TARGET);
    private static final Pattern IF = p("if\\s+" + R + "\\s*(==|!=|s>=|s<=|s>|s<|>=|<=|>|<|&)\\s*(?:" + R + "|" + NUM + ")\\s+goto\\s+" + TARGET);
    private static final Pattern LOCK = p("lock\\s+\\*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*" + MEM + "\\s*(\\+=|\\|=|&=|\\^=)\\s*" + R);
    private static final Pattern FETCH = p(R + "\\s*=\\s*atomic(?:64)?_fetch_(add|and|or|xor)\\(\\s*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*" + MEM + "\\s*,\\s*" + R + "\\s*\\)");
    private static final Pattern XCHG_K = p(R + "\\s*=\\s*atomic(?:64)?_xchg\\(\\s*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*" + MEM + "\\s*,\\s*" + R + "\\s*\\)");
    private static final Pattern CMPXCHG_K = p(R + "\\s*=\\s*atomic(?:64)?_cmpxchg\\(\\s*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*" + MEM + "\\s*,\\s*" + R + "\\s*,\\s*" + R + "\\s*\\)");
    private static final Pattern XCHG_L = p(R + "\\s*=\\s*(xchg_64|xchg32_32)\\(\\s*([rw]\\d+)\\s*(?:([+-])\\s*(0[xX][0-9a-fA-F]+|\\d+))?\\s*,\\s*" + R + "\\s*\\)");
    private static final Pattern CMPXCHG_L = p(R + "\\s*=\\s*(cmpxchg_64|cmpxchg32_32)\\(\\s*([rw]\\d+)\\s*(?:([+-])\\s*(0[xX][0-9a-fA-F]+|\\d+))?\\s*,\\s*" + R + "\\s*,\\s*" + R + "\\s*\\)");
    private static final Pattern LOAD_ACQ = p(R + "\\s*=\\s*load_acquire\\(\\s*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*" + MEM + "\\s*\\)");
    private static final Pattern STORE_REL = p("store_release\\(\\s*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*" + MEM + "\\s*,\\s*" + R + "\\s*\\)");
    private static final Pattern STORE = p("\\*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*" + MEM + "\\s*=\\s*(?:" + R + "|" + NUM + ")");
    private static final Pattern LOAD = p(R + "\\s*=\\s*\\*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*" + MEM);
    private static final Pattern LD_ABS = p("r0\\s*=\\s*\\*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*skb\\[\\s*" + NUM + "\\s*\\]");
    private static final Pattern LD_IND = p("r0\\s*=\\s*\\*\\(\\s*" + SZ + "\\s*\\*\\s*\\)\\s*skb\\[\\s*" + R + "\\s*(?:\\+\\s*" + NUM + ")?\\s*\\]");
    private static final Pattern LDDW = p(R + "\\s*=\\s*(?:" + NUM + "|" + NAME + "(?:\\s*\\+\\s*(0[xX][0-9a-fA-F]+|\\d+))?)\\s+ll");
    private static final Pattern NEG = p(R + "\\s*=\\s*-\\s*" + R);
    private static final Pattern ENDIAN = p(R + "\\s*=\\s*(be|le|bswap)(16|32|64)\\s+" + R);
    private static final Pattern MOVSX = p(R + "\\s*=\\s*\\(\\s*(s8|s16|s32)\\s*\\)\\s*" + R);
    private static final Pattern ALU = p(R + "\\s*(=|\\+=|-=|\\*=|/=|%=|\\|=|&=|\\^=|<<=|>>=|s>>=|s/=|s%=)\\s*(?:" + R + "|" + NUM + ")");
    private static final Pattern NOSPEC = p("nospec");

    private static final Map<String, Integer> ALU_OPS = Map.ofEntries(
        Map.entry("=", BPF_MOV), Map.entry("+=", BPF_ADD), Map.entry("-=", BPF_SUB), Map.entry("*=", BPF_MUL),
        Map.entry("/=", BPF_DIV), Map.entry("%=", BPF_MOD), Map.entry("|=", BPF_OR), Map.entry("&=", BPF_AND),
        Map.entry("^=", BPF_XOR), Map.entry("<<=", BPF_LSH), Map.entry(">>=", BPF_RSH), Map.entry("s>>=", BPF_ARSH),
        Map.entry("s/=", BPF_DIV), Map.entry("s%=", BPF_MOD));
    private static final Map<String, Integer> JMP_OPS = Map.ofEntries(
        Map.entry("==", BPF_JEQ), Map.entry("!=", BPF_JNE), Map.entry(">", BPF_JGT), Map.entry(">=", BPF_JGE),
        Map.entry("<", BPF_JLT), Map.entry("<=", BPF_JLE), Map.entry("s>", BPF_JSGT), Map.entry("s>=", BPF_JSGE),
        Map.entry("s<", BPF_JSLT), Map.entry("s<=", BPF_JSLE), Map.entry("&", BPF_JSET));
    private static final Map<String, Integer> LOCK_OPS = Map.of("+=", BPF_ADD, "|=", BPF_OR, "&=", BPF_AND, "^=", BPF_XOR);

    /** One statement of the source: its text and where it starts. */
    private record Stmt(String text, int line, int col) {}

    static Assembler.Result assemble(String source, String file, Assembler.DirectiveHandler directives) {
        ProgramBuilder b = new ProgramBuilder(file);
        String[] lines = source.split("\r?\n", -1);
        boolean inBlockComment = false;
        for (int ln = 0; ln < lines.length; ln++) {
            String raw = lines[ln];
            StringBuilder clean = new StringBuilder(raw.length());
            // Blank out comments, keeping columns; a "string" (of a directive) is kept whole:
            // no comment or ';' starts inside it, and it must end on its line.
            int stringAt = -1;
            for (int i = 0; i < raw.length(); i++) {
                char ch = raw.charAt(i);
                if (ch < 0x20 && ch != '\t' || ch == 0x7f) {
                    throw new AsmException(file, ln + 1, i + 1, String.format("control character U+%04X in the program text", (int) ch));
                }
                if (stringAt >= 0) {
                    clean.append(ch);
                    if (ch == '\\' && i + 1 < raw.length()) {
                        clean.append(raw.charAt(++i));
                    } else if (ch == '"') {
                        stringAt = -1;
                    }
                } else if (!inBlockComment && ch == '"') {
                    stringAt = i;
                    clean.append(ch);
                } else if (inBlockComment) {
                    if (ch == '*' && i + 1 < raw.length() && raw.charAt(i + 1) == '/') { inBlockComment = false; clean.append("  "); i++; }
                    else clean.append(' ');
                } else if (ch == '/' && i + 1 < raw.length() && raw.charAt(i + 1) == '*') {
                    inBlockComment = true; clean.append("  "); i++;
                } else if (ch == '/' && i + 1 < raw.length() && raw.charAt(i + 1) == '/') {
                    break;
                } else if (ch == '#' && (i == 0 || Character.isWhitespace(raw.charAt(i - 1)) || raw.charAt(i - 1) == ';')) {
                    break;
                } else clean.append(ch);
            }
            if (stringAt >= 0) {
                throw new AsmException(file, ln + 1, stringAt + 1, "unterminated string (missing '\"')");
            }
            int start = 0;
            String text = clean.toString();
            boolean quoted = false;
            for (int i = 0; i <= text.length(); i++) {
                if (i < text.length() && text.charAt(i) == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                    quoted = !quoted;
                }
                if (i == text.length() || text.charAt(i) == ';' && !quoted) {
                    statement(b, text.substring(start, i), ln + 1, start + 1, directives);
                    start = i + 1;
                }
            }
        }
        Program p = b.finish();
        return new Assembler.Result(p, b.lines());
    }

    private static void statement(ProgramBuilder b, String text, int line, int col, Assembler.DirectiveHandler directives) {
        int lead = 0;
        while (lead < text.length() && Character.isWhitespace(text.charAt(lead))) lead++;
        String s = text.substring(lead).trim().replaceAll("^(\\w*_)%=:", "$1:");
        col += lead;
        // Labels, possibly several, possibly followed by an instruction on the same line.
        while (true) {
            Matcher m = LABEL.matcher(s);
            if (!m.find()) break;
            b.label(m.group(1), line, col);
            int skip = m.end();
            while (skip < s.length() && Character.isWhitespace(s.charAt(skip))) skip++;
            col += skip;
            s = s.substring(skip);
        }
        if (s.isEmpty()) return;
        if (s.startsWith(".")) {
            directives.directive(s, line, col, b.size());
            return;
        }
        // Inline-asm operands written as %[name] (the selftests' __imm(name)) stand for the name;
        // "%=" ending a label (l0_%=) is inline asm's unique number, the same within one asm block.
        s = s.replaceAll("%\\[(\\w+)\\]", "$1").replaceAll("(\\w_)%=(?=$|[\\s:;,])", "$1");
        // llvm-objdump appends the target's symbol to jumps: "goto +2 <LBB0_3>".
        s = s.replaceAll("\\s*<[\\w.$]+>$", "");
        instruction(b, new Stmt(s, line, col));
    }

    private static void instruction(ProgramBuilder b, Stmt st) {
        String s = st.text();
        Matcher m;
        if ((m = EXIT.matcher(s)).matches()) { b.emit(new Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), st.line()); return; }
        if ((m = NOSPEC.matcher(s)).matches()) { b.emit(Macros.BPF_ST_NOSPEC(), st.line()); return; }
        if ((m = CALL.matcher(s)).matches()) { call(b, st, m.group(1)); return; }
        if ((m = CALLX.matcher(s)).matches()) {
            b.emit(new Insn(BPF_JMP | BPF_CALL | BPF_X, reg(b, st, m, 1, false), 0, 0, 0), st.line());
            return;
        }
        if ((m = GOTO.matcher(s)).matches()) {
            String kind = m.group(1);
            Insn insn = switch (kind) {
                case "goto" -> new Insn(BPF_JMP | BPF_JA, 0, 0, 0, 0);
                case "gotol" -> new Insn(BPF_JMP32 | BPF_JA, 0, 0, 0, 0);
                default -> new Insn(BPF_JMP | BPF_JCOND, 0, BPF_MAY_GOTO, 0, 0);
            };
            int idx = b.emit(insn, st.line());
            target(b, st, m, 2, idx, kind.equals("gotol"));
            return;
        }
        if ((m = IF.matcher(s)).matches()) {
            boolean w = m.group(1).startsWith("w");
            int cls = w ? BPF_JMP32 : BPF_JMP;
            int op = JMP_OPS.get(m.group(2));
            int dst = reg(b, st, m, 1, false);
            Insn insn;
            if (m.group(3) != null) {
                if (m.group(3).startsWith("w") != w) throw b.error(st.line(), st.col() + m.start(3), "operands of a comparison must both be 64-bit (r) or 32-bit (w) registers");
                insn = new Insn(cls | op | BPF_X, dst, reg(b, st, m, 3, false), 0, 0);
            } else {
                insn = new Insn(cls | op | BPF_K, dst, 0, 0, imm32(b, st, m, 4));
            }
            int idx = b.emit(insn, st.line());
            target(b, st, m, 5, idx, false);
            return;
        }
        if ((m = LOCK.matcher(s)).matches()) {
            int size = size(b, st, m, 1, false);
            atomicSize(b, st, size);
            b.emit(new Insn(BPF_STX | size | BPF_ATOMIC, reg(b, st, m, 2, true), reg(b, st, m, 6, false), off(b, st, m, 3), LOCK_OPS.get(m.group(5))), st.line());
            return;
        }
        if ((m = FETCH.matcher(s)).matches()) {
            int size = size(b, st, m, 3, false);
            atomicSize(b, st, size);
            int src = reg(b, st, m, 7, false);
            if (reg(b, st, m, 1, false) != src) throw b.error(st.line(), st.col(), "atomic fetch must write its source register (r" + src + ")");
            int op = switch (m.group(2)) { case "add" -> BPF_ADD; case "and" -> BPF_AND; case "or" -> BPF_OR; default -> BPF_XOR; };
            b.emit(new Insn(BPF_STX | size | BPF_ATOMIC, reg(b, st, m, 4, true), src, off(b, st, m, 5), op | BPF_FETCH), st.line());
            return;
        }
        if ((m = XCHG_K.matcher(s)).matches()) {
            int size = size(b, st, m, 2, false);
            atomicSize(b, st, size);
            int src = reg(b, st, m, 6, false);
            if (reg(b, st, m, 1, false) != src) throw b.error(st.line(), st.col(), "xchg must write its source register (r" + src + ")");
            b.emit(new Insn(BPF_STX | size | BPF_ATOMIC, reg(b, st, m, 3, true), src, off(b, st, m, 4), BPF_XCHG), st.line());
            return;
        }
        if ((m = CMPXCHG_K.matcher(s)).matches()) {
            int size = size(b, st, m, 2, false);
            atomicSize(b, st, size);
            if (reg(b, st, m, 1, false) != 0 || reg(b, st, m, 6, false) != 0) throw b.error(st.line(), st.col(), "cmpxchg compares and returns r0");
            b.emit(new Insn(BPF_STX | size | BPF_ATOMIC, reg(b, st, m, 3, true), reg(b, st, m, 7, false), off(b, st, m, 4), BPF_CMPXCHG), st.line());
            return;
        }
        if ((m = XCHG_L.matcher(s)).matches()) {
            int size = m.group(2).equals("xchg_64") ? BPF_DW : BPF_W;
            int src = reg(b, st, m, 6, false);
            if (reg(b, st, m, 1, false) != src) throw b.error(st.line(), st.col(), "xchg must write its source register (r" + src + ")");
            b.emit(new Insn(BPF_STX | size | BPF_ATOMIC, reg(b, st, m, 3, true), src, off(b, st, m, 4), BPF_XCHG), st.line());
            return;
        }
        if ((m = CMPXCHG_L.matcher(s)).matches()) {
            int size = m.group(2).equals("cmpxchg_64") ? BPF_DW : BPF_W;
            if (reg(b, st, m, 1, false) != 0 || reg(b, st, m, 6, false) != 0) throw b.error(st.line(), st.col(), "cmpxchg compares and returns r0");
            b.emit(new Insn(BPF_STX | size | BPF_ATOMIC, reg(b, st, m, 3, true), reg(b, st, m, 7, false), off(b, st, m, 4), BPF_CMPXCHG), st.line());
            return;
        }
        if ((m = LOAD_ACQ.matcher(s)).matches()) {
            b.emit(new Insn(BPF_STX | size(b, st, m, 2, false) | BPF_ATOMIC, reg(b, st, m, 1, false), reg(b, st, m, 3, true), off(b, st, m, 4), BPF_LOAD_ACQ), st.line());
            return;
        }
        if ((m = STORE_REL.matcher(s)).matches()) {
            b.emit(new Insn(BPF_STX | size(b, st, m, 1, false) | BPF_ATOMIC, reg(b, st, m, 2, true), reg(b, st, m, 5, false), off(b, st, m, 3), BPF_STORE_REL), st.line());
            return;
        }
        if ((m = STORE.matcher(s)).matches()) {
            int size = size(b, st, m, 1, false);
            int dst = reg(b, st, m, 2, true);
            int off = off(b, st, m, 3);
            if (m.group(5) != null) b.emit(new Insn(BPF_STX | size | BPF_MEM, dst, reg(b, st, m, 5, false), off, 0), st.line());
            else b.emit(new Insn(BPF_ST | size | BPF_MEM, dst, 0, off, imm32(b, st, m, 6)), st.line());
            return;
        }
        if ((m = LOAD.matcher(s)).matches()) {
            boolean sx = m.group(2).startsWith("s");
            int size = size(b, st, m, 2, true);
            if (sx && size == BPF_DW) throw b.error(st.line(), st.col() + m.start(2), "sign-extending loads exist for s8, s16 and s32 only");
            b.emit(new Insn(BPF_LDX | size | (sx ? BPF_MEMSX : BPF_MEM), reg(b, st, m, 1, false), reg(b, st, m, 3, true), off(b, st, m, 4), 0), st.line());
            return;
        }
        if ((m = LD_ABS.matcher(s)).matches()) { b.emit(Macros.BPF_LD_ABS(size(b, st, m, 1, false), imm32(b, st, m, 2)), st.line()); return; }
        if ((m = LD_IND.matcher(s)).matches()) {
            int imm = m.group(3) == null ? 0 : imm32(b, st, m, 3);
            b.emit(Macros.BPF_LD_IND(size(b, st, m, 1, false), reg(b, st, m, 2, true), imm), st.line());
            return;
        }
        if ((m = LDDW.matcher(s)).matches()) {
            int dst = reg(b, st, m, 1, false);
            if (m.group(2) != null) {
                b.emitAll(Macros.BPF_LD_IMM64(dst, imm64(b, st, m, 2)), st.line());
            } else if (m.group(4) == null) {
                int idx = b.size();
                b.emitAll(Macros.BPF_LD_IMM64_RAW(dst, BPF_PSEUDO_MAP_FD, 0), st.line());
                b.reloc(idx, Reloc.Kind.MAP, m.group(3));
            } else {
                // NAME + OFF ll: the value of map NAME at OFF (global data), a BPF_PSEUDO_MAP_VALUE load
                long off = Long.decode(m.group(4));
                if (off > 0xffffffffL) throw b.error(st.line(), st.col() + m.start(4), "map value offset " + m.group(4) + " does not fit 32 bits");
                int idx = b.size();
                b.emitAll(Macros.BPF_LD_IMM64_RAW_FULL(dst, BPF_PSEUDO_MAP_VALUE, 0, 0, 0, (int) off), st.line());
                b.reloc(idx, Reloc.Kind.MAP_VALUE, m.group(3));
            }
            return;
        }
        if ((m = NEG.matcher(s)).matches()) {
            boolean w = width(b, st, m, 1, 2);
            int dst = reg(b, st, m, 1, false);
            if (reg(b, st, m, 2, false) != dst) throw b.error(st.line(), st.col(), "negation works in place: write r" + dst + " = -r" + dst);
            b.emit(new Insn((w ? BPF_ALU : BPF_ALU64) | BPF_NEG, dst, 0, 0, 0), st.line());
            return;
        }
        if ((m = ENDIAN.matcher(s)).matches()) {
            int dst = reg(b, st, m, 1, false);
            if (reg(b, st, m, 4, false) != dst) throw b.error(st.line(), st.col(), "byte swaps work in place: write r" + dst + " = " + m.group(2) + m.group(3) + " r" + dst);
            int len = Integer.parseInt(m.group(3));
            int code = switch (m.group(2)) {
                case "be" -> BPF_ALU | BPF_END | BPF_TO_BE;
                case "le" -> BPF_ALU | BPF_END | BPF_TO_LE;
                default -> BPF_ALU64 | BPF_END | BPF_TO_LE;
            };
            b.emit(new Insn(code, dst, 0, 0, len), st.line());
            return;
        }
        if ((m = MOVSX.matcher(s)).matches()) {
            boolean w = width(b, st, m, 1, 3);
            int bits = Integer.parseInt(m.group(2).substring(1));
            if (w && bits == 32) throw b.error(st.line(), st.col(), "w = (s32)w is not an instruction");
            b.emit(new Insn((w ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_X, reg(b, st, m, 1, false), reg(b, st, m, 3, false), bits, 0), st.line());
            return;
        }
        if ((m = ALU.matcher(s)).matches()) {
            boolean w = m.group(1).startsWith("w");
            String opText = m.group(2);
            int op = ALU_OPS.get(opText);
            int off = opText.startsWith("s/") || opText.startsWith("s%") ? 1 : 0;
            int cls = w ? BPF_ALU : BPF_ALU64;
            int dst = reg(b, st, m, 1, false);
            if (m.group(3) != null) {
                width(b, st, m, 1, 3);
                b.emit(new Insn(cls | op | BPF_X, dst, reg(b, st, m, 3, false), off, 0), st.line());
            } else {
                b.emit(new Insn(cls | op | BPF_K, dst, 0, off, imm32(b, st, m, 4)), st.line());
            }
            return;
        }
        throw b.error(st.line(), st.col(), "unknown instruction '" + s + "'");
    }

    private static void call(ProgramBuilder b, Stmt st, String target) {
        String t = target.replaceAll("\\s", "");
        if (t.startsWith("pc")) {
            b.emit(Macros.BPF_CALL_REL(Integer.parseInt(t.substring(2))), st.line());
        } else if (Character.isDigit(t.charAt(0))) {
            b.emit(Macros.BPF_EMIT_CALL(parseInt(b, st, t)), st.line());
        } else {
            int idx = b.emit(Macros.BPF_EMIT_CALL(0), st.line());
            b.refer(idx, t, ProgramBuilder.Fix.CALL, st.line(), st.col() + st.text().indexOf(target));
        }
    }

    private static void target(ProgramBuilder b, Stmt st, Matcher m, int g, int idx, boolean imm) {
        String t = m.group(g).replaceAll("\\s", "");
        int col = st.col() + m.start(g);
        if (t.startsWith("pc")) t = t.substring(2);
        if (t.startsWith("+") || t.startsWith("-")) {
            long v = Long.parseLong(t);
            Insn i = b.lastInsn();
            if (imm) {
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw b.error(st.line(), col, "jump offset out of range");
                b.replaceLast(i.withImm((int) v));
            } else {
                if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) throw b.error(st.line(), col, "jump offset " + v + " does not fit in 16 bits (use gotol)");
                b.replaceLast(i.withOff((int) v));
            }
        } else {
            b.refer(idx, t, imm ? ProgramBuilder.Fix.IMM : ProgramBuilder.Fix.OFF, st.line(), col);
        }
    }

    /** A register operand; memory bases must be 64-bit registers. */
    private static int reg(ProgramBuilder b, Stmt st, Matcher m, int g, boolean base) {
        String r = m.group(g);
        int n;
        try { n = Integer.parseInt(r.substring(1)); } catch (NumberFormatException e) { n = 99; }
        if (n > 10) throw b.error(st.line(), st.col() + m.start(g), "invalid register '" + r + "' (r0..r10)");
        if (base && r.startsWith("w")) throw b.error(st.line(), st.col() + m.start(g), "a memory base must be a 64-bit register, not " + r);
        return n;
    }

    /** Checks both registers have the same width; true for 32-bit. */
    private static boolean width(ProgramBuilder b, Stmt st, Matcher m, int g1, int g2) {
        boolean w = m.group(g1).startsWith("w");
        if (m.group(g2).startsWith("w") != w)
            throw b.error(st.line(), st.col() + m.start(g2), "operands must both be 64-bit (r) or 32-bit (w) registers");
        return w;
    }

    private static int size(ProgramBuilder b, Stmt st, Matcher m, int g, boolean allowSigned) {
        String s = m.group(g);
        if (s.startsWith("s") && !allowSigned) throw b.error(st.line(), st.col() + m.start(g), "'" + s + "' is not a size for this instruction (u8, u16, u32, u64)");
        return switch (s.substring(1)) {
            case "8" -> BPF_B;
            case "16" -> BPF_H;
            case "32" -> BPF_W;
            default -> BPF_DW;
        };
    }

    private static void atomicSize(ProgramBuilder b, Stmt st, int size) {
        if (size != BPF_W && size != BPF_DW) throw b.error(st.line(), st.col(), "atomic operations take u32 or u64 operands");
    }

    private static int off(ProgramBuilder b, Stmt st, Matcher m, int signGroup) {
        if (m.group(signGroup) == null) return 0;
        long v = parseLong(b, st, m.group(signGroup + 1), st.col() + m.start(signGroup + 1));
        if (m.group(signGroup).equals("-")) v = -v;
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) throw b.error(st.line(), st.col() + m.start(signGroup), "offset " + v + " does not fit in 16 bits");
        return (int) v;
    }

    private static int imm32(ProgramBuilder b, Stmt st, Matcher m, int g) {
        long v = parseLong(b, st, m.group(g).replaceAll("\\s", ""), st.col() + m.start(g));
        // Like LLVM, accept anything that fits 32 bits signed or unsigned.
        if (v < Integer.MIN_VALUE || v > 0xffffffffL) throw b.error(st.line(), st.col() + m.start(g), "immediate " + m.group(g) + " does not fit in 32 bits");
        return (int) v;
    }

    private static long imm64(ProgramBuilder b, Stmt st, Matcher m, int g) {
        String t = m.group(g).replaceAll("\\s", "");
        boolean neg = t.startsWith("-");
        String body = t.replaceFirst("^[-+]", "");
        BigInteger v = body.toLowerCase().startsWith("0x") ? new BigInteger(body.substring(2), 16) : new BigInteger(body);
        if (neg) v = v.negate();
        if (v.bitLength() > 64 || (v.signum() > 0 && v.bitLength() > 64) || v.compareTo(BigInteger.ONE.shiftLeft(64)) >= 0
                || v.compareTo(BigInteger.ONE.shiftLeft(63).negate()) < 0)
            throw b.error(st.line(), st.col() + m.start(g), "immediate " + t + " does not fit in 64 bits");
        return v.longValue();
    }

    private static int parseInt(ProgramBuilder b, Stmt st, String t) {
        long v = parseLong(b, st, t, st.col());
        if (v < Integer.MIN_VALUE || v > 0xffffffffL) throw b.error(st.line(), st.col(), "number " + t + " does not fit in 32 bits");
        return (int) v;
    }

    private static long parseLong(ProgramBuilder b, Stmt st, String t, int col) {
        String s = t.replaceAll("\\s", "");
        boolean neg = s.startsWith("-");
        s = s.replaceFirst("^[-+]", "");
        try {
            long v = s.toLowerCase().startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw b.error(st.line(), col, "number " + t + " is out of range");
        }
    }
}
