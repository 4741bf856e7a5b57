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
 * <p>Not modelled: liveness marks ({@code _w}, {@code _r}) and precision marks ({@code P}),
 * which the model does not track, and source line info (the model has no BTF line info).
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
        if (scratched()) {
            insnState();
        }
        Insn next = idx + 1 < insns.size() ? insns.get(idx + 1) : null;
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

    /** Nothing is held back; kept for the callers that end a log section. */
    void flush() {
    }

    /** Models vlog_alignment(). */
    static int vlogAlignment(int pos) {
        int v = Math.max(pos + BPF_LOG_MIN_ALIGNMENT / 2, BPF_LOG_ALIGNMENT);
        int rounded = (v + BPF_LOG_MIN_ALIGNMENT - 1) / BPF_LOG_MIN_ALIGNMENT * BPF_LOG_MIN_ALIGNMENT;
        return rounded - pos - 1;
    }

    void safe(int idx) {
        if (!on()) {
            return;
        }
        flush();
        log.log("%d: safe\n", idx);
    }

    void fromTo(int from, int to) {
        scratchAll();
        if (!level2()) {
            return;
        }
        flush();
        log.log("\nfrom %d to %d:", from, to);
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
            sb.append(" R").append(i).append('=').append(regStr(r, f.frameno));
        }
        for (int spi = 0; spi < FuncState.SLOTS; spi++) {
            if (!all && (scratchedSlots & (1L << spi)) == 0) {
                continue;
            }
            String s = slotStr(f, spi);
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

    private static String slotStr(FuncState f, int spi) {
        int base = spi * 8;
        boolean any = false;
        for (int b = 0; b < 8; b++) {
            any |= f.slotType[base + b] != FuncState.STACK_INVALID;
        }
        if (!any) {
            return null;
        }
        if (f.slotType[base] == FuncState.STACK_SPILL && f.spilled[spi] != null) {
            return regStr(f.spilled[spi], f.frameno);
        }
        StringBuilder sb = new StringBuilder();
        // slot_type[0] is the byte just below the slot's top (fp-1 for fp-8), as print_verifier_state() prints
        for (int b = 0; b < 8; b++) {
            byte t = f.slotType[base + b];
            sb.append(t == FuncState.STACK_MISC ? 'm' : t == FuncState.STACK_ZERO ? '0' : t == FuncState.STACK_SPILL ? 'r' : '?');
        }
        return sb.toString();
    }

    /** Models print_reg_state(). */
    static String regStr(RegState r, int frameno) {
        if (r.type() == RegType.SCALAR_VALUE) {
            if (r.var().isConst()) {
                return snum(r.var().value());
            }
            return r.var().isUnknown() ? "scalar()" : "scalar(var_off=" + r.var() + ")";
        }
        if (r.type() == RegType.PTR_TO_STACK) {
            String p = frameno != r.frameno() ? "fp[" + r.frameno() + "]" : "fp";
            if (r.var().isConst()) {
                return p + (r.var().value() + r.off());
            }
        }
        StringBuilder sb = new StringBuilder(r.typeStr());
        if (r.type() == RegType.PTR_TO_BTF_ID && r.btf() != null) {
            sb.append(r.btf().btf().name(r.btfId()));
        }
        sb.append('(');
        String sep = "";
        if (r.id() != 0) {
            sb.append("id=").append(r.id());
            sep = ",";
        }
        if (r.refObjId() != 0) {
            sb.append(sep).append("ref_obj_id=").append(r.refObjId());
            sep = ",";
        }
        if (r.off() != 0) {
            sb.append(sep).append("off=").append(r.off());
            sep = ",";
        }
        if (r.type() == RegType.PTR_TO_MEM) {
            sb.append(sep).append("sz=").append(r.memSize());
            sep = ",";
        }
        if (!r.var().isConst()) {
            sb.append(sep).append("var_off=").append(r.var());
        }
        sb.append(')');
        return sb.toString();
    }

    /**
     * Models verbose_snum(): small numbers in decimal, others in hex. The exact cut-off is from
     * memory (unsure); the model uses decimal within the 16-bit range.
     */
    static String snum(long v) {
        if (v >= -32768 && v <= 65535) {
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
