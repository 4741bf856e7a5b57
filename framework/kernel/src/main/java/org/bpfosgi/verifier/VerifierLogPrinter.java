package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.MAX_BPF_REG;

import java.util.List;

import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;

/**
 * The verifier log of do_check() in the kernel's format (kernel/bpf/log.c print_verifier_state(),
 * print_insn_state(), vlog_alignment(); verifier.c do_check()): each instruction as
 * print_bpf_insn() prints it, the registers and stack slots it changed appended after a ';'
 * aligned as the kernel aligns it, "from X to Y:" with the whole state when a pending branch is
 * taken up (level 2), and "N: safe" when a path is pruned.
 *
 * <p>Source lines from the program's BTF line_info precede an instruction as verbose_linfo()
 * prints them. Not modelled: liveness marks ({@code _w}, {@code _r}) and precision marks
 * ({@code P}), which the model does not track.
 */
final class VerifierLogPrinter {
    /** BPF_LOG_MIN_ALIGNMENT. */
    private static final int BPF_LOG_MIN_ALIGNMENT = 8;
    /** BPF_LOG_ALIGNMENT. */
    private static final int BPF_LOG_ALIGNMENT = 40;

    private final DoCheck dc;
    private final BpfVerifierLog log;
    private long scratchedRegs;
    private long scratchedSlots;
    private long prevLogPos;
    private int prevInsnPrintPos;
    private int curInsn;
    /** do_print_state after a pop: the "from %d to %d" of the popped state, -1 for none. */
    private int pendingFrom = -1;
    private int pendingTo;
    /** {@code env->prev_linfo}: index of the line_info record printed last, -1 for none. */
    private int prevLinfo = -1;

    VerifierLogPrinter(DoCheck dc) {
        this.dc = dc;
        this.log = dc.env.log;
    }

    boolean on() {
        return log.level() != 0;
    }

    boolean level2() {
        return (log.level() & BpfVerifierLog.BPF_LOG_LEVEL2) != 0;
    }

    void scratchReg(int r) {
        scratchedRegs |= 1L << r;
    }

    void scratchSlot(int spi) {
        scratchedSlots |= 1L << spi;
    }

    void scratchAll() {
        scratchedRegs = -1L;
        scratchedSlots = -1L;
    }

    private boolean scratched() {
        return scratchedRegs != 0 || scratchedSlots != 0;
    }

    Disassembler.Callbacks callbacks() {
        return new Disassembler.Callbacks() {
            @Override
            public String call(Insn insn) {
                if (insn.isKfuncCall()) {
                    return CheckKfuncCall.kfuncName(dc.env, insn.imm(), insn.off());
                }
                return null;
            }
        };
    }

    /** The per-instruction line of do_check() at log levels 1 and 2. */
    void insn(int idx, Insn insn, List<Insn> insns) {
        if (!on()) {
            scratchedRegs = 0;
            scratchedSlots = 0;
            return;
        }
        curInsn = idx;
        printPendingFrom();
        if (scratched()) {
            insnState();
        }
        Insn next = idx + 1 < insns.size() ? insns.get(idx + 1) : null;
        verboseLinfo(idx, "; ");
        prevLogPos = log.endPos();
        log.append(idx + ": " + dc.disasm(insn, next) + "\n");
        prevInsnPrintPos = (int) (log.endPos() - prevLogPos);
        prevLogPos = log.endPos();
    }

    /** Models print_insn_state(): on the instruction's line when nothing was logged since, else on its own. */
    private void insnState() {
        if (prevLogPos != 0 && prevLogPos == log.endPos()) {
            log.dropLast(1);
            log.append(" ".repeat(Math.max(0, vlogAlignment(prevInsnPrintPos))) + ";");
        } else {
            log.append(curInsn + ":");
        }
        printVerifierState(dc.cur.cur(), false);
    }

    /**
     * Models the print_insn_state() call at the end of check_cond_jmp_op(): the state goes out now,
     * on the jump's line or (after mark_precise lines) as "idx: state", not before the next insn.
     */
    void insnStateNow() {
        if (!on()) {
            scratchedRegs = 0;
            scratchedSlots = 0;
            return;
        }
        if (scratched()) {
            insnState();
        }
    }

