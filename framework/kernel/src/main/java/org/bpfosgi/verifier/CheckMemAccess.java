package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BtfRegInfo;
import org.bpfosgi.subsystem.InsnAccessAux;

/**
 * Models kernel/bpf/verifier.c check_mem_access() and what it dispatches to: the stack
 * (check_stack_access_within_bounds(), check_stack_write_fixed_off()/_var_off(),
 * check_stack_read_fixed_off()/_var_off(), spills and fills), the context
 * (check_ctx_access() → {@code ops->is_valid_access}), BTF objects (check_ptr_to_btf_access():
 * reads walk the struct as btf_struct_walk() does, writes go to {@code ops->btf_struct_access})
 * and sized memory (check_mem_region_access()). Also check_atomic().
 */
final class CheckMemAccess {
    private final DoCheck dc;
    private final VerifierEnv env;

    CheckMemAccess(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    int checkLdx(int idx, Insn insn) {
        int r;
        if ((r = dc.checkRegArg(insn.src(), true)) < 0) {
            return r;
        }
        if ((r = dc.checkRegArg(insn.dst(), false)) < 0) {
            return r;
        }
        return access(idx, insn.src(), insn.off(), bpf_size_to_bytes(insn.size()), BpfAccessType.BPF_READ, insn.dst(),
                null, insn.mode() == BPF_MEMSX);
    }

    int checkStx(int idx, Insn insn) {
        int r;
        if ((r = dc.checkRegArg(insn.src(), true)) < 0) {
            return r;
        }
        if ((r = dc.checkRegArg(insn.dst(), true)) < 0) {
            return r;
        }
        return access(idx, insn.dst(), insn.off(), bpf_size_to_bytes(insn.size()), BpfAccessType.BPF_WRITE, insn.src(),
                null, false);
    }

    int checkSt(int idx, Insn insn) {
        int r;
        if ((r = dc.checkRegArg(insn.dst(), true)) < 0) {
            return r;
        }
        int size = bpf_size_to_bytes(insn.size());
        long v = insn.imm();
        return access(idx, insn.dst(), insn.off(), size, BpfAccessType.BPF_WRITE, -1, RegState.scalar(v), false);
    }

    /**
     * Models check_atomic() (v6.12): operands read (src, dst, R0 for CMPXCHG), no pointer stored,
     * refused only into the context (packet, flow-keys, socket and arena pointers do not exist in
     * the model), then the location is read (and read into the fetch register) and written, each
     * as check_mem_access() with strict alignment for every pointer type. An atomic through a
     * PTR_TO_BTF_ID goes through btf_struct_access like any store.
     */
    int checkAtomic(int idx, Insn insn) {
        int size = bpf_size_to_bytes(insn.size());
        if (size != 4 && size != 8) {
            return env.err(Errno.EINVAL, "invalid atomic operand size\n");
        }
        int r;
        if ((r = dc.checkRegArg(insn.src(), true)) < 0) {
            return r;
        }
        if ((r = dc.checkRegArg(insn.dst(), true)) < 0) {
            return r;
        }
        if (insn.imm() == BPF_CMPXCHG) {
            if ((r = dc.checkRegArg(BPF_REG_0, true)) < 0) {
                return r;
            }
            if (dc.isPointerValue(dc.reg(BPF_REG_0))) {
                return env.err(Errno.EACCES, "R%d leaks addr into mem\n", BPF_REG_0);
            }
        }
        if (dc.isPointerValue(dc.reg(insn.src()))) {
            return env.err(Errno.EACCES, "R%d leaks addr into mem\n", insn.src());
        }
        RegState d = dc.reg(insn.dst());
        // is_ctx_reg() || is_pkt_reg() || is_flow_key_reg() || is_sk_reg(): of the model's types only
        // the context; a PTR_TO_BTF_ID goes on to check_mem_access() (btf_struct_access for the
        // write), and the live 6.18 kernel accepts an atomic add to tcp_sock->snd_cwnd
        if (d.type() == RegType.PTR_TO_CTX) {
            return env.err(Errno.EACCES, "BPF_ATOMIC stores into R%d %s is not allowed\n", insn.dst(), d.typeStr());
        }
        boolean fetch = (insn.imm() & BPF_FETCH) != 0;
        int loadReg = -1;
        if (fetch) {
            loadReg = insn.imm() == BPF_CMPXCHG ? BPF_REG_0 : insn.src();
            if ((r = dc.checkRegArg(loadReg, false)) < 0) {
                return r;
            }
        }
        strictAlignmentOnce = true;
        try {
            r = access(idx, insn.dst(), insn.off(), size, BpfAccessType.BPF_READ, -1, null, false);
            if (r >= 0 && loadReg >= 0) {
                r = access(idx, insn.dst(), insn.off(), size, BpfAccessType.BPF_READ, loadReg, null, false);
            }
            if (r < 0) {
                return r;
            }
            return access(idx, insn.dst(), insn.off(), size, BpfAccessType.BPF_WRITE, -1, RegState.UNKNOWN_SCALAR, false);
        } finally {
            strictAlignmentOnce = false;
        }
    }

    /** check_mem_access()'s strict_alignment_once argument (true for atomics). */
    private boolean strictAlignmentOnce;

    /**
     * Models check_mem_access(). For a write, {@code valueRegno} is the stored register, or -1 with
     * {@code immValue} for BPF_ST; for a read, the destination register (or -1).
     */
    int access(int idx, int regno, int off, int size, BpfAccessType t, int valueRegno, RegState immValue, boolean signExt) {
        RegState reg = dc.reg(regno);
        RegState value = t == BpfAccessType.BPF_WRITE ? (valueRegno >= 0 ? dc.reg(valueRegno) : immValue) : null;
        // alignment checks add in reg->off themselves
        int r = checkPtrAlignment(reg, off, size);
        if (r < 0) {
            return r;
        }
        switch (reg.type()) {
            case PTR_TO_STACK -> r = stackAccess(regno, reg, off + reg.off(), size, t, valueRegno, value);
            case PTR_TO_CTX -> r = ctxAccess(regno, reg, off, size, t, valueRegno, value);
            case PTR_TO_BTF_ID -> {
                if (reg.maybeNull()) {
                    return env.err(Errno.EACCES, "R%d invalid mem access '%s'\n", regno, reg.typeStr());
                }
                r = btfAccess(regno, reg, off, size, t, valueRegno, value);
            }
            case PTR_TO_MEM -> r = memAccess(regno, reg, off, size, t, valueRegno, value);
            case CONST_PTR_TO_MAP -> r = CheckPtrToMapAccess.run(dc, regno, reg, off, size, t, valueRegno);
            case PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY -> {
                // reg->type == PTR_TO_MAP_VALUE / PTR_TO_MAP_KEY: a maybe-null one is "invalid mem access"
                if (reg.maybeNull()) {
                    return env.err(Errno.EACCES, "R%d invalid mem access '%s'\n", regno, reg.typeStr());
                }
                r = reg.type() == RegType.PTR_TO_MAP_VALUE
                        ? dc.mapAccess.mapValueAccess(regno, reg, off + reg.off(), size, t, valueRegno, value, signExt)
                        : dc.mapAccess.mapKeyAccess(regno, reg, off + reg.off(), size, t, valueRegno);
            }
            default -> {
                return env.err(Errno.EACCES, "R%d invalid mem access '%s'\n", regno, reg.typeStr());
            }
        }
        if (r >= 0 && size < 8 && valueRegno >= 0 && t == BpfAccessType.BPF_READ && dc.reg(valueRegno).isScalar()) {
            // b/h/w load zero-extends (coerce_reg_to_size()), ldsx sign-extends (coerce_reg_to_size_sx())
            RegState v = dc.reg(valueRegno);
            RegBounds b = RegBounds.of(v);
            if (signExt) {
                b.coerceRegToSizeSx(size);
            } else {
                b.coerceRegToSize(size);
            }
            dc.setReg(valueRegno, v.withBounds(b));
        }
        return r;
    }

    /**
     * Models check_ptr_alignment() with check_generic_ptr_alignment(): without
     * BPF_F_STRICT_ALIGNMENT on x86 only the stack is checked, and there always strictly ("the
     * stack spill tracking logic relies on stack accesses being aligned"), the variable offset
     * included: var_off + (reg->off + off) must be a multiple of the size. Byte accesses pass.
     */
    private int checkPtrAlignment(RegState reg, int off, int size) {
        String desc;
        boolean strict = strictAlignmentOnce;
        switch (reg.type()) {
            case PTR_TO_CTX -> desc = "context ";
            case PTR_TO_STACK -> {
                desc = "stack ";
                strict = true;
            }
            case PTR_TO_MAP_VALUE -> desc = "value ";
            case PTR_TO_MAP_KEY -> desc = "key ";
            default -> desc = "";
        }
        if (!strict || size == 1) {
            return 0;
        }
        Tnum regOff = reg.var().add(Tnum.constant((long) reg.off() + off));
        if (!regOff.isAligned(size)) {
            return env.err(Errno.EACCES, "misaligned %saccess off %s+%d+%d size %d\n", desc, reg.var().toString(),
                    reg.off(), off, size);
        }
        return 0;
    }

    // ------------------------------------------------------------------ stack

    /** The PTR_TO_STACK branch of check_mem_access(): {@code off} already includes reg->off. */
    private int stackAccess(int regno, RegState reg, int off, int size, BpfAccessType t, int valueRegno, RegState value) {
        FuncState f = dc.cur.frame[reg.frameno()];
        String extra = t == BpfAccessType.BPF_READ ? " read from" : " write to";
        int r = checkStackAccessWithinBounds(regno, reg, f, off, size, t, extra);
        if (r < 0) {
            return r;
        }
        boolean varOff = !reg.var().isConst();
        if (t == BpfAccessType.BPF_READ) {
            // check_stack_read()
            if (valueRegno < 0 && varOff) {
                return env.err(Errno.EACCES,
                        "variable offset stack pointer cannot be passed into helper function; var_off=%s off=%d size=%d\n",
                        reg.var().toString(), off, size);
            }
            if (!varOff) {
                return stackReadFixedOff(f, off + (int) reg.var().value(), size, valueRegno);
            }
            return stackReadVarOff(regno, reg, f, off, size, valueRegno);
        }
        // check_stack_write()
        if (!varOff) {
            return stackWriteFixedOff(f, off + (int) reg.var().value(), size, value, valueRegno);
        }
        return stackWriteVarOff(reg, f, off, size, value, valueRegno);
    }

    /**
     * Models check_stack_access_within_bounds() with check_stack_slot_within_bounds() and
     * grow_stack_state(): the order of checks and errnos of v6.12 (below the lowest valid offset
     * -EACCES, above the frame -EINVAL, an unbounded variable offset -EACCES before either).
     * {@code extra} is " read from", " write to", or for helpers " indirect access to".
     */
    int checkStackAccessWithinBounds(int regno, RegState reg, FuncState f, int off, int size, BpfAccessType boundsType,
                                     String extra) {
        long minOff;
        long maxOff;
        if (reg.var().isConst()) {
            minOff = reg.var().value() + off;
            maxOff = minOff + size;
        } else {
            if (reg.smax() >= CheckAluOp.BPF_MAX_VAR_OFF || reg.smin() <= -CheckAluOp.BPF_MAX_VAR_OFF) {
                return env.err(Errno.EACCES, "invalid unbounded variable-offset%s stack R%d\n", extra, regno);
            }
            minOff = reg.smin() + off;
            maxOff = reg.smax() + off + size;
        }
        // check_stack_slot_within_bounds()
        // (no extra room for bpf_fastcall spills/fills: d0b98f6a17a5 "bpf: disallow 40-bytes extra
        // stack for bpf_fastcall patterns", v6.12-rc6, removed it before v6.12)
        int minValidOff = boundsType == BpfAccessType.BPF_WRITE || env.allowUninitStack ? -MAX_BPF_STACK : -f.allocatedStack;
        Errno err = null;
        if (minOff < minValidOff || minOff > -1) {
            err = Errno.EACCES;
        } else if (maxOff > 0) {
            err = Errno.EINVAL;
        } else if (size < 0) {
            err = Errno.EFAULT;
        }
        if (err != null) {
            if (reg.var().isConst()) {
                return env.err(err, "invalid%s stack R%d off=%d size=%d\n", extra, regno, off, size);
            }
            return env.err(err, "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d\n", extra, regno,
                    reg.var().toString(), off, size);
        }
        growStackState(f, (int) -minOff);
        return 0;
    }

    /** Models grow_stack_state(): the frame's stack (and its subprogram's depth) in whole slots. */
    private void growStackState(FuncState f, int size) {
        int rounded = (size + 7) / 8 * 8;
        if (f.allocatedStack >= rounded) {
            return;
        }
        f.allocatedStack = rounded;
        f.growStack(rounded);
        if (env.subprogStackDepth[f.subprogno] < rounded) {
            env.subprogStackDepth[f.subprogno] = rounded;
        }
    }

    /** Models update_stack_depth(). */
    private void updateStackDepth(FuncState f, int off) {
        if (env.subprogStackDepth[f.subprogno] < -off) {
            env.subprogStackDepth[f.subprogno] = -off;
        }
    }

    /**
     * Models check_stack_write_fixed_off() (v6.12, privileged): an aligned store (off % 8 == 0)
     * of a scalar register or of an immediate (BPF_ST) of any size is a spill
     * (save_register_state(): the spilled_ptr is a copy, the written bytes STACK_SPILL, the
     * slot's other bytes mark_stack_slot_misc()); the register first gets an id its copy shares
     * when its value fits the store (assign_scalar_id_before_mov()), otherwise the copy's id is
     * dropped. A pointer is spilled only whole ("invalid size of register spill"). Any other store
     * destroys a spill (the slot's bytes scrubbed to STACK_MISC) and writes STACK_MISC, or
     * STACK_ZERO for a known zero (whose register must then be precise). Only an 8-byte store
     * marks the slot written.
     */
    private int stackWriteFixedOff(FuncState f, int off, int size, RegState value, int valueRegno) {
        int spi = FuncState.slotIndex(off);
        int first = FuncState.byteIndex(off + size - 1);
        if (!env.allowPtrLeaks && isSpilledReg(f, spi) && f.spilled[spi] != null && !f.spilled[spi].isScalar() && size != 8) {
            return env.err(Errno.EACCES, "attempt to corrupt spilled pointer on stack\n");
        }
        MarkFastcallPatterns.checkFastcallStackContract(env, f.subprogno, dc.cur.insnIdx, off);
        boolean aligned = off % 8 == 0;
        if (valueRegno >= 0 && aligned && value.isScalar() && env.bpfCapable) {
            boolean fits = 64 - Long.numberOfLeadingZeros(value.umax()) <= 8 * size;
            if (fits) {
                value = assignScalarIdBeforeMov(valueRegno);
            }
            saveRegisterState(f, spi, fits ? value : value.withId(0), size);
        } else if (valueRegno < 0 && aligned && value != null && env.bpfCapable) {
            // BPF_ST: a spill of the known immediate
            saveRegisterState(f, spi, value, size);
        } else if (value != null && value.isPointer()) {
            if (size != 8) {
                return env.err(Errno.EACCES, "invalid size of register spill\n");
            }
            saveRegisterState(f, spi, value, size);
        } else {
            f.spilled[spi] = null;
            if (isSpilledReg(f, spi)) {
                // is_stack_slot_special(): scrub_spilled_slot() on all 8 bytes
                for (int b = 0; b < 8; b++) {
                    if (f.slotType[spi * 8 + b] != FuncState.STACK_INVALID) {
                        f.slotType[spi * 8 + b] = FuncState.STACK_MISC;
                    }
                }
            }
            if (size == 8) {
                f.slotLive[spi] |= FuncState.REG_LIVE_WRITTEN;
            }
            byte type = value != null && value.isNull() ? FuncState.STACK_ZERO : FuncState.STACK_MISC;
            if (type == FuncState.STACK_ZERO && valueRegno >= 0) {
                // STACK_ZERO is not backtracked: the stored register must be precise
                int err = dc.precision.markChainPrecision(valueRegno);
                if (err != 0) {
                    return err;
                }
            }
            for (int b = first; b < first + size; b++) {
                f.slotType[b] = type;
            }
        }
        dc.printer.scratchSlot(spi);
        return 0;
    }

    /** is_spilled_reg(): the slot's lowest byte (the kernel's slot_type[BPF_REG_SIZE - 1]) is STACK_SPILL. */
    static boolean isSpilledReg(FuncState f, int spi) {
        return f.slotType[spi * 8 + 7] == FuncState.STACK_SPILL;
    }

    /**
     * Models save_register_state(): the slot's spilled_ptr becomes a copy of {@code reg}; the
     * {@code size} lowest bytes STACK_SPILL, the others mark_stack_slot_misc() (v6.12.0: STACK_ZERO
     * stays, STACK_INVALID stays under allow_ptr_leaks, anything else becomes STACK_MISC).
     */
    private void saveRegisterState(FuncState f, int spi, RegState reg, int size) {
        // check_stack_write_fixed_off() keeps insn_flags for a register spill: push_jmp_history()
        // with INSN_F_STACK_ACCESS, so backtracking follows the slot (the push happens after the
        // slot is written there; nothing in between reads the history)
        dc.pushJmpHistory().stackAccess(f.frameno, spi);
        f.spilled[spi] = reg;
        if (size == 8) {
            f.slotLive[spi] |= FuncState.REG_LIVE_WRITTEN;
        }
        for (int k = 7; k >= 8 - size; k--) {
            f.slotType[spi * 8 + k] = FuncState.STACK_SPILL;
        }
        for (int k = 8 - size - 1; k >= 0; k--) {
            byte t = f.slotType[spi * 8 + k];
            if (t == FuncState.STACK_ZERO || (env.allowPtrLeaks && t == FuncState.STACK_INVALID)) {
                continue;
            }
            f.slotType[spi * 8 + k] = FuncState.STACK_MISC;
        }
    }

    /** Models assign_scalar_id_before_mov() on a register about to be spilled (the register keeps the id too). */
    private RegState assignScalarIdBeforeMov(int regno) {
        RegState s = dc.reg(regno);
        if ((s.id() & CheckAluOp.BPF_ADD_CONST) != 0) {
            s = s.withId(0).withOff(0);
        }
        if (s.id() == 0 && !s.var().isConst()) {
            s = s.withId(dc.newId());
        }
        dc.cur.regs()[regno] = s;
        return s;
    }

    /**
     * Models check_stack_read_fixed_off() (v6.12). A spilled register is restored whole by an
     * 8-byte fill of an 8-byte spill. Any other fill of a spill needs a scalar ("invalid size of
     * register fill"): a fill at the slot's start no wider than the spill copies the spilled
     * register (its id dropped unless the value fits the fill; check_mem_access() then
     * zero-extends it); otherwise each byte must be spilled, MISC, ZERO or (allow_uninit_stack)
     * INVALID, and the result is known zero when all bytes are spilled bytes of a zero or all are
     * STACK_ZERO, else unknown. A fill that restores the spilled register is recorded in the jump
     * history (INSN_F_STACK_ACCESS) for backtracking; reads of plain bytes are not.
     */
    private int stackReadFixedOff(FuncState f, int off, int size, int dst) {
        int spi = FuncState.slotIndex(off);
        // mark_stack_slot_scratched(): the slot is printed after the instruction
        dc.printer.scratchSlot(spi);
        MarkFastcallPatterns.checkFastcallStackContract(env, f.subprogno, dc.cur.insnIdx, off);
        dc.markSlotRead(f.frameno, spi);
        if (isSpilledReg(f, spi) && f.spilled[spi] != null) {
            RegState sp = f.spilled[spi];
            int spillSize = 1;
            for (int i = 7; i > 0 && f.slotType[spi * 8 + i - 1] == FuncState.STACK_SPILL; i--) {
                spillSize++;
            }
            if (size == 8 && spillSize == 8) {
                if (dst >= 0) {
                    dc.pushJmpHistory().stackAccess(f.frameno, spi);
                    dc.setReg(dst, sp);
                } else if (dc.isPointerValue(sp)) {
                    // an atomic without fetch reads the slot as a scalar: not a pointer, unless allow_ptr_leaks
                    return env.err(Errno.EACCES, "leaking pointer from stack off %d\n", off);
                } else {
                    // insn_flags kept: the 8-byte read of a spill is recorded for backtracking too
                    dc.pushJmpHistory().stackAccess(f.frameno, spi);
                }
                return 0;
            }
            if (!sp.isScalar()) {
                return env.err(Errno.EACCES, "invalid size of register fill\n");
            }
            if (dst < 0) {
                return 0;
            }
            if (size <= spillSize && off % 8 == 0) {
                // bpf_stack_narrow_access_ok() (little endian)
                dc.pushJmpHistory().stackAccess(f.frameno, spi);
                boolean fits = 64 - Long.numberOfLeadingZeros(sp.umax()) <= 8 * size;
                dc.setReg(dst, fits ? sp : sp.withId(0));
                return 0;
            }
            int spillCnt = 0;
            int zeroCnt = 0;
            for (int i = 0; i < size; i++) {
                byte type = f.slotType[FuncState.byteIndex(off + i)];
                if (type == FuncState.STACK_SPILL) {
                    spillCnt++;
                } else if (type == FuncState.STACK_ZERO) {
                    zeroCnt++;
                } else if (type != FuncState.STACK_MISC && !(type == FuncState.STACK_INVALID && env.allowUninitStack)) {
                    return env.err(Errno.EACCES, "invalid read from stack off %d+%d size %d\n", off, i, size);
                }
            }
            if (spillCnt == size && sp.var().equalsConst(0)) {
                // a register fill: keeps the history entry
                dc.pushJmpHistory().stackAccess(f.frameno, spi);
                dc.setReg(dst, RegState.scalar(0));
            } else {
                dc.setReg(dst, zeroCnt == size ? RegState.scalar(0) : RegState.UNKNOWN_SCALAR);
            }
            return 0;
        }
        boolean allZero = true;
        for (int i = 0; i < size; i++) {
            byte type = f.slotType[FuncState.byteIndex(off + i)];
            if (type == FuncState.STACK_INVALID) {
                if (env.allowUninitStack) {
                    allZero = false;
                    continue;
                }
                return env.err(Errno.EACCES, "invalid read from stack off %d+%d size %d\n", off, i, size);
            }
            allZero &= type == FuncState.STACK_ZERO;
        }
        if (dst >= 0) {
            dc.setReg(dst, allZero ? RegState.scalar(0) : RegState.UNKNOWN_SCALAR);
        }
        return 0;
    }

    /**
     * Models check_stack_read_var_off(): check_stack_range_initialized() (ACCESS_DIRECT) over
     * every byte the access may touch, then mark_reg_stack_read(): known zero only when all are
     * STACK_ZERO.
     */
    private int stackReadVarOff(int regno, RegState reg, FuncState f, int off, int size, int dst) {
        int r = checkStackRangeInitialized(regno, reg, off, size, false, false);
        if (r < 0) {
            return r;
        }
        long minOff = reg.smin() + off;
        long maxOff = reg.smax() + off + size;
        boolean zeros = true;
        for (long i = minOff; i < maxOff; i++) {
            dc.markSlotRead(f.frameno, FuncState.byteIndex((int) i) / 8);
        }
        MarkFastcallPatterns.checkFastcallStackContract(env, f.subprogno, dc.cur.insnIdx, (int) minOff);
        for (long i = minOff; i < maxOff; i++) {
            zeros &= f.slotType[FuncState.byteIndex((int) i)] == FuncState.STACK_ZERO;
        }
        if (dst >= 0) {
            dc.setReg(dst, zeros ? RegState.scalar(0) : RegState.UNKNOWN_SCALAR);
        }
        return 0;
    }

    /**
     * Models check_stack_write_var_off(): every byte in [smin+off, smax+off+size) becomes
     * STACK_MISC (STACK_ZERO stays when zero is written; a spilled 0 stays when zero is written),
     * spilled registers in range are destroyed.
     */
    private int stackWriteVarOff(RegState reg, FuncState f, int off, int size, RegState value, int valueRegno) {
        long minOff = reg.smin() + off;
        long maxOff = reg.smax() + off + size;
        boolean writingZero = value != null && value.isNull();
        boolean zeroUsed = false;
        MarkFastcallPatterns.checkFastcallStackContract(env, f.subprogno, dc.cur.insnIdx, (int) minOff);
        for (long i = minOff; i < maxOff; i++) {
            int b = FuncState.byteIndex((int) i);
            int spi = b / 8;
            byte stype = f.slotType[b];
            dc.printer.scratchSlot(spi);
            if (!env.allowPtrLeaks && stype != FuncState.STACK_MISC && stype != FuncState.STACK_ZERO) {
                return env.err(Errno.EINVAL, "spilled ptr in range of var-offset stack write; insn %d, ptr off: %d",
                        dc.cur.insnIdx, (int) i);
            }
            if (writingZero && stype == FuncState.STACK_SPILL && f.spilled[spi] != null && f.spilled[spi].isScalar()
                    && f.spilled[spi].var().equalsConst(0)) {
                zeroUsed = true;
                continue;
            }
            if (stype == FuncState.STACK_SPILL) {
                // the spilled register is erased; the model keeps no partial spill, so the whole slot becomes MISC
                for (int k = 0; k < 8; k++) {
                    if (f.slotType[spi * 8 + k] == FuncState.STACK_SPILL) {
                        f.slotType[spi * 8 + k] = FuncState.STACK_MISC;
                    }
                }
                f.spilled[spi] = null;
            }
            byte newType = writingZero && stype == FuncState.STACK_ZERO ? FuncState.STACK_ZERO : FuncState.STACK_MISC;
            zeroUsed |= newType == FuncState.STACK_ZERO;
            if (stype == FuncState.STACK_INVALID && !env.allowUninitStack) {
                return env.err(Errno.EINVAL, "uninit stack in range of var-offset write prohibited for !root; insn %d, off: %d",
                        dc.cur.insnIdx, (int) i);
            }
            f.slotType[b] = newType;
        }
        if (zeroUsed && valueRegno >= 0) {
            // backtracking doesn't work for STACK_ZERO yet
            int err = dc.precision.markChainPrecision(valueRegno);
            if (err != 0) {
                return err;
            }
        }
        return 0;
    }

    /** Helper memory on the stack: check_stack_range_initialized(ACCESS_HELPER), zero size not allowed. */
    int checkStackRangeInitialized(int regno, RegState reg, int size) {
        return checkStackRangeInitialized(regno, reg, reg.off(), size, true, false);
    }

    /** The kfunc form (check_mem_reg(): zero size allowed). */
    int checkStackRangeInitialized(int regno, RegState reg, int size, BpfAccessType t) {
        return checkStackRangeInitialized(regno, reg, reg.off(), size, true, true);
    }

    /**
     * Models check_stack_range_initialized() (v6.12 wording). For helpers (ACCESS_HELPER) the
     * bounds are checked as a write (" indirect access to"), and the range is clobbered ("helper
     * can write anything into the stack"): STACK_ZERO and uninitialised bytes become STACK_MISC, a
     * spilled register becomes unknown and its slot STACK_MISC. A spilled pointer is refused only
     * without allow_ptr_leaks. v6.12 does this for every helper argument, read-only ones too (an
     * ARG_PTR_TO_MAP_KEY is checked with BPF_READ, but check_helper_mem_access() passes
     * ACCESS_HELPER here, not the access type): a zeroed key is STACK_MISC after the call. Since
     * 37cce22dbd51 (v6.14) only a BPF_WRITE clobbers; StackZeroLogTest and the corpus's hstack_*
     * pin the v6.12 behaviour against the live kernel's.
     */
    int checkStackRangeInitialized(int regno, RegState reg, int off, int size, boolean helper, boolean zeroSizeAllowed) {
        if (size == 0 && !zeroSizeAllowed) {
            return env.err(Errno.EACCES, "invalid zero-sized read\n");
        }
        FuncState f = dc.cur.frame[reg.frameno()];
        String errExtra = helper ? " indirect" : "";
        int r = checkStackAccessWithinBounds(regno, reg, f, off, size,
                helper ? BpfAccessType.BPF_WRITE : BpfAccessType.BPF_READ, helper ? " indirect access to" : " read from");
        if (r < 0) {
            return r;
        }
        boolean clobber = helper;
        long minOff;
        long maxOff;
        if (reg.var().isConst()) {
            minOff = reg.var().value() + off;
            maxOff = minOff;
        } else {
            minOff = reg.smin() + off;
            maxOff = reg.smax() + off;
        }
        for (long i = minOff; i < maxOff + size; i++) {
            int b = FuncState.byteIndex((int) i);
            int spi = b / 8;
            byte type = f.slotType[b];
            // every byte the access may touch marks its slot read (REG_LIVE_READ64)
            dc.markSlotRead(f.frameno, spi);
            if (type == FuncState.STACK_MISC) {
                continue;
            }
            if (type == FuncState.STACK_ZERO || (type == FuncState.STACK_INVALID && env.allowUninitStack)) {
                if (clobber) {
                    f.slotType[b] = FuncState.STACK_MISC;
                    dc.printer.scratchSlot(spi);
                }
                continue;
            }
            if (type == FuncState.STACK_SPILL
                    && (f.spilled[spi] == null || f.spilled[spi].isScalar() || env.allowPtrLeaks)) {
                if (clobber) {
                    // __mark_reg_unknown() of the spilled register, scrub_spilled_slot() of the slot
                    f.spilled[spi] = null;
                    for (int k = 0; k < 8; k++) {
                        if (f.slotType[spi * 8 + k] != FuncState.STACK_INVALID) {
                            f.slotType[spi * 8 + k] = FuncState.STACK_MISC;
                        }
                    }
                    dc.printer.scratchSlot(spi);
                }
                continue;
            }
            if (reg.var().isConst()) {
                return env.err(Errno.EACCES, "invalid%s read from stack R%d off %d+%d size %d\n", errExtra, regno, minOff,
                        i - minOff, size);
            }
            return env.err(Errno.EACCES, "invalid%s read from stack R%d var_off %s+%d size %d\n", errExtra, regno,
                    reg.var().toString(), i - minOff, size);
        }
        updateStackDepth(f, (int) minOff);
        return 0;
    }

    // ------------------------------------------------------------------ ctx

    private int ctxAccess(int regno, RegState reg, int off, int size, BpfAccessType t, int valueRegno, RegState value) {
        if (t == BpfAccessType.BPF_WRITE && value != null && dc.isPointerValue(value)) {
            return env.err(Errno.EACCES, "R%d leaks addr into ctx\n", valueRegno);
        }
        // check_ptr_off_reg(): the context pointer must be unmodified
        if (reg.off() != 0) {
            return env.err(Errno.EACCES, "dereference of modified %s ptr R%d off=%d disallowed\n", reg.typeStr(), regno, reg.off());
        }
        if (!reg.var().isConst() || reg.var().value() != 0) {
            return env.err(Errno.EACCES, "variable %s access var_off=%s disallowed\n", reg.typeStr(), reg.var().toString());
        }
        // check_ctx_access()
        InsnAccessAux info = new InsnAccessAux(env.log);
        boolean ok;
        try {
            ok = env.ops.isValidAccess(off, size, t, new ProgInfo(env), info);
        } catch (RuntimeException e) {
            // a subsystem callback that throws is a misbehaving module: the access is refused
            env.verbose("bpf-osgi: is_valid_access of %s threw %s\n", env.aux.stOps.name(), e.toString());
            ok = false;
        }
        if (!ok) {
            return env.err(Errno.EACCES, "invalid bpf_context access off=%d size=%d\n", off, size);
        }
        // check_ctx_access(): "remember the offset of last byte accessed in ctx"
        env.aux.maxCtxOffset = Math.max(env.aux.maxCtxOffset, off + size);
        if (t == BpfAccessType.BPF_READ && valueRegno >= 0) {
            if (info.regType == InsnAccessAux.RegType.SCALAR_VALUE) {
                dc.setReg(valueRegno, RegState.UNKNOWN_SCALAR);
            } else {
                int flags = (info.trusted ? RegState.PTR_TRUSTED : 0) | (info.maybeNull ? RegState.PTR_MAYBE_NULL : 0);
                int id = info.maybeNull ? dc.newId() : 0;
                // btf_ctx_access(): a __ref argument loads with its ctx_arg_info ref_obj_id (v6.14)
                int refObjId = off % 8 == 0 && off / 8 < dc.ctxArgRefObjId.length ? dc.ctxArgRefObjId[off / 8] : 0;
                dc.setReg(valueRegno, RegState.btfPtr(env.aux.attachBtf, info.btfId, flags, id, refObjId));
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------ BTF objects

    /** Models check_ptr_to_btf_access(). */
    private int btfAccess(int regno, RegState reg, int insnOff, int size, BpfAccessType t, int valueRegno, RegState value) {
        Btf btf = reg.btf().btf();
        String tname = btf.name(reg.btfId());
        if (!env.allowPtrLeaks) {
            return env.err(Errno.EACCES, "'struct %s' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN\n", tname);
        }
        if (!env.aux.gplCompatible) {
            return env.err(Errno.EINVAL, "Cannot access kernel 'struct %s' from non-GPL compatible program\n", tname);
        }
        int off = insnOff + reg.off();
        if (off < 0) {
            return env.err(Errno.EACCES, "R%d is ptr_%s invalid negative access: off=%d\n", regno, tname, off);
        }
        if (!reg.var().isConst() || reg.var().value() != 0) {
            return env.err(Errno.EACCES, "R%d is ptr_%s invalid variable offset: off=%d, var_off=%s\n", regno, tname, off,
                    reg.var().toString());
        }
        // a per-cpu ksym is an offset in the per-cpu area: bpf_this_cpu_ptr()/bpf_per_cpu_ptr() first
        if ((reg.flags() & RegState.MEM_PERCPU) != 0) {
            return env.err(Errno.EACCES, "R%d is ptr_%s access percpu memory: off=%d\n", regno, tname, off);
        }
        if (t == BpfAccessType.BPF_WRITE) {
            if (value != null && dc.isPointerValue(value)) {
                return env.err(Errno.EACCES, "R%d leaks addr into mem\n", valueRegno);
            }
            try {
                env.ops.btfStructAccess(env.log, new BtfRegInfo(regno, btf, reg.btfId(), tname,
                        (reg.flags() & RegState.PTR_TRUSTED) != 0 || reg.refObjId() != 0), off, size);
                return 0;
            } catch (KernelException e) {
                // the callback's -errno (its own log lines, if any, are already written)
                return e.errno().negative();
            } catch (RuntimeException e) {
                env.verbose("bpf-osgi: btf_struct_access of %s threw %s\n", env.aux.stOps.name(), e.toString());
                return Errno.EACCES.negative();
            }
        }
        return btfStructWalk(regno, reg, btf, tname, off, size, valueRegno, RegState.PTR_UNTRUSTED);
    }

    /**
     * Models btf_struct_access() / btf_struct_walk() for a read; a struct pointer read into
     * {@code dst} gets {@code ptrFlags} (check_ptr_to_btf_access() makes a walked pointer
     * untrusted, check_ptr_to_map_access() keeps btf_struct_access()'s flag).
     */
    int btfStructWalk(int regno, RegState reg, Btf btf, String tname, int off, int size, int dst, int ptrFlags) {
        int sid = btf.resolve(reg.btfId());
        long ssize = btf.resolveSize(sid);
        if (off + size > ssize) {
            return env.err(Errno.EACCES, "access beyond struct %s at off %u size %u\n", tname, off, size);
        }
        Optional<org.bpfosgi.btf.api.BtfMember> m = btf.memberAt(sid, off);
        if (m.isEmpty()) {
            // btf_struct_walk(): no member covers off (a hole or the tail padding)
            return env.err(Errno.EINVAL, "struct %s doesn't have field at offset %d\n", tname, off);
        }
        if (m.isPresent()) {
            org.bpfosgi.btf.api.BtfMember mp = m.get();
            int mtype = btf.resolve(mp.type());
            if (btf.kind(mtype) == BtfKind.PTR && mp.bitfieldSize() == 0) {
                int moff = (int) (mp.bitOffset() / 8);
                // btf_struct_walk() recurses into nested structs: the message names the innermost
                // struct and the member in it, offsets relative to that struct
                String mname = mp.path();
                String inner = tname;
                int innerOff = 0;
                int dot = mname.lastIndexOf('.');
                if (dot > 0) {
                    org.bpfosgi.btf.api.BtfMember outer = btf.memberPath(sid, mname.substring(0, dot));
                    innerOff = (int) (outer.bitOffset() / 8);
                    inner = btf.name(btf.resolve(outer.type()));
                    mname = mname.substring(dot + 1);
                }
                if (off != moff || size != 8) {
                    return env.err(Errno.EACCES, "cannot access ptr member %s with moff %u in struct %s with off %u size %u\n",
                            mname, moff - innerOff, inner, off - innerOff, size);
                }
                int pointee = btf.resolve(((BtfType.Ref) btf.type(mtype)).type());
                if (dst >= 0) {
                    if (btf.kind(pointee) == BtfKind.STRUCT) {
                        // walking from any object gives an untrusted pointer (BTF_TYPE_SAFE_TRUSTED lists not modelled)
                        dc.setReg(dst, RegState.btfPtr(reg.btf(), pointee, ptrFlags, 0, 0));
                    } else {
                        dc.setReg(dst, RegState.UNKNOWN_SCALAR);
                    }
                }
                return 0;
            }
        }
        if (dst >= 0) {
            dc.setReg(dst, RegState.UNKNOWN_SCALAR);
        }
        return 0;
    }

    // ------------------------------------------------------------------ sized memory

    /** The PTR_TO_MEM branch of check_mem_access(). */
    int memAccess(int regno, RegState reg, int insnOff, int size, BpfAccessType t, int valueRegno, RegState value) {
        // base_type(reg->type) == PTR_TO_MEM: a maybe-null one (bpf_per_cpu_ptr()'s) first
        if (reg.maybeNull()) {
            return env.err(Errno.EACCES, "R%d invalid mem access '%s'\n", regno, reg.typeStr());
        }
        if (t == BpfAccessType.BPF_WRITE && (reg.flags() & RegState.MEM_RDONLY) != 0) {
            return env.err(Errno.EACCES, "R%d cannot write into %s\n", regno, reg.typeStr());
        }
        if (t == BpfAccessType.BPF_WRITE && value != null && valueRegno >= 0 && dc.isPointerValue(value)) {
            return env.err(Errno.EACCES, "R%d leaks addr into mem\n", valueRegno);
        }
        int r = checkMemRegionAccess(regno, reg, insnOff + reg.off(), size, reg.memSize(), size == 0);
        if (r >= 0 && t == BpfAccessType.BPF_READ && valueRegno >= 0) {
            dc.setReg(valueRegno, RegState.UNKNOWN_SCALAR);
        }
        return r;
    }

    /**
     * Models check_mem_region_access(): the smallest and the largest offset the register allows
     * must both be inside [0, memSize), in the kernel's order of checks and messages.
     */
    int checkMemRegionAccess(int regno, RegState reg, int off, int size, long memSize, boolean zeroSizeAllowed) {
        long smin = reg.smin();
        if (smin < 0 && (smin == Long.MIN_VALUE || (off + smin) != (int) (off + smin) || smin + off < 0)) {
            return env.err(Errno.EACCES, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.\n", regno);
        }
        if (!checkMemAccessInner(reg, (int) (smin + off), size, memSize, zeroSizeAllowed)) {
            return env.err(Errno.EACCES, "R%d min value is outside of the allowed memory range\n", regno);
        }
        if (Long.compareUnsigned(reg.umax(), CheckAluOp.BPF_MAX_VAR_OFF) >= 0) {
            return env.err(Errno.EACCES, "R%d unbounded memory access, make sure to bounds check any such access\n", regno);
        }
        if (!checkMemAccessInner(reg, (int) (reg.umax() + off), size, memSize, zeroSizeAllowed)) {
            return env.err(Errno.EACCES, "R%d max value is outside of the allowed memory range\n", regno);
        }
        return 0;
    }

    /** Models __check_mem_access(): logs the kernel's message for the region type when it fails. */
    private boolean checkMemAccessInner(RegState reg, int off, int size, long memSize, boolean zeroSizeAllowed) {
        boolean sizeOk = size > 0 || (size == 0 && zeroSizeAllowed);
        if (off >= 0 && sizeOk && (long) off + size <= memSize) {
            return true;
        }
        switch (reg.type()) {
            case PTR_TO_MAP_VALUE -> env.verbose("invalid access to map value, value_size=%d off=%d size=%d\n", memSize, off, size);
            case PTR_TO_MAP_KEY -> env.verbose("invalid access to map key, key_size=%d off=%d size=%d\n", memSize, off, size);
            default -> env.verbose("invalid access to memory, mem_size=%u off=%d size=%d\n", memSize, off, size);
        }
        return false;
    }
}
