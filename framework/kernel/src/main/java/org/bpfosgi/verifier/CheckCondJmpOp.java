package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c (v6.12) check_cond_jmp_op() with is_branch_taken() /
 * is_scalar_branch_taken() (ranges, tnums, JSET, signed and 32-bit compares), reg_set_min_max()
 * / regs_refine_cond_op() on both sides of an undecided branch, collect_linked_regs() /
 * sync_linked_regs() for scalars sharing an id, and mark_ptr_or_null_regs() for a maybe-NULL
 * pointer compared with the immediate 0.
 */
final class CheckCondJmpOp {
    /** Scratch bounds of reg_set_min_max()'s four registers, copied into the registers at once. */
    private final RegBounds falseReg1 = new RegBounds();
    private final RegBounds falseReg2 = new RegBounds();
    private final RegBounds trueReg1 = new RegBounds();
    private final RegBounds trueReg2 = new RegBounds();

    private final DoCheck dc;
    private final VerifierEnv env;

    CheckCondJmpOp(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    int run(int idx, Insn insn) {
        int op = insn.op();
        if (op == BPF_JCOND) {
            return checkMayGoto(idx, insn);
        }
        boolean is32 = insn.cls() == BPF_JMP32;
        int r;
        if ((r = dc.checkRegArg(insn.dst(), true)) < 0) {
            return r;
        }
        RegState dst = dc.reg(insn.dst());
        RegState src;
        if (insn.source() == BPF_X) {
            if ((r = dc.checkRegArg(insn.src(), true)) < 0) {
                return r;
            }
            src = dc.reg(insn.src());
            if (dc.isPointerValue(src)) {
                return env.err(Errno.EACCES, "R%d pointer comparison prohibited\n", insn.src());
            }
        } else {
            // env->fake_reg[0]: __mark_reg_known(insn->imm), sign-extended
            src = RegState.scalar((long) insn.imm());
        }
        int target = idx + insn.off() + 1;
        int pred = isBranchTaken(dst, src, op, is32);
        if (pred >= 0) {
            // a decided branch depends on the exact values of its scalar operands
            int err = 0;
            if (dst.isScalar()) {
                err = dc.precision.markChainPrecision(insn.dst());
            }
            if (insn.source() == BPF_X && err == 0 && src.isScalar()) {
                err = dc.precision.markChainPrecision(insn.src());
            }
            if (err != 0) {
                return err;
            }
        }
        if (pred == 1) {
            dc.printer.insnStateNow();
            dc.cur.insnIdx = target;
            return 0;
        }
        if (pred == 0) {
            dc.printer.insnStateNow();
            dc.cur.insnIdx = idx + 1;
            return 0;
        }
        // collect_linked_regs() before the other branch is pushed, so both share the list
        List<int[]> linked = new ArrayList<>();
        if (insn.source() == BPF_X && src.isScalar() && src.id() != 0) {
            collectLinkedRegs(dc.cur, src.id(), linked);
        }
        if (dst.isScalar() && dst.id() != 0) {
            collectLinkedRegs(dc.cur, dst.id(), linked);
        }
        if (linked.size() > 1) {
            // push_jmp_history() with the linked registers, shared by both branches
            dc.pushJmpHistory().linked = List.copyOf(linked);
        }
        VerifierState other = dc.pushStack(target, idx);
        if (other == null) {
            return Errno.EFAULT.negative();
        }
        // re-read: collect_linked_regs() may have cleared ids of registers beyond LINKED_REGS_MAX
        dst = dc.reg(insn.dst());
        if (insn.source() == BPF_X) {
            src = dc.reg(insn.src());
        }
        regSetMinMax(insn, other, dst, src, op, is32);
        RegState curDst = dc.reg(insn.dst());
        if (insn.source() == BPF_X && src.isScalar() && src.id() != 0) {
            syncLinkedRegs(dc.cur, dc.reg(insn.src()), new int[] {dc.cur.curframe, 1, insn.src()}, linked);
            syncLinkedRegs(other, other.regs()[insn.src()], new int[] {other.curframe, 1, insn.src()}, linked);
        }
        if (curDst.isScalar() && curDst.id() != 0) {
            syncLinkedRegs(dc.cur, dc.reg(insn.dst()), new int[] {dc.cur.curframe, 1, insn.dst()}, linked);
            syncLinkedRegs(other, other.regs()[insn.dst()], new int[] {other.curframe, 1, insn.dst()}, linked);
        }
        // detect if R == 0 where R is a maybe-NULL pointer: mark_ptr_or_null_regs() on both sides
        if (!is32 && insn.source() == BPF_K && insn.imm() == 0 && (op == BPF_JEQ || op == BPF_JNE) && dst.maybeNull()
                && dst.isPointer()) {
            if (dst.id() != 0) {
                markPtrOrNullRegs(dc.cur, dst.id(), op == BPF_JNE);
                markPtrOrNullRegs(other, dst.id(), op == BPF_JEQ);
            }
        } else if (dc.isPointerValue(dst)) {
            return env.err(Errno.EACCES, "R%d pointer comparison prohibited\n", insn.dst());
        }
        dc.printer.insnStateNow();
        dc.cur.insnIdx = idx + 1;
        return 0;
    }

    /** LINKED_REGS_MAX. */
    private static final int LINKED_REGS_MAX = 6;

    /**
     * Models collect_linked_regs(): the scalars (registers R0-R9 and spilled slots, from the
     * current frame down) sharing {@code id}; entries are {frameno, isReg, regno-or-spi}. Beyond
     * LINKED_REGS_MAX the register's id is cleared.
     */
    private static void collectLinkedRegs(VerifierState st, int id, List<int[]> out) {
        int want = id & ~CheckAluOp.BPF_ADD_CONST;
        for (int i = st.curframe; i >= 0; i--) {
            FuncState f = st.frame[i];
            for (int j = 0; j < BPF_REG_FP; j++) {
                RegState reg = f.regs[j];
                if (reg.isScalar() && (reg.id() & ~CheckAluOp.BPF_ADD_CONST) == want) {
                    if (out.size() < LINKED_REGS_MAX) {
                        out.add(new int[] {i, 1, j});
                    } else {
                        f.regs[j] = reg.withId(0);
                    }
                }
            }
            for (int j = 0; j < f.allocatedStack / 8; j++) {
                RegState reg = CheckMemAccess.isSpilledReg(f, j) ? f.spilled[j] : null;
                if (reg != null && reg.isScalar() && (reg.id() & ~CheckAluOp.BPF_ADD_CONST) == want) {
                    if (out.size() < LINKED_REGS_MAX) {
                        out.add(new int[] {i, 0, j});
                    } else {
                        f.spilled[j] = reg.withId(0);
                    }
                }
            }
        }
    }

    /**
     * Models sync_linked_regs() (v6.12): every linked scalar becomes a copy of the refined
     * register, or, when their constant deltas differ, the refined register plus the difference
     * (scalar(32)_min_max_add() and tnum_add(), no reg_bounds_sync()), keeping its own off while
     * taking the refined register's id.
     */
    private static void syncLinkedRegs(VerifierState st, RegState known, int[] knownPos, List<int[]> linked) {
        for (int[] e : linked) {
            if (e[0] == knownPos[0] && e[1] == knownPos[1] && e[2] == knownPos[2]) {
                continue;
            }
            FuncState f = st.frame[e[0]];
            RegState reg = e[1] == 1 ? f.regs[e[2]] : f.spilled[e[2]];
            if (reg == null || !reg.isScalar()) {
                continue;
            }
            if ((reg.id() & ~CheckAluOp.BPF_ADD_CONST) != (known.id() & ~CheckAluOp.BPF_ADD_CONST)) {
                continue;
            }
            RegState n;
            if (((reg.id() & CheckAluOp.BPF_ADD_CONST) == 0 && (known.id() & CheckAluOp.BPF_ADD_CONST) == 0)
                    || reg.off() == known.off()) {
                n = known;
            } else {
                RegBounds b = RegBounds.of(known);
                RegBounds fake = new RegBounds();
                fake.markKnown((long) reg.off() - known.off());
                ScalarAlu.scalar32MinMaxAdd(b, fake);
                ScalarAlu.scalarMinMaxAdd(b, fake);
                b.var = b.var.add(fake.var);
                n = known.withOff(reg.off()).withBounds(b);
            }
            if (e[1] == 1) {
                f.regs[e[2]] = n;
            } else {
                f.spilled[e[2]] = n;
            }
        }
    }

    /**
     * Models reg_set_min_max(): only when both (false-side) registers are scalars; the fall-through
     * side is refined with the reversed opcode, the jump side with the opcode, each register then
     * reg_bounds_sync()ed and sanity-checked ("true_reg1", "true_reg2", "false_reg1", "false_reg2").
     */
    private void regSetMinMax(Insn insn, VerifierState other, RegState dst, RegState src, int op, boolean is32) {
        if (!dst.isScalar() || !src.isScalar()) {
            return;
        }
        boolean x = insn.source() == BPF_X;
        RegBounds f1 = falseReg1.load(dst);
        RegBounds f2 = falseReg2.load(src);
        regsRefineCondOp(f1, f2, revOpcode(op), is32);
        f1.regBoundsSync();
        RegBounds t1 = trueReg1.load(other.regs()[insn.dst()]);
        RegBounds t2 = trueReg2.load(x ? other.regs()[insn.src()] : src);
        regsRefineCondOp(t1, t2, op, is32);
        t1.regBoundsSync();
        // for BPF_K the second operands are env->fake_reg[0] and [1]: synced and sanity-checked
        // too (a violation is logged), though nothing reads them afterwards
        f2.regBoundsSync();
        t2.regBoundsSync();
        other.regs()[insn.dst()] = other.regs()[insn.dst()].withBounds(t1);
        if (x) {
            other.regs()[insn.src()] = other.regs()[insn.src()].withBounds(t2);
        }
        dc.cur.regs()[insn.dst()] = dst.withBounds(f1);
        if (x && insn.src() != insn.dst()) {
            dc.cur.regs()[insn.src()] = src.withBounds(f2);
        }
        dc.alu.regBoundsSanityCheck(other, insn.dst(), "true_reg1");
        if (x) {
            dc.alu.regBoundsSanityCheck(other, insn.src(), "true_reg2");
        } else {
            dc.alu.fakeRegBoundsSanityCheck(t2, "true_reg2");
        }
        dc.alu.regBoundsSanityCheck(dc.cur, insn.dst(), "false_reg1");
        if (x) {
            dc.alu.regBoundsSanityCheck(dc.cur, insn.src(), "false_reg2");
        } else {
            dc.alu.fakeRegBoundsSanityCheck(f2, "false_reg2");
        }
    }

    /**
     * Models check_cond_jmp_op()'s BPF_JCOND branch (v6.12): the fields ("invalid may_goto off %d
     * imm %d", -EINVAL; v6.12 refuses off 0, 6.14 allows it), then the fall-through (the next
     * iteration) is pushed with may_goto_depth + 1 and, if an older checkpoint of this may_goto is
     * on the current path (find_prev_entry()), its imprecise scalars are widened
     * ({@link WidenImpreciseScalars}); the current path continues at the jump target (the budget
     * ran out). is_state_visited() has made a checkpoint here first (a may_goto is a
     * force_checkpoint) and lets a deeper iteration converge (states_equal() at RANGE_WITHIN,
     * {@link IsStateVisited.ExactLevel}).
     */
    private int checkMayGoto(int idx, Insn insn) {
        if (insn.code() != (BPF_JMP | BPF_JCOND) || insn.src() != BPF_MAY_GOTO || insn.dst() != 0 || insn.imm() != 0
                || insn.off() == 0) {
            return env.err(Errno.EINVAL, "invalid may_goto off %d imm %d\n", insn.off(), insn.imm());
        }
        VerifierState prev = dc.visited.findPrevEntry(dc.cur.parent == null ? null : dc.cur.parent.state, idx);
        VerifierState queued = dc.pushStack(idx + 1, idx);
        if (queued == null) {
            return Errno.ENOMEM.negative();
        }
        queued.mayGotoDepth++;
        if (prev != null) {
            WidenImpreciseScalars.run(prev, queued);
        }
        dc.cur.insnIdx = idx + insn.off() + 1;
        return 0;
    }

    /** Models rev_opcode(); BPF_JSET | BPF_X stands for "no bit of the constant set". */
    static int revOpcode(int op) {
        return switch (op) {
            case BPF_JEQ -> BPF_JNE;
            case BPF_JNE -> BPF_JEQ;
            case BPF_JSET -> BPF_JSET | BPF_X;
            case BPF_JSET | BPF_X -> BPF_JSET;
            case BPF_JGE -> BPF_JLT;
            case BPF_JGT -> BPF_JLE;
            case BPF_JLE -> BPF_JGT;
            case BPF_JLT -> BPF_JGE;
            case BPF_JSGE -> BPF_JSLT;
            case BPF_JSGT -> BPF_JSLE;
            case BPF_JSLE -> BPF_JSGT;
            case BPF_JSLT -> BPF_JSGE;
            default -> 0;
        };
    }

    /** Models flip_opcode(): the comparison with its operands swapped. */
    static int flipOpcode(int op) {
        return switch (op) {
            case BPF_JGT -> BPF_JLT;
            case BPF_JLT -> BPF_JGT;
            case BPF_JGE -> BPF_JLE;
            case BPF_JLE -> BPF_JGE;
            case BPF_JSGT -> BPF_JSLT;
            case BPF_JSLT -> BPF_JSGT;
            case BPF_JSGE -> BPF_JSLE;
            case BPF_JSLE -> BPF_JSGE;
            default -> op;
        };
    }

    private static boolean isConst(RegBounds r, boolean is32) {
        return is32 ? r.var.subregIsConst() : r.var.isConst();
    }

    private static long constValue(RegBounds r, boolean is32) {
        return is32 ? r.var.subreg().value() : r.var.value();
    }

    /** Models regs_refine_cond_op() (v6.12): what {@code reg1 op reg2} being true teaches. */
    static void regsRefineCondOp(RegBounds reg1, RegBounds reg2, int op, boolean is32) {
        if (op == BPF_JGE || op == BPF_JGT || op == BPF_JSGE || op == BPF_JSGT) {
            op = flipOpcode(op);
            RegBounds t = reg1;
            reg1 = reg2;
            reg2 = t;
        }
        switch (op) {
            case BPF_JEQ -> {
                if (is32) {
                    reg1.u32min = RegBounds.umax32(reg1.u32min, reg2.u32min);
                    reg1.u32max = RegBounds.umin32(reg1.u32max, reg2.u32max);
                    reg1.s32min = Math.max(reg1.s32min, reg2.s32min);
                    reg1.s32max = Math.min(reg1.s32max, reg2.s32max);
                    reg2.u32min = reg1.u32min;
                    reg2.u32max = reg1.u32max;
                    reg2.s32min = reg1.s32min;
                    reg2.s32max = reg1.s32max;
                    Tnum t = reg1.var.subreg().intersect(reg2.var.subreg());
                    reg1.var = reg1.var.withSubreg(t);
                    reg2.var = reg2.var.withSubreg(t);
                } else {
                    reg1.umin = RegBounds.umaxOf(reg1.umin, reg2.umin);
                    reg1.umax = RegBounds.uminOf(reg1.umax, reg2.umax);
                    reg1.smin = Math.max(reg1.smin, reg2.smin);
                    reg1.smax = Math.min(reg1.smax, reg2.smax);
                    reg2.umin = reg1.umin;
                    reg2.umax = reg1.umax;
                    reg2.smin = reg1.smin;
                    reg2.smax = reg1.smax;
                    reg1.var = reg1.var.intersect(reg2.var);
                    reg2.var = reg1.var;
                }
            }
            case BPF_JNE -> {
                if (!isConst(reg2, is32)) {
                    RegBounds t = reg1;
                    reg1 = reg2;
                    reg2 = t;
                }
                if (!isConst(reg2, is32)) {
                    break;
                }
                long val = constValue(reg2, is32);
                if (is32) {
                    if (reg1.u32min == (int) val) {
                        reg1.u32min++;
                    }
                    if (reg1.u32max == (int) val) {
                        reg1.u32max--;
                    }
                    if (reg1.s32min == (int) val) {
                        reg1.s32min++;
                    }
                    if (reg1.s32max == (int) val) {
                        reg1.s32max--;
                    }
                } else {
                    if (reg1.umin == val) {
                        reg1.umin++;
                    }
                    if (reg1.umax == val) {
                        reg1.umax--;
                    }
                    if (reg1.smin == val) {
                        reg1.smin++;
                    }
                    if (reg1.smax == val) {
                        reg1.smax--;
                    }
                }
            }
            case BPF_JSET -> {
                if (!isConst(reg2, is32)) {
                    RegBounds t = reg1;
                    reg1 = reg2;
                    reg2 = t;
                }
                if (!isConst(reg2, is32)) {
                    break;
                }
                long val = constValue(reg2, is32);
                if (val == 0 || (val & (val - 1)) != 0) {
                    break;
                }
                if (is32) {
                    reg1.var = reg1.var.withSubreg(reg1.var.subreg().or(Tnum.constant(val)));
                } else {
                    reg1.var = reg1.var.or(Tnum.constant(val));
                }
            }
            case BPF_JSET | BPF_X -> {
                if (!isConst(reg2, is32)) {
                    RegBounds t = reg1;
                    reg1 = reg2;
                    reg2 = t;
                }
                if (!isConst(reg2, is32)) {
                    break;
                }
                long val = constValue(reg2, is32);
                if (is32) {
                    reg1.var = reg1.var.withSubreg(reg1.var.subreg().and(Tnum.constant(~val)));
                } else {
                    reg1.var = reg1.var.and(Tnum.constant(~val));
                }
            }
            case BPF_JLE -> {
                if (is32) {
                    reg1.u32max = RegBounds.umin32(reg1.u32max, reg2.u32max);
                    reg2.u32min = RegBounds.umax32(reg1.u32min, reg2.u32min);
                } else {
                    reg1.umax = RegBounds.uminOf(reg1.umax, reg2.umax);
                    reg2.umin = RegBounds.umaxOf(reg1.umin, reg2.umin);
                }
            }
            case BPF_JLT -> {
                if (is32) {
                    reg1.u32max = RegBounds.umin32(reg1.u32max, reg2.u32max - 1);
                    reg2.u32min = RegBounds.umax32(reg1.u32min + 1, reg2.u32min);
                } else {
                    reg1.umax = RegBounds.uminOf(reg1.umax, reg2.umax - 1);
                    reg2.umin = RegBounds.umaxOf(reg1.umin + 1, reg2.umin);
                }
            }
            case BPF_JSLE -> {
                if (is32) {
                    reg1.s32max = Math.min(reg1.s32max, reg2.s32max);
                    reg2.s32min = Math.max(reg1.s32min, reg2.s32min);
                } else {
                    reg1.smax = Math.min(reg1.smax, reg2.smax);
                    reg2.smin = Math.max(reg1.smin, reg2.smin);
                }
            }
            case BPF_JSLT -> {
                if (is32) {
                    reg1.s32max = Math.min(reg1.s32max, reg2.s32max - 1);
                    reg2.s32min = Math.max(reg1.s32min + 1, reg2.s32min);
                } else {
                    reg1.smax = Math.min(reg1.smax, reg2.smax - 1);
                    reg2.smin = Math.max(reg1.smin + 1, reg2.smin);
                }
            }
            default -> {
            }
        }
    }

    /** Models mark_ptr_or_null_regs(): every copy of the pointer (same id) in every frame. */
    private void markPtrOrNullRegs(VerifierState st, int id, boolean isNull) {
        int[] refToRelease = {0};
        VerifierState saved = dc.cur;
        dc.forEachReg(st, reg -> {
            if (reg.isPointer() && reg.maybeNull() && reg.id() == id) {
                if (isNull) {
                    if (reg.refObjId() == id) {
                        refToRelease[0] = id;
                    }
                    return RegState.scalar(0);
                }
                // mark_ptr_not_null_reg(); the id is no longer needed (no map value holds a spin lock in the model)
                return reg.withFlags(reg.flags() & ~RegState.PTR_MAYBE_NULL).withId(0);
            }
            return reg;
        });
        if (refToRelease[0] != 0) {
            // a NULL acquired pointer holds no reference: release_reference_state()
            st.refs = new java.util.ArrayList<>(st.refs);
            st.refs.removeIf(rs -> rs.id() == refToRelease[0]);
        }
        dc.cur = saved;
    }

    /** Models is_branch_taken(): 1 taken, 0 not taken, -1 unknown. */
    static int isBranchTaken(RegState reg1, RegState reg2, int op, boolean is32) {
        if (reg1.isPointer() || reg2.isPointer()) {
            // arrange that reg2 is a scalar, and reg1 is a pointer
            if (!isRegConst(reg2, is32)) {
                op = flipOpcode(op);
                RegState t = reg1;
                reg1 = reg2;
                reg2 = t;
            }
            if (!isRegConst(reg2, is32)) {
                return -1;
            }
            if (!regNotNull(reg1)) {
                return -1;
            }
            long val = is32 ? reg2.var().subreg().value() : reg2.var().value();
            if (val != 0) {
                return -1;
            }
            return op == BPF_JEQ ? 0 : op == BPF_JNE ? 1 : -1;
        }
        return isScalarBranchTaken(reg1, reg2, op, is32);
    }

    /** Models is_reg_const(). */
    private static boolean isRegConst(RegState r, boolean is32) {
        return r.isScalar() && (is32 ? r.var().subregIsConst() : r.var().isConst());
    }

    /** Models is_scalar_branch_taken() (v6.12: no tnum overlap test). */
    static int isScalarBranchTaken(RegState reg1, RegState reg2, int op, boolean is32) {
        Tnum t1 = is32 ? reg1.var().subreg() : reg1.var();
        Tnum t2 = is32 ? reg2.var().subreg() : reg2.var();
        long umin1 = is32 ? reg1.u32min() & 0xffffffffL : reg1.umin();
        long umax1 = is32 ? reg1.u32max() & 0xffffffffL : reg1.umax();
        long smin1 = is32 ? reg1.s32min() : reg1.smin();
        long smax1 = is32 ? reg1.s32max() : reg1.smax();
        long umin2 = is32 ? reg2.u32min() & 0xffffffffL : reg2.umin();
        long umax2 = is32 ? reg2.u32max() & 0xffffffffL : reg2.umax();
        long smin2 = is32 ? reg2.s32min() : reg2.smin();
        long smax2 = is32 ? reg2.s32max() : reg2.smax();
        switch (op) {
            case BPF_JEQ, BPF_JNE -> {
                int disjoint = op == BPF_JEQ ? 0 : 1;
                if (t1.isConst() && t2.isConst()) {
                    return (t1.value() == t2.value()) == (op == BPF_JEQ) ? 1 : 0;
                }
                if (Long.compareUnsigned(umin1, umax2) > 0 || Long.compareUnsigned(umax1, umin2) < 0) {
                    return disjoint;
                }
                if (smin1 > smax2 || smax1 < smin2) {
                    return disjoint;
                }
                if (!is32) {
                    if (Integer.compareUnsigned(reg1.u32min(), reg2.u32max()) > 0
                            || Integer.compareUnsigned(reg1.u32max(), reg2.u32min()) < 0) {
                        return disjoint;
                    }
                    if (reg1.s32min() > reg2.s32max() || reg1.s32max() < reg2.s32min()) {
                        return disjoint;
                    }
                }
                return -1;
            }
            case BPF_JSET -> {
                if (!isRegConst(reg2, is32)) {
                    RegState t = reg1;
                    reg1 = reg2;
                    reg2 = t;
                    Tnum tt = t1;
                    t1 = t2;
                    t2 = tt;
                }
                if (!isRegConst(reg2, is32)) {
                    return -1;
                }
                if ((~t1.mask() & t1.value() & t2.value()) != 0) {
                    return 1;
                }
                if (((t1.mask() | t1.value()) & t2.value()) == 0) {
                    return 0;
                }
                return -1;
            }
            case BPF_JGT -> {
                return Long.compareUnsigned(umin1, umax2) > 0 ? 1 : Long.compareUnsigned(umax1, umin2) <= 0 ? 0 : -1;
            }
            case BPF_JSGT -> {
                return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
            }
            case BPF_JLT -> {
                return Long.compareUnsigned(umax1, umin2) < 0 ? 1 : Long.compareUnsigned(umin1, umax2) >= 0 ? 0 : -1;
            }
            case BPF_JSLT -> {
                return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
            }
            case BPF_JGE -> {
                return Long.compareUnsigned(umin1, umax2) >= 0 ? 1 : Long.compareUnsigned(umax1, umin2) < 0 ? 0 : -1;
            }
            case BPF_JSGE -> {
                return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
            }
            case BPF_JLE -> {
                return Long.compareUnsigned(umax1, umin2) <= 0 ? 1 : Long.compareUnsigned(umin1, umax2) > 0 ? 0 : -1;
            }
            case BPF_JSLE -> {
                return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
            }
            default -> {
                return -1;
            }
        }
    }

    /** Models reg_not_null() (the pointers that can never be NULL). */
    static boolean regNotNull(RegState r) {
        if (r.maybeNull()) {
            return false;
        }
        return switch (r.type()) {
            case PTR_TO_BTF_ID -> (r.flags() & RegState.PTR_TRUSTED) != 0 || r.refObjId() != 0;
            case PTR_TO_MEM, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY -> true;
            default -> false;
        };
    }

    static boolean compare(int op, long a, long b, boolean is32) {
        if (is32) {
            a &= 0xffffffffL;
            b &= 0xffffffffL;
        }
        long sa = is32 ? (int) a : a;
        long sb = is32 ? (int) b : b;
        return switch (op) {
            case BPF_JEQ -> a == b;
            case BPF_JNE -> a != b;
            case BPF_JGT -> Long.compareUnsigned(a, b) > 0;
            case BPF_JGE -> Long.compareUnsigned(a, b) >= 0;
            case BPF_JLT -> Long.compareUnsigned(a, b) < 0;
            case BPF_JLE -> Long.compareUnsigned(a, b) <= 0;
            case BPF_JSET -> (a & b) != 0;
            case BPF_JSGT -> sa > sb;
            case BPF_JSGE -> sa >= sb;
            case BPF_JSLT -> sa < sb;
            case BPF_JSLE -> sa <= sb;
            default -> false;
        };
    }
}
