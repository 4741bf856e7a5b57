package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c (v6.12) __mark_chain_precision() with backtrack_insn(),
 * get_prev_insn_idx(), bt_sync_linked_regs(), mark_all_scalars_precise(),
 * mark_all_scalars_imprecise() and propagate_precision(): when a check depends on a scalar's
 * exact value, the instructions of the current path are walked backwards (through the jump
 * history) to find which registers of which explored states that value came from, and those
 * registers are marked precise. Explored states compare imprecise scalars as equal to anything
 * (regsafe()), so precision decides pruning.
 *
 * <p>Subset, on the safe side: only single-function programs are tracked (with bpf-to-bpf calls
 * every scalar is compared as precise); stack slots are not tracked in the backtracking mask — a
 * fill from the stack, an atomic, or anything else the walk cannot follow falls back, as the
 * kernel does for -ENOTSUPP, to marking every scalar of every parent state precise.
 */
final class MarkChainPrecision {
    /** -ENOTSUPP of backtrack_insn(): fall back to all scalars precise. */
    private static final int NOTSUPP = -1;

    private final DoCheck dc;
    private final VerifierEnv env;

    MarkChainPrecision(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    /** Precision is tracked for single-function programs (bpf_capable: always, for root). */
    boolean enabled() {
        return env.subprogCount() == 1;
    }

    /** Models mark_chain_precision(env, regno). */
    void markChainPrecision(int regno) {
        if (!enabled() || regno < 0 || regno >= BPF_REG_FP || !dc.reg(regno).isScalar()) {
            return;
        }
        run(1 << regno);
    }

    /** Models __mark_chain_precision() for a mask of frame-0 registers. */
    private void run(int mask) {
        VerifierState st = dc.cur;
        int lastIdx = dc.curInsnIdx;
        int firstIdx = st.firstInsnIdx;
        int subseqIdx = -1;
        boolean skipFirst = true;
        while (true) {
            if (dc.printer.level2()) {
                dc.printer.text("mark_precise: frame0: last_idx %d first_idx %d subseq_idx %d \n", lastIdx, firstIdx, subseqIdx);
            }
            int[] history = {st.jmpHistory.size()};
            int i = lastIdx;
            while (true) {
                if (skipFirst) {
                    skipFirst = false;
                } else {
                    VerifierState.HistEntry hist = history[0] > 0 && st.jmpHistory.get(history[0] - 1).idx == i
                            ? st.jmpHistory.get(history[0] - 1) : null;
                    int r = backtrackInsn(i, hist, mask);
                    if (r == NOTSUPP) {
                        markAllScalarsPrecise(dc.cur);
                        return;
                    }
                    mask = r;
                }
                if (mask == 0) {
                    return;
                }
                subseqIdx = i;
                i = getPrevInsnIdx(st, i, history);
                if (i < 0) {
                    break;
                }
            }
            VerifierState.Checkpoint p = st.parent;
            if (p == null) {
                break;
            }
            st = p.state;
            FuncState f = st.frame[0];
            for (int r = 0; r < BPF_REG_FP; r++) {
                if ((mask & (1 << r)) == 0) {
                    continue;
                }
                RegState reg = f.regs[r];
                if (!reg.isScalar() || reg.precise()) {
                    mask &= ~(1 << r);
                } else {
                    f.regs[r] = reg.withPrecise(true);
                }
            }
            if (dc.printer.level2()) {
                dc.printer.text("mark_precise: frame0: parent state regs=%s stack=: ", regMask(mask));
                dc.printer.printVerifierState(f, true);
            }
            if (mask == 0) {
                return;
            }
            subseqIdx = firstIdx;
            lastIdx = st.lastInsnIdx;
            firstIdx = st.firstInsnIdx;
        }
        if (mask != 0) {
            markAllScalarsPrecise(dc.cur);
        }
    }

    /** Models get_prev_insn_idx(): through the jump history, else the previous instruction; -1 at the segment's start. */
    private static int getPrevInsnIdx(VerifierState st, int i, int[] history) {
        int cnt = history[0];
        if (i == st.firstInsnIdx) {
            if (cnt == 0) {
                return -1;
            }
            if (cnt == 1 && st.jmpHistory.get(0).idx == i) {
                return -1;
            }
        }
        if (cnt > 0 && st.jmpHistory.get(cnt - 1).idx == i) {
            history[0]--;
            return st.jmpHistory.get(cnt - 1).prevIdx;
        }
        return i - 1;
    }

    private static String regMask(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 32; r++) {
            if ((mask & (1 << r)) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append('r').append(r);
            }
        }
        return sb.toString();
    }

    /** Models bt_sync_linked_regs(): a linked register in the mask brings all of them. */
    private static int syncLinked(VerifierState.HistEntry hist, int mask) {
        if (hist == null || hist.linkedRegs == 0 || (mask & hist.linkedRegs) == 0) {
            return mask;
        }
        return mask | hist.linkedRegs;
    }