    /**
     * Models find_linfo() (kernel/bpf/log.c, v6.12): the last line_info record at or before
     * {@code insnOff} (binary search for the rightmost {@code insn_off <= insnOff}); -1 when
     * there is none or {@code insnOff} is beyond the program.
     */
    private int findLinfo(int insnOff) {
        List<Integer> offs = dc.env.linfoInsnOff;
        int nr = Math.min(offs.size(), dc.env.linfo.size());
        if (nr == 0 || insnOff >= dc.env.insns.size()) {
            return -1;
        }
        int l = 0;
        int r = nr - 1;
        while (l < r) {
            int m = l + (r - l + 1) / 2;
            if (offs.get(m) <= insnOff) {
                l = m;
            } else {
                r = m - 1;
            }
        }
        return l;
    }

    /**
     * Models verbose_linfo() (kernel/bpf/log.c, v6.12): "PREFIX&lt;source line, leading
     * whitespace trimmed&gt; @ &lt;file base name&gt;:&lt;line&gt;", unless the record is the one
     * printed last or names the same file and line (columns are not shown, so that would print
     * the same text twice). {@code prev_linfo} starts empty at each do_check_common(): one
     * printer per DoCheck.
     */
    void verboseLinfo(int insnOff, String prefix) {
        if (!on()) {
            return;
        }
        int i = findLinfo(insnOff);
        if (i < 0 || i == prevLinfo) {
            return;
        }
        org.bpfosgi.btf.BtfExt.LineInfo linfo = dc.env.linfo.get(i);
        if (prevLinfo >= 0) {
            org.bpfosgi.btf.BtfExt.LineInfo prev = dc.env.linfo.get(prevLinfo);
            if (linfo.fileNameOff() == prev.fileNameOff() && linfo.line() == prev.line()) {
                return;
            }
        }
        String line = org.bpfosgi.btf.BtfExt.strOrNull(dc.env.progBtf, linfo.lineOff());
        String file = org.bpfosgi.btf.BtfExt.strOrNull(dc.env.progBtf, linfo.fileNameOff());
        // check_btf_line() accepted both offsets, so neither is null here
        int c = 0;
        while (c < line.length() && isCSpace(line.charAt(c))) {
            c++;
        }
        String fname = file.substring(file.lastIndexOf('/') + 1);
        log.append(prefix + line.substring(c) + " @ " + fname + ":" + Integer.toUnsignedString(linfo.line()) + "\n");
        prevLinfo = i;
    }

    /** isspace() of the kernel's ctype (lib/ctype.c): space, \t \n \v \f \r, and Latin-1 NBSP. */
    private static boolean isCSpace(char ch) {
        return ch == ' ' || (ch >= '\t' && ch <= '\r') || ch == '\u00a0';
    }

    /** Nothing is held back; kept for the callers that end a log section. */
    void flush() {
    }

    /** Models vlog_alignment(). */
    static int vlogAlignment(int pos) {
        int v = Math.max(pos + BPF_LOG_MIN_ALIGNMENT / 2, BPF_LOG_ALIGNMENT);
        int rounded = (v + BPF_LOG_MIN_ALIGNMENT - 1) / BPF_LOG_MIN_ALIGNMENT * BPF_LOG_MIN_ALIGNMENT;
        return rounded - pos - 1;
    }

    /**
     * The prune message of do_check(): "\nfrom %d to %d: safe" when the state was popped just
     * before (do_print_state), else "%d: safe".
     */
    void safe(int idx) {
        if (!on()) {
            pendingFrom = -1;
            return;
        }
        flush();
        if (pendingFrom >= 0) {
            log.log("\nfrom %d to %d: safe\n", pendingFrom, pendingTo);
            pendingFrom = -1;
            return;
        }
        log.log("%d: safe\n", idx);
    }

    /**
     * A state was popped (do_print_state = true): at level 2 its "\nfrom %d to %d:" line and full
     * state go out before its first instruction, unless that instruction prunes it at once.
     */
    void fromTo(int from, int to) {
        scratchAll();
        pendingFrom = from;
        pendingTo = to;
    }

    private void printPendingFrom() {
        if (pendingFrom < 0) {
            return;
        }
        int from = pendingFrom;
        pendingFrom = -1;
        if (!level2()) {
            return;
        }
        flush();
        log.log("\nfrom %d to %d:", from, pendingTo);
        printVerifierState(dc.cur.cur(), true);
    }

