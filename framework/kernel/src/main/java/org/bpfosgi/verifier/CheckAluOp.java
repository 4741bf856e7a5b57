package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c (v6.12) check_alu_op() with adjust_reg_min_max_vals(),
 * adjust_ptr_min_max_vals(), check_reg_sane_offset(), assign_scalar_id_before_mov() and
 * reg_bounds_sanity_check(): register moves (with sign extension and linked scalar ids), scalar
 * arithmetic on tnum and bounds ({@link ScalarAlu}) and the kernel's pointer-arithmetic rules,
 * with its messages and errnos. Reserved-field checks were made up front
 * ({@link CheckSubprogs#checkInsnFields}).
 */
final class CheckAluOp {
    /** Scratch bounds of adjust_scalar_min_max_vals(), copied into the result register at once. */
    private final RegBounds scratchDst = new RegBounds();
    private final RegBounds scratchSrc = new RegBounds();

    /** BPF_MAX_VAR_OFF. */
    static final long BPF_MAX_VAR_OFF = 1L << 29;
    /** BPF_ADD_CONST: the id bit of a scalar linked to another by a constant delta (bpf_verifier.h). */
    static final int BPF_ADD_CONST = 1 << 31;
    /** bpf_alu_string[]. */
    static final String[] BPF_ALU_STRING = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=",
        "s>>=", "endian", "", ""};

    private final DoCheck dc;
    private final VerifierEnv env;

    CheckAluOp(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    int run(Insn insn) {
        int op = insn.op();
        boolean is64 = insn.cls() == BPF_ALU64;
        int dst = insn.dst();
        int r;
        if (op == BPF_END || op == BPF_NEG) {
            if ((r = dc.checkRegArg(dst, true)) < 0) {
                return r;
            }
            if (dc.isPointerValue(dc.reg(dst))) {
                return env.err(Errno.EACCES, "R%d pointer arithmetic prohibited\n", dst);
            }
            if ((r = dc.checkRegArg(dst, false)) < 0) {
                return r;
            }
            // check_reg_arg(DST_OP): v6.12 does not track NEG or END, the result is unknown
            dc.setReg(dst, RegState.UNKNOWN_SCALAR);
            return regBoundsSanityCheck(dst);
        }
        if (op == BPF_MOV) {
            if ((r = mov(insn, is64)) < 0) {
                return r;
            }
            return regBoundsSanityCheck(dst);
        }
        if (op > BPF_END) {
            return env.err(Errno.EINVAL, "invalid BPF_ALU opcode %x\n", op);
        }
        RegState src;
        if (insn.source() == BPF_X) {
            if ((r = dc.checkRegArg(insn.src(), true)) < 0) {
                return r;
            }
            src = dc.reg(insn.src());
        } else {
            // off_reg: __mark_reg_known(insn->imm), the immediate sign-extended to 64 bits
            src = RegState.scalar((long) insn.imm());
        }
        if ((r = dc.checkRegArg(dst, true)) < 0) {
            return r;
        }
        if ((op == BPF_MOD || op == BPF_DIV) && insn.source() == BPF_K && insn.imm() == 0) {
            return env.err(Errno.EINVAL, "div by zero\n");
        }
        if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && insn.source() == BPF_K) {
            int size = is64 ? 64 : 32;
            if (insn.imm() < 0 || insn.imm() >= size) {
                return env.err(Errno.EINVAL, "invalid shift %d\n", insn.imm());
            }
        }
        if ((r = dc.checkRegArg(dst, false)) < 0) {
            return r;
        }
        if ((r = adjustRegMinMaxVals(insn, dc.reg(dst), src, is64)) < 0) {
            return r;
        }
        return regBoundsSanityCheck(dst);
    }

    /**
     * Models reg_bounds_sanity_check(env, reg, "alu"): inconsistent bounds (reachable on dead
     * branches) are logged and reset to unbounded (no BPF_F_TEST_REG_INVARIANTS in the model).
     */
    int regBoundsSanityCheck(int regno) {
        return regBoundsSanityCheck(dc.cur, regno, "alu");
    }

    int regBoundsSanityCheck(VerifierState st, int regno, String ctx) {
        RegState reg = st.regs()[regno];
        if (reg.type() != RegType.SCALAR_VALUE) {
            return 0;
        }
        String msg = RegBounds.sanityViolation(reg);
        if (msg == null) {
            return 0;
        }
        RegBounds b = RegBounds.of(reg);
        logViolation(ctx, msg, b);
        b.markUnbounded();
        st.regs()[regno] = reg.withBounds(b);
        return 0;
    }

    /**
     * reg_bounds_sanity_check() of one of env->fake_reg[] (reg_set_min_max() with a BPF_K
     * operand): a violation is logged; the __mark_reg_unbounded() that follows changes nothing
     * anyone reads.
     */
    void fakeRegBoundsSanityCheck(RegBounds b, String ctx) {
        String msg = b.sanityViolation();
        if (msg != null) {
            logViolation(ctx, msg, b);
        }
    }

    private void logViolation(String ctx, String msg, RegBounds b) {
        env.verbose("REG INVARIANTS VIOLATION (%s): %s u64=[%#llx, %#llx] s64=[%#llx, %#llx] u32=[%#x, %#x] s32=[%#x, %#x] var_off=(%#llx, %#llx)\n",
                ctx, msg, b.umin, b.umax, b.smin, b.smax, b.u32min, b.u32max, b.s32min, b.s32max, b.var.value(), b.var.mask());
    }

    /** Models assign_scalar_id_before_mov(): a non-constant scalar gets an id its copies share. */
    private RegState assignScalarIdBeforeMov(int srcRegno) {
        RegState s = dc.reg(srcRegno);
        if (s.type() != RegType.SCALAR_VALUE) {
            return s;
        }
        if ((s.id() & BPF_ADD_CONST) != 0) {
            s = s.withId(0).withOff(0);
        }
        if (s.id() == 0 && !s.var().isConst()) {
            s = s.withId(dc.newId());
        }
        dc.cur.regs()[srcRegno] = s;
        return s;
    }

    /** The BPF_MOV part of check_alu_op(). */
    private int mov(Insn insn, boolean is64) {
        int dst = insn.dst();
        int r;
        if (insn.source() == BPF_X) {
            if ((r = dc.checkRegArg(insn.src(), true)) < 0) {
                return r;
            }
            if ((r = dc.checkRegArg(dst, false)) < 0) {
                return r;
            }
            RegState s = dc.reg(insn.src());
            int off = insn.off();
            if (is64) {
                if (off == 0) {
                    // R1 = R2: copy_register_state(); pointers keep their type and id
                    dc.setReg(dst, assignScalarIdBeforeMov(insn.src()));
                    return 0;
                }
                // R1 = (s8, s16, s32)R2
                if (dc.isPointerValue(s)) {
                    return env.err(Errno.EACCES, "R%d sign-extension part of pointer\n", insn.src());
                }
                if (s.isScalar()) {
                    boolean noSext = Long.compareUnsigned(s.umax(), 1L << (off - 1)) < 0;
                    if (noSext) {
                        s = assignScalarIdBeforeMov(insn.src());
                    }
                    RegBounds b = RegBounds.of(s);
                    b.coerceRegToSizeSx(off >> 3);
                    dc.setReg(dst, s.withId(noSext ? s.id() : 0).withBounds(b));
                } else {
                    dc.setReg(dst, RegState.UNKNOWN_SCALAR);
                }
                return 0;
            }
            // R1 = (u32) R2
            if (dc.isPointerValue(s)) {
                return env.err(Errno.EACCES, "R%d partial copy of pointer\n", insn.src());
            }
            RegState d;
            RegBounds b;
            if (s.isScalar()) {
                if (off == 0) {
                    // get_reg_width(src) <= 32
                    boolean isSrcRegU32 = 64 - Long.numberOfLeadingZeros(s.umax()) <= 32;
                    if (isSrcRegU32) {
                        s = assignScalarIdBeforeMov(insn.src());
                    }
                    d = s.withId(isSrcRegU32 ? s.id() : 0);
                    b = RegBounds.of(d);
                } else {
                    boolean noSext = Long.compareUnsigned(s.umax(), 1L << (off - 1)) < 0;
                    if (noSext) {
                        s = assignScalarIdBeforeMov(insn.src());
                    }
                    d = s.withId(noSext ? s.id() : 0);
                    b = RegBounds.of(d);
                    b.coerceSubregToSizeSx(off >> 3);
                }
            } else {
                d = RegState.UNKNOWN_SCALAR;
                b = RegBounds.unknown();
            }
            b.zext32To64();
            b.regBoundsSync();
            dc.setReg(dst, d.withBounds(b));
            return 0;
        }
        if ((r = dc.checkRegArg(dst, false)) < 0) {
            return r;
        }
        dc.setReg(dst, RegState.scalar(is64 ? (long) insn.imm() : insn.imm() & 0xffffffffL));
        return 0;
    }

    /** Models adjust_reg_min_max_vals(). */
    private int adjustRegMinMaxVals(Insn insn, RegState dstReg, RegState srcReg, boolean is64) {
        int op = insn.op();
        int dst = insn.dst();
        if (insn.source() == BPF_X) {
            if (!srcReg.isScalar()) {
                if (!dstReg.isScalar()) {
                    if (op == BPF_SUB && env.allowPtrLeaks) {
                        dc.setReg(dst, RegState.UNKNOWN_SCALAR);
                        return 0;
                    }
                    return env.err(Errno.EACCES, "R%d pointer %s pointer prohibited\n", dst, BPF_ALU_STRING[op >> 4]);
                }
                // scalar += pointer: legal, with source and destination swapped
                int err = dc.precision.markChainPrecision(dst);
                if (err != 0) {
                    return err;
                }
                return adjustPtrMinMaxVals(insn, srcReg, dstReg, true, is64);
            }
            if (!dstReg.isScalar()) {
                // pointer += scalar: the scalar's value decides the pointer's bounds
                int err = dc.precision.markChainPrecision(insn.src());
                if (err != 0) {
                    return err;
                }
                return adjustPtrMinMaxVals(insn, dstReg, srcReg, false, is64);
            }
            if (dstReg.precise()) {
                // if dst_reg is precise, src_reg should be precise as well
                int err = dc.precision.markChainPrecision(insn.src());
                if (err != 0) {
                    return err;
                }
            }
        } else if (!dstReg.isScalar()) {
            return adjustPtrMinMaxVals(insn, dstReg, srcReg, false, is64);
        }
        RegBounds d = scratchDst.load(dstReg);
        ScalarAlu.adjustScalarMinMaxVals(op, is64, d, scratchSrc.load(srcReg));
        RegState res;
        if (!ScalarAlu.isSafeToComputeDstRegRange(op, is64, scratchSrc.load(srcReg))) {
            // __mark_reg_unknown(): the whole register, id and off included
            res = RegState.UNKNOWN_SCALAR;
        } else {
            res = dstReg.withBounds(d);
        }
        // linked registers: rX += const keeps the link with the constant delta (bpf_capable)
        if (op == BPF_ADD && is64 && res.id() != 0 && srcReg.var().isConst()) {
            long val = srcReg.var().value();
            if ((res.id() & BPF_ADD_CONST) != 0 || Long.compareUnsigned(val, Integer.MAX_VALUE) > 0) {
                res = res.withOff(0).withId(0);
            } else {
                res = res.withId(res.id() | BPF_ADD_CONST).withOff((int) val);
            }
        } else {
            res = res.withId(0);
        }
        dc.setReg(dst, res);
        return 0;
    }

    /** Models adjust_ptr_min_max_vals(): {@code dstIsOff} when the destination was the scalar. */
    private int adjustPtrMinMaxVals(Insn insn, RegState ptr, RegState offReg, boolean dstIsOff, boolean is64) {
        int op = insn.op();
        int dst = insn.dst();
        boolean known = offReg.var().isConst();
        long sminVal = offReg.smin();
        long smaxVal = offReg.smax();
        long uminVal = offReg.umin();
        long umaxVal = offReg.umax();
        if ((known && (sminVal != smaxVal || uminVal != umaxVal)) || sminVal > smaxVal
                || Long.compareUnsigned(uminVal, umaxVal) > 0) {
            // taint dst register if offset had invalid bounds derived from e.g. dead branches
            dc.setReg(dst, RegState.UNKNOWN_SCALAR);
            return 0;
        }
        if (!is64) {
            if (op == BPF_SUB && env.allowPtrLeaks) {
                dc.setReg(dst, RegState.UNKNOWN_SCALAR);
                return 0;
            }
            return env.err(Errno.EACCES, "R%d 32-bit pointer arithmetic prohibited\n", dst);
        }
        if (ptr.maybeNull()) {
            return env.err(Errno.EACCES, "R%d pointer arithmetic on %s prohibited, null-check it first\n", dst, ptr.typeStr());
        }
        switch (ptr.type()) {
            case PTR_TO_CTX, PTR_TO_STACK, PTR_TO_BTF_ID, PTR_TO_MEM, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY -> {
            }
            case CONST_PTR_TO_MAP -> {
                // only "+= 0" (smin_val is the known value)
                if (!(known && sminVal == 0 && op == BPF_ADD)) {
                    return env.err(Errno.EACCES, "R%d pointer arithmetic on %s prohibited\n", dst, ptr.typeStr());
                }
            }
            default -> {
                return env.err(Errno.EACCES, "R%d pointer arithmetic on %s prohibited\n", dst, ptr.typeStr());
            }
        }
        // dst_reg inherits the pointer's type and id (also for scalar += pointer)
        String typeStr = ptr.typeStr();
        if (!checkRegSaneOffset(offReg, typeStr) || !checkRegSaneOffset(ptr, typeStr)) {
            return Errno.EINVAL.negative();
        }
        RegBounds b = RegBounds.of(ptr);
        // pointer types do not carry 32-bit bounds
        b.mark32Unbounded();
        RegState res;
        switch (op) {
            case BPF_ADD -> {
                long sum = (long) ptr.off() + sminVal;
                if (known && sum == (int) sum) {
                    // pointer += K: accumulate it into the fixed offset
                    res = ptr.withBounds(b).withOff((int) sum);
                    break;
                }
                if (addOverflows(ptr.smin(), sminVal) || addOverflows(ptr.smax(), smaxVal)) {
                    b.smin = RegBounds.S64_MIN;
                    b.smax = RegBounds.S64_MAX;
                } else {
                    b.smin = ptr.smin() + sminVal;
                    b.smax = ptr.smax() + smaxVal;
                }
                if (Long.compareUnsigned(ptr.umin() + uminVal, ptr.umin()) < 0
                        || Long.compareUnsigned(ptr.umax() + umaxVal, ptr.umax()) < 0) {
                    b.umin = 0;
                    b.umax = RegBounds.U64_MAX;
                } else {
                    b.umin = ptr.umin() + uminVal;
                    b.umax = ptr.umax() + umaxVal;
                }
                b.var = ptr.var().add(offReg.var());
                res = ptr.withBounds(b);
            }
            case BPF_SUB -> {
                if (dstIsOff) {
                    return env.err(Errno.EACCES, "R%d tried to subtract pointer from scalar\n", dst);
                }
                if (ptr.type() == RegType.PTR_TO_STACK) {
                    return env.err(Errno.EACCES, "R%d subtraction from stack pointer prohibited\n", dst);
                }
                long diff = (long) ptr.off() - sminVal;
                if (known && diff == (int) diff) {
                    res = ptr.withBounds(b).withOff((int) diff);
                    break;
                }
                if (subOverflows(ptr.smin(), smaxVal) || subOverflows(ptr.smax(), sminVal)) {
                    b.smin = RegBounds.S64_MIN;
                    b.smax = RegBounds.S64_MAX;
                } else {
                    b.smin = ptr.smin() - smaxVal;
                    b.smax = ptr.smax() - sminVal;
                }
                if (Long.compareUnsigned(ptr.umin(), umaxVal) < 0) {
                    b.umin = 0;
                    b.umax = RegBounds.U64_MAX;
                } else {
                    b.umin = ptr.umin() - umaxVal;
                    b.umax = ptr.umax() - uminVal;
                }
                b.var = ptr.var().sub(offReg.var());
                res = ptr.withBounds(b);
            }
            case BPF_AND, BPF_OR, BPF_XOR -> {
                return env.err(Errno.EACCES, "R%d bitwise operator %s on pointer prohibited\n", dst, BPF_ALU_STRING[op >> 4]);
            }
            default -> {
                return env.err(Errno.EACCES, "R%d pointer arithmetic with %s operator prohibited\n", dst, BPF_ALU_STRING[op >> 4]);
            }
        }
        if (!checkRegSaneOffset(res, typeStr)) {
            return Errno.EINVAL.negative();
        }
        RegBounds rb = RegBounds.of(res);
        rb.regBoundsSync();
        dc.setReg(dst, res.withBounds(rb));
        return 0;
    }

    private static boolean addOverflows(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0;
    }

    private static boolean subOverflows(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0;
    }

    /** Models check_reg_sane_offset(); logs and returns false when the kernel does. */
    private boolean checkRegSaneOffset(RegState reg, String typeStr) {
        boolean known = reg.var().isConst();
        long val = reg.var().value();
        long smin = reg.smin();
        if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
            env.verbose("math between %s pointer and %d is not allowed\n", typeStr, val);
            return false;
        }
        if (reg.off() >= BPF_MAX_VAR_OFF || reg.off() <= -BPF_MAX_VAR_OFF) {
            env.verbose("%s pointer offset %d is not allowed\n", typeStr, reg.off());
            return false;
        }
        if (smin == Long.MIN_VALUE) {
            env.verbose("math between %s pointer and register with unbounded min value is not allowed\n", typeStr);
            return false;
        }
        if (smin >= BPF_MAX_VAR_OFF || smin <= -BPF_MAX_VAR_OFF) {
            env.verbose("value %d makes %s pointer be out of bounds\n", smin, typeStr);
            return false;
        }
        return true;
    }
}
