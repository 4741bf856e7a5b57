package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c check_cond_jmp_op() with is_branch_taken() and
 * mark_ptr_or_null_regs(): a branch whose outcome follows from what is known (constants, the
 * tnum's known bits and the bounds they imply, a non-null pointer compared with 0) is followed
 * one way only; otherwise the taken branch is pushed with the knowledge the comparison gives
 * (a null-checked pointer is NULL on one side and not NULL on the other; JEQ/JNE with a constant
 * pins the register).
 */
final class CheckCondJmpOp {
    private final DoCheck dc;
    private final VerifierEnv env;

    CheckCondJmpOp(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    int run(int idx, Insn insn) {
        int op = insn.op();
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
            src = RegState.scalar(is32 ? insn.imm() & 0xffffffffL : (long) insn.imm());
        }
        if (dc.isPointerValue(dst) && !(src.isNull() && (op == BPF_JEQ || op == BPF_JNE))) {
            return env.err(Errno.EACCES, "R%d pointer comparison prohibited\n", insn.dst());
        }
        int target = idx + insn.off() + 1;
        int pred = isBranchTaken(dst, src, op, is32);
        if (pred == 1) {
            dc.cur.insnIdx = target;
            return 0;
        }
        if (pred == 0) {
            dc.cur.insnIdx = idx + 1;
            return 0;
        }
        VerifierState other = dc.pushStack(target, idx);
        if (other == null) {
            return Errno.EFAULT.negative();
        }
        // pointer vs NULL: mark_ptr_or_null_regs() on both sides
        if (!is32 && (op == BPF_JEQ || op == BPF_JNE)) {
            RegState ptr = null;
            if (dst.isPointer() && dst.maybeNull() && src.isNull()) {
                ptr = dst;
            } else if (src.isPointer() && src.maybeNull() && dst.isNull()) {
                ptr = src;
            }
            if (ptr != null && ptr.id() != 0) {
                boolean takenIsNull = op == BPF_JEQ;
                markPtrOrNullRegs(other, ptr.id(), takenIsNull);
                markPtrOrNullRegs(dc.cur, ptr.id(), !takenIsNull);
            }
        }
        // a scalar compared for (in)equality with a constant is that constant on the equal side
        if ((op == BPF_JEQ || op == BPF_JNE) && dst.isScalar() && src.isConst() && !is32) {
            VerifierState eq = op == BPF_JEQ ? other : dc.cur;
            eq.regs()[insn.dst()] = RegState.scalar(src.var().value());
        }
        dc.cur.insnIdx = idx + 1;
        return 0;
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
                return reg.withFlags(reg.flags() & ~RegState.PTR_MAYBE_NULL);
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
    static int isBranchTaken(RegState dst, RegState src, int op, boolean is32) {
        if (dst.isPointer() || src.isPointer()) {
            RegState ptr = dst.isPointer() ? dst : src;
            RegState other = dst.isPointer() ? src : dst;
            if (!other.isNull() || !regNotNull(ptr) || other.isPointer()) {
                return -1;
            }
            return op == BPF_JEQ ? 0 : op == BPF_JNE ? 1 : -1;
        }
        Tnum a = is32 ? dst.var().subreg() : dst.var();
        Tnum b = is32 ? src.var().subreg() : src.var();
        if (a.isConst() && b.isConst()) {
            return compare(op, a.value(), b.value(), is32) ? 1 : 0;
        }
        long aMin = a.umin();
        long aMax = a.umax();
        long bMin = b.umin();
        long bMax = b.umax();
        switch (op) {
            case BPF_JEQ, BPF_JNE -> {
                // known bits that differ: never equal
                long known = ~a.mask() & ~b.mask();
                if (((a.value() ^ b.value()) & known) != 0) {
                    return op == BPF_JEQ ? 0 : 1;
                }
                return -1;
            }
            case BPF_JSET -> {
                if ((a.value() & b.value()) != 0) {
                    return 1;
                }
                if (((a.value() | a.mask()) & (b.value() | b.mask())) == 0) {
                    return 0;
                }
                return -1;
            }
            case BPF_JGT -> {
                return Long.compareUnsigned(aMin, bMax) > 0 ? 1 : Long.compareUnsigned(aMax, bMin) <= 0 ? 0 : -1;
            }
            case BPF_JGE -> {
                return Long.compareUnsigned(aMin, bMax) >= 0 ? 1 : Long.compareUnsigned(aMax, bMin) < 0 ? 0 : -1;
            }
            case BPF_JLT -> {
                return Long.compareUnsigned(aMax, bMin) < 0 ? 1 : Long.compareUnsigned(aMin, bMax) >= 0 ? 0 : -1;
            }
            case BPF_JLE -> {
                return Long.compareUnsigned(aMax, bMin) <= 0 ? 1 : Long.compareUnsigned(aMin, bMax) > 0 ? 0 : -1;
            }
            default -> {
                // signed comparisons: only with constants (ranges come with the next issue)
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
            case PTR_TO_MEM -> true;
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
