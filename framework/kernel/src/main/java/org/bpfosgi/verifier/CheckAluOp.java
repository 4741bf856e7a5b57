package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c check_alu_op() with adjust_reg_min_max_vals() and
 * adjust_ptr_min_max_vals(): register moves, scalar arithmetic ({@link ScalarAlu}) and the
 * kernel's pointer-arithmetic rules, with its messages. Reserved-field checks were made up front
 * ({@link CheckSubprogs#checkInsnFields}).
 */
final class CheckAluOp {
    /** BPF_MAX_VAR_OFF. */
    static final long BPF_MAX_VAR_OFF = 1L << 29;
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
            RegState d = dc.reg(dst);
            if (dc.isPointerValue(d)) {
                return env.err(Errno.EACCES, "R%d pointer arithmetic prohibited\n", dst);
            }
            if ((r = dc.checkRegArg(dst, false)) < 0) {
                return r;
            }
            if (!d.isScalar() || !d.var().isConst()) {
                dc.setReg(dst, RegState.scalar(op == BPF_NEG && d.isScalar() ? ScalarAlu.apply(BPF_NEG, d.var(), Tnum.constant(0), is64, 0) : Tnum.UNKNOWN));
                if (!is64) {
                    dc.setReg(dst, RegState.scalar(dc.reg(dst).var().subreg()));
                }
                return 0;
            }
            long v = d.var().value();
            long res = op == BPF_NEG ? ScalarAlu.eval(BPF_NEG, v, 0, is64, 0)
                    : ScalarAlu.endian(v, insn.imm(), insn.source() == BPF_TO_BE, is64);
            dc.setReg(dst, RegState.scalar(res));
            return 0;
        }
        if (op == BPF_MOV) {
            return mov(insn, is64);
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
            src = RegState.scalar(is64 ? (long) insn.imm() : insn.imm() & 0xffffffffL);
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
        return adjustRegMinMaxVals(insn, dc.reg(dst), src, is64);
    }

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
                    // a copy: pointers keep their type and id (so a null check marks both)
                    dc.setReg(dst, s);
                    return 0;
                }
                if (s.isPointer()) {
                    return env.err(Errno.EACCES, "R%d sign-extension part of pointer\n", insn.src());
                }
                dc.setReg(dst, RegState.scalar(s.var().isConst() ? Tnum.constant(ScalarAlu.sext(s.var().value(), off)) : Tnum.UNKNOWN));
                return 0;
            }
            if (s.isPointer()) {
                if (!env.allowPtrLeaks) {
                    return env.err(Errno.EACCES, "R%d partial copy of pointer\n", insn.src());
                }
                dc.setReg(dst, RegState.scalar(Tnum.UNKNOWN.subreg()));
                return 0;
            }
            if (off != 0) {
                Tnum t = s.var().isConst() ? Tnum.constant(ScalarAlu.sext(s.var().value(), off) & 0xffffffffL) : Tnum.UNKNOWN.subreg();
                dc.setReg(dst, RegState.scalar(t));
                return 0;
            }
            dc.setReg(dst, RegState.scalar(s.var().subreg()));
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
        if (srcReg.isPointer()) {
            if (dstReg.isPointer()) {
                if (op == BPF_SUB && env.allowPtrLeaks) {
                    dc.setReg(dst, RegState.UNKNOWN_SCALAR);
                    return 0;
                }
                return env.err(Errno.EACCES, "R%d pointer %s pointer prohibited\n", dst, BPF_ALU_STRING[op >> 4]);
            }
            // scalar += pointer: legal, with source and destination swapped
            return adjustPtrMinMaxVals(insn, srcReg, dstReg, true, is64);
        }
        if (dstReg.isPointer()) {
            return adjustPtrMinMaxVals(insn, dstReg, srcReg, false, is64);
        }
        dc.setReg(dst, RegState.scalar(ScalarAlu.apply(op, dstReg.var(), srcReg.var(), is64, insn.off())));
        return 0;
    }

    /** Models adjust_ptr_min_max_vals(): {@code dstIsOff} when the destination was the scalar. */
    private int adjustPtrMinMaxVals(Insn insn, RegState ptr, RegState offReg, boolean dstIsOff, boolean is64) {
        int op = insn.op();
        int dst = insn.dst();
        if (!is64) {
            if (op == BPF_SUB && env.allowPtrLeaks) {
                dc.setReg(dst, RegState.scalar(Tnum.UNKNOWN.subreg()));
                return 0;
            }
            return env.err(Errno.EACCES, "R%d 32-bit pointer arithmetic prohibited\n", dst);
        }
        if (ptr.maybeNull()) {
            return env.err(Errno.EACCES, "R%d pointer arithmetic on %s prohibited, null-check it first\n", dst, ptr.typeStr());
        }
        Tnum off = offReg.var();
        if (off.isConst() && !checkRegSaneOffsetConst(off.value(), ptr)) {
            return Errno.EACCES.negative();
        }
        if (!off.isConst() && (off.mask() < 0 || (off.value() & off.mask()) != 0)) {
            // the tnum says nothing about the sign: smin is S64_MIN
            return env.err(Errno.EACCES, "math between %s pointer and register with unbounded min value is not allowed\n", ptr.typeStr());
        }
        switch (op) {
            case BPF_ADD -> {
                if (off.isConst()) {
                    long n = (long) ptr.off() + off.value();
                    if (n >= BPF_MAX_VAR_OFF || n <= -BPF_MAX_VAR_OFF) {
                        return env.err(Errno.EACCES, "%s pointer offset %d is not allowed\n", ptr.typeStr(), n);
                    }
                    dc.setReg(dst, ptr.withOff((int) n, ptr.var()));
                } else {
                    Tnum v = ptr.var().add(off);
                    if (v.umax() - v.umin() >= BPF_MAX_VAR_OFF || v.mask() < 0) {
                        return env.err(Errno.EACCES, "value %d makes %s pointer be out of bounds\n", off.umax(), ptr.typeStr());
                    }
                    dc.setReg(dst, ptr.withOff(ptr.off(), v));
                }
                return 0;
            }
            case BPF_SUB -> {
                if (dstIsOff) {
                    return env.err(Errno.EACCES, "R%d tried to subtract pointer from scalar\n", dst);
                }
                if (ptr.type() == RegType.PTR_TO_STACK) {
                    return env.err(Errno.EACCES, "R%d subtraction from stack pointer prohibited\n", dst);
                }
                if (off.isConst()) {
                    long n = (long) ptr.off() - off.value();
                    if (n >= BPF_MAX_VAR_OFF || n <= -BPF_MAX_VAR_OFF) {
                        return env.err(Errno.EACCES, "%s pointer offset %d is not allowed\n", ptr.typeStr(), n);
                    }
                    dc.setReg(dst, ptr.withOff((int) n, ptr.var()));
                } else {
                    Tnum v = ptr.var().sub(off);
                    if (v.mask() < 0) {
                        return env.err(Errno.EACCES, "value %d makes %s pointer be out of bounds\n", off.umax(), ptr.typeStr());
                    }
                    dc.setReg(dst, ptr.withOff(ptr.off(), v));
                }
                return 0;
            }
            case BPF_AND, BPF_OR, BPF_XOR -> {
                return env.err(Errno.EACCES, "R%d bitwise operator %s on pointer prohibited\n", dst, BPF_ALU_STRING[op >> 4]);
            }
            default -> {
                return env.err(Errno.EACCES, "R%d pointer arithmetic with %s operator prohibited\n", dst, BPF_ALU_STRING[op >> 4]);
            }
        }
    }

    /** Models check_reg_sane_offset() for a known scalar. */
    private boolean checkRegSaneOffsetConst(long val, RegState ptr) {
        if (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF) {
            env.verbose("math between %s pointer and %d is not allowed\n", ptr.typeStr(), val);
            return false;
        }
        return true;
    }
}