    void text(String fmt, Object... args) {
        if (!on()) {
            return;
        }
        flush();
        log.log(fmt, args);
    }

    /** Models print_verifier_state(). */
    void printVerifierState(FuncState f, boolean all) {
        if (!on()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        if (f.frameno > 0) {
            sb.append(" frame").append(f.frameno).append(':');
        }
        for (int i = 0; i < MAX_BPF_REG; i++) {
            RegState r = f.regs[i];
            if (r.type() == RegType.NOT_INIT) {
                continue;
            }
            if (!all && (scratchedRegs & (1L << i)) == 0) {
                continue;
            }
            sb.append(" R").append(i).append('=').append(regStr(r, f.frameno, dc.env::usedMap));
        }
        for (int spi = 0; spi < f.allocatedStack / 8; spi++) {
            if (!all && (scratchedSlots & (1L << spi)) == 0) {
                continue;
            }
            String s = slotStr(f, spi, dc.env::usedMap);
            if (s != null) {
                sb.append(" fp").append(-(spi + 1) * 8).append('=').append(s);
            }
        }
        List<VerifierState.RefState> refs = dc.cur.refs;
        if (!refs.isEmpty()) {
            sb.append(" refs=");
            for (int i = 0; i < refs.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(refs.get(i).id());
            }
        }
        sb.append('\n');
        log.append(sb.toString());
        if (!all) {
            scratchedRegs = 0;
            scratchedSlots = 0;
        }
    }

    private static String slotStr(FuncState f, int spi, java.util.function.IntFunction<VerifierMaps.UsedMap> maps) {
        int base = spi * 8;
        boolean any = false;
        for (int b = 0; b < 8; b++) {
            any |= f.slotType[base + b] != FuncState.STACK_INVALID;
        }
        if (!any) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        if (CheckMemAccess.isSpilledReg(f, spi) && f.spilled[spi] != null) {
            // the MISC/ZERO/INVALID bytes above a narrow spill, then the spilled register
            for (int b = 0; b < 8 && f.slotType[base + b] != FuncState.STACK_SPILL; b++) {
                byte t = f.slotType[base + b];
                sb.append(t == FuncState.STACK_MISC ? 'm' : t == FuncState.STACK_ZERO ? '0' : '?');
            }
            return sb + regStr(f.spilled[spi], f.frameno, maps);
        }
        // slot_type[0] is the byte just below the slot's top (fp-1 for fp-8), as print_verifier_state() prints
        for (int b = 0; b < 8; b++) {
            byte t = f.slotType[base + b];
            sb.append(t == FuncState.STACK_MISC ? 'm' : t == FuncState.STACK_ZERO ? '0' : t == FuncState.STACK_SPILL ? 'r' : '?');
        }
        return sb.toString();
    }

    /** Models print_reg_state() (log.c, v6.12): {@code P} marks a precise scalar. */
    static String regStr(RegState r, int frameno) {
        return regStr(r, frameno, id -> null);
    }

    /** print_reg_state() with {@code maps} giving the map of a map pointer (by id) for {@code map=,ks=,vs=}. */
    static String regStr(RegState r, int frameno, java.util.function.IntFunction<VerifierMaps.UsedMap> maps) {
        if (r.type() == RegType.SCALAR_VALUE && r.precise()) {
            return "P" + regStr(r.withPrecise(false), frameno, maps);
        }
        if (r.type() == RegType.SCALAR_VALUE && r.var().isConst()) {
            return snum(r.var().value());
        }
        StringBuilder sb = new StringBuilder(r.type() == RegType.SCALAR_VALUE ? "scalar" : r.typeStr());
        if (r.type() == RegType.PTR_TO_STACK) {
            if (frameno != r.frameno()) {
                sb.append('[').append(r.frameno()).append(']');
            }
            if (r.var().isConst()) {
                return sb.append(snum(r.var().value() + r.off())).toString();
            }
        }
        if (r.type() == RegType.PTR_TO_BTF_ID && r.btf() != null) {
            sb.append(r.btf().btf().name(r.btfId()));
        }
        sb.append('(');
        String[] sep = {""};
        if (r.id() != 0) {
            sb.append(sep[0]).append("id=").append(r.id() & ~CheckAluOp.BPF_ADD_CONST);
            sep[0] = ",";
        }
        if ((r.id() & CheckAluOp.BPF_ADD_CONST) != 0) {
            sb.append(r.off() >= 0 ? "+" : "").append(r.off());
        }
        if (r.refObjId() != 0) {
            sb.append(sep[0]).append("ref_obj_id=").append(r.refObjId());
            sep[0] = ",";
        }
        if (r.type() == RegType.CONST_PTR_TO_MAP || r.type() == RegType.PTR_TO_MAP_VALUE || r.type() == RegType.PTR_TO_MAP_KEY) {
            // type_is_map_ptr(): the map's name (if it has one), key and value sizes
            VerifierMaps.UsedMap m = maps.apply(r.btfId());
            if (m != null) {
                if (!m.name().isEmpty()) {
                    sb.append(sep[0]).append("map=").append(m.name());
                    sep[0] = ",";
                }
                sb.append(sep[0]).append("ks=").append(m.keySize()).append(",vs=").append(m.valueSize());
                sep[0] = ",";
            }
        }
        if (r.type() != RegType.SCALAR_VALUE && r.off() != 0) {
            sb.append(sep[0]).append("off=").append(snum(r.off()));
            sep[0] = ",";
        }
        if (r.type() == RegType.PTR_TO_MEM) {
            sb.append(sep[0]).append("sz=").append(r.memSize());
            sep[0] = ",";
        }
        if (r.var().isConst()) {
            if (r.var().value() != 0) {
                sb.append(sep[0]).append("imm=").append(snum(r.var().value()));
                sep[0] = ",";
            }
        } else {
            printScalarRanges(sb, r, sep);
            if (!r.var().isUnknown()) {
                sb.append(sep[0]).append("var_off=").append(r.var());
                sep[0] = ",";
            }
        }
        sb.append(')');
        return sb.toString();
    }

    /** Models print_scalar_ranges(): equal bounds share one value ("smax=umax=smax32=umax32=255"). */
    private static void printScalarRanges(StringBuilder sb, RegState r, String[] sep) {
        String[] names = {"smin", "smax", "umin", "umax", "smin32", "smax32", "umin32", "umax32"};
        long s32min = r.s32min() >= -32768 && r.s32min() <= 32767 ? r.s32min() : r.s32min() & 0xffffffffL;
        long s32max = r.s32max() >= -32768 && r.s32max() <= 32767 ? r.s32max() : r.s32max() & 0xffffffffL;
        long[] vals = {r.smin(), r.smax(), r.umin(), r.umax(), s32min, s32max, r.u32min() & 0xffffffffL,
            r.u32max() & 0xffffffffL};
        boolean[] omit = {r.smin() == Long.MIN_VALUE, r.smax() == Long.MAX_VALUE, r.umin() == 0, r.umax() == -1L,
            r.s32min() == Integer.MIN_VALUE, r.s32max() == Integer.MAX_VALUE, r.u32min() == 0, r.u32max() == -1};
        for (int m1 = 0; m1 < 8; m1++) {
            if (omit[m1]) {
                continue;
            }
            boolean neg1 = names[m1].charAt(0) == 's' && vals[m1] < 0;
            sb.append(sep[0]).append(names[m1]).append('=');
            sep[0] = ",";
            for (int m2 = m1 + 2; m2 < 8; m2 += 2) {
                if (omit[m2] || vals[m2] != vals[m1]) {
                    continue;
                }
                boolean neg2 = names[m2].charAt(0) == 's' && vals[m2] < 0;
                if (neg2 != neg1) {
                    continue;
                }
                omit[m2] = true;
                sb.append(names[m2]).append('=');
            }
            sb.append(names[m1].charAt(0) == 's' ? snum(vals[m1]) : unum(vals[m1]));
        }
    }

    /** Models verbose_snum(): decimal within is_snum_decimal() (S16_MIN..S16_MAX), else %#llx. */
    static String snum(long v) {
        if (v >= -32768 && v <= 32767) {
            return Long.toString(v);
        }
        return "0x" + Long.toHexString(v);
    }

    /** Models verbose_unum(): decimal up to U16_MAX, else %#llx. */
    static String unum(long v) {
        if (Long.compareUnsigned(v, 0xffff) <= 0) {
            return Long.toString(v);
        }
        return "0x" + Long.toHexString(v);
    }

    static String regno(int r) {
        return "R" + r;
    }

    static boolean isFp(int r) {
        return r == Bpf.BPF_REG_FP;
    }
}