    /** Models backtrack_insn(): the mask before instruction {@code idx}, or NOTSUPP. */
    private int backtrackInsn(int idx, VerifierState.HistEntry hist, int mask) {
        Insn insn = env.insns.get(idx);
        if (insn.code() == 0) {
            return mask;
        }
        if (dc.printer.level2()) {
            Insn next = idx + 1 < env.insns.size() ? env.insns.get(idx + 1) : null;
            dc.printer.text("mark_precise: frame0: regs=%s stack= before %d: %s\n", regMask(mask), idx, dc.disasm(insn, next));
        }
        if (hist != null && hist.linkedSlots && hist.linkedRegs != 0 && (mask & hist.linkedRegs) != 0) {
            return NOTSUPP;
        }
        mask = syncLinked(hist, mask);
        int cls = insn.cls();
        int dreg = 1 << insn.dst();
        int sreg = insn.src() < 16 ? 1 << insn.src() : 0;
        int op = insn.op();
        if (cls == BPF_ALU || cls == BPF_ALU64) {
            if ((mask & dreg) == 0) {
                return mask;
            }
            if (op == BPF_END || op == BPF_NEG) {
                return mask;
            }
            if (op == BPF_MOV) {
                mask &= ~dreg;
                if (insn.source() == BPF_X && insn.src() != BPF_REG_FP) {
                    mask |= sreg;
                }
            } else if (insn.source() == BPF_X && insn.src() != BPF_REG_FP) {
                mask |= sreg;
            }
        } else if (cls == BPF_LDX) {
            if ((mask & dreg) == 0) {
                return mask;
            }
            if (hist != null && hist.stackAccess) {
                // a fill: the slot would have to be tracked (not modelled)
                return NOTSUPP;
            }
            mask &= ~dreg;
        } else if (cls == BPF_STX || cls == BPF_ST) {
            if ((mask & dreg) != 0) {
                return NOTSUPP;
            }
            if (insn.mode() == BPF_ATOMIC && ((mask & sreg) != 0 || (mask & 1) != 0)) {
                // the fetched old value came from memory; not followed by the model
                return NOTSUPP;
            }
        } else if (cls == BPF_JMP || cls == BPF_JMP32) {
            if (op == BPF_CALL) {
                if (insn.isPseudoCall() || (insn.isKfuncCall() && insn.imm() == 0)) {
                    return NOTSUPP;
                }
                mask &= ~1;
                if ((mask & 0x3e) != 0) {
                    // R1-R5 are not live after a call: the kernel's "BUG regs"; fall back
                    return NOTSUPP;
                }
            } else if (op == BPF_EXIT) {
                return NOTSUPP;
            } else if (op != BPF_JA && insn.source() == BPF_X) {
                if ((mask & dreg) != 0 || (mask & sreg) != 0) {
                    mask |= dreg | sreg;
                }
            }
        } else if (cls == BPF_LD) {
            if ((mask & dreg) == 0) {
                return mask;
            }
            mask &= ~dreg;
            if (!insn.isLdImm64()) {
                return NOTSUPP;
            }
        }
        return syncLinked(hist, mask);
    }

    /** Models mark_all_scalars_precise(): every scalar of every parent state (registers and spills). */
    static void markAllScalarsPrecise(VerifierState cur) {
        VerifierState.Checkpoint p = cur.parent;
        while (p != null) {
            VerifierState st = p.state;
            for (int i = 0; i <= st.curframe; i++) {
                FuncState f = st.frame[i];
                for (int r = 0; r < BPF_REG_FP; r++) {
                    if (f.regs[r].isScalar()) {
                        f.regs[r] = f.regs[r].withPrecise(true);
                    }
                }
                for (int s = 0; s < FuncState.SLOTS; s++) {
                    if (f.spilled[s] != null && f.spilled[s].isScalar()) {
                        f.spilled[s] = f.spilled[s].withPrecise(true);
                    }
                }
            }
            p = st.parent;
        }
    }

    /** Models mark_all_scalars_imprecise(): before a new checkpoint, the current state forgets. */
    static void markAllScalarsImprecise(VerifierState st) {
        for (int i = 0; i <= st.curframe; i++) {
            FuncState f = st.frame[i];
            for (int r = 0; r < BPF_REG_FP; r++) {
                if (f.regs[r].isScalar()) {
                    f.regs[r] = f.regs[r].withPrecise(false);
                }
            }
            for (int s = 0; s < FuncState.SLOTS; s++) {
                if (f.spilled[s] != null && f.spilled[s].isScalar()) {
                    f.spilled[s] = f.spilled[s].withPrecise(false);
                }
            }
        }
    }

    /**
     * Models propagate_precision() at a pruning hit: the explored state's scalars that are precise
     * and read must be precise in the current state's parents too. A precise spilled scalar falls
     * back to all scalars precise (slots are not tracked).
     */
    void propagatePrecision(VerifierState old) {
        if (!enabled()) {
            return;
        }
        FuncState f = old.frame[0];
        int mask = 0;
        for (int r = 0; r < BPF_REG_FP; r++) {
            RegState reg = f.regs[r];
            if (reg.isScalar() && reg.precise() && (f.regLive[r] & FuncState.REG_LIVE_READ) != 0) {
                mask |= 1 << r;
            }
        }
        for (int s = 0; s < FuncState.SLOTS; s++) {
            RegState reg = f.spilled[s];
            if (reg != null && reg.isScalar() && reg.precise() && (f.slotLive[s] & FuncState.REG_LIVE_READ) != 0) {
                markAllScalarsPrecise(dc.cur);
                return;
            }
        }
        if (mask == 0) {
            return;
        }
        if (dc.printer.level2()) {
            dc.printer.text("frame 0: propagating %s\n", regMask(mask));
        }
        run(mask);
    }
}
