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

    /** Models check_atomic(): a read then a write of the same location. */
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
        if (insn.imm() == BPF_CMPXCHG && (r = dc.checkRegArg(BPF_REG_0, true)) < 0) {
            return r;
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
        int loadReg = insn.imm() == BPF_CMPXCHG ? BPF_REG_0 : fetch ? insn.src() : -1;
        if (loadReg >= 0) {
            if ((r = access(idx, insn.dst(), insn.off(), size, BpfAccessType.BPF_READ, loadReg, null, false)) < 0) {
                return r;
            }
        } else if ((r = access(idx, insn.dst(), insn.off(), size, BpfAccessType.BPF_READ, -1, null, false)) < 0) {
            return r;
        }
        return access(idx, insn.dst(), insn.off(), size, BpfAccessType.BPF_WRITE, -1, RegState.UNKNOWN_SCALAR, false);
    }

    /**
     * Models check_mem_access(). For a write, {@code valueRegno} is the stored register, or -1 with
     * {@code immValue} for BPF_ST; for a read, the destination register (or -1).
     */
    int access(int idx, int regno, int off, int size, BpfAccessType t, int valueRegno, RegState immValue, boolean signExt) {
        RegState reg = dc.reg(regno);
        RegState value = t == BpfAccessType.BPF_WRITE ? (valueRegno >= 0 ? dc.reg(valueRegno) : immValue) : null;
        switch (reg.type()) {
            case PTR_TO_STACK -> {
                return stackAccess(regno, reg, off, size, t, valueRegno, value, signExt);
            }
            case PTR_TO_CTX -> {
                return ctxAccess(regno, reg, off, size, t, valueRegno, value);
            }
            case PTR_TO_BTF_ID -> {
                if (reg.maybeNull()) {
                    break;
                }
                return btfAccess(regno, reg, off, size, t, valueRegno, value);
            }
            case PTR_TO_MEM -> {
                return memAccess(regno, reg, off, size, t, valueRegno, value);
            }
            default -> {
            }
        }
        return env.err(Errno.EACCES, "R%d invalid mem access '%s'\n", regno, reg.typeStr());
    }

    // ------------------------------------------------------------------ stack

    private int stackAccess(int regno, RegState reg, int insnOff, int size, BpfAccessType t, int valueRegno,
                            RegState value, boolean signExt) {
        FuncState f = dc.cur.frame[reg.frameno()];
        int off = insnOff + reg.off();
        String extra = t == BpfAccessType.BPF_READ ? " read from" : " write to";
        if (!reg.var().isConst()) {
            return varOffStack(regno, reg, f, off, size, t, valueRegno, extra);
        }
        off += (int) reg.var().value();
        // check_ptr_alignment(): the stack is always strictly aligned
        if (off % size != 0) {
            return env.err(Errno.EACCES, "misaligned stack access off %s+%d+%d size %d\n",
                    reg.var().toString(), reg.off(), insnOff, size);
        }
        // check_stack_slot_within_bounds(): reads stay within what was written (allocated_stack)
        // unless allow_uninit_stack
        int minValid = t == BpfAccessType.BPF_WRITE || env.allowUninitStack ? -MAX_BPF_STACK : -f.allocatedStack;
        if (off < minValid || off + size > 0) {
            return env.err(Errno.EACCES, "invalid%s stack R%d off=%d size=%d\n", extra, regno, off, size);
        }
        updateStackDepth(f, -off);
        if (t == BpfAccessType.BPF_WRITE) {
            return stackWriteFixedOff(f, off, size, value, valueRegno);
        }
        return stackReadFixedOff(f, off, size, valueRegno, signExt);
    }

    /** Models grow_stack_state() (round_up to a slot) and update_stack_depth(). */
    private void updateStackDepth(FuncState f, int depth) {
        f.allocatedStack = Math.max(f.allocatedStack, (depth + 7) / 8 * 8);
        int sp = f.subprogno;
        if (env.subprogStackDepth[sp] < depth) {
            env.subprogStackDepth[sp] = depth;
        }
    }

    /** Models check_stack_write_fixed_off(). */
    private int stackWriteFixedOff(FuncState f, int off, int size, RegState value, int valueRegno) {
        int spi = FuncState.slotIndex(off);
        int first = FuncState.byteIndex(off + size - 1);
        boolean spillable = value != null && (value.isPointer() || value.isScalar());
        if (value != null && value.isPointer() && size != 8) {
            return env.err(Errno.EACCES, "invalid size of register spill\n");
        }
        // a partial overwrite of a spilled register turns the rest of the slot into STACK_MISC
        scrubSpill(f, spi, off, size);
        if (spillable && size == 8 && (value.isPointer() || valueRegno >= 0 || value.isConst())) {
            f.spilled[spi] = value;
            for (int b = 0; b < 8; b++) {
                f.slotType[spi * 8 + b] = FuncState.STACK_SPILL;
            }
        } else {
            byte type = value != null && value.isNull() ? FuncState.STACK_ZERO : FuncState.STACK_MISC;
            for (int b = first; b < first + size; b++) {
                f.slotType[b] = type;
            }
        }
        dc.printer.scratchSlot(spi);
        return 0;
    }

    private void scrubSpill(FuncState f, int spi, int off, int size) {
        if (f.slotType[spi * 8] == FuncState.STACK_SPILL && !(size == 8 && off % 8 == 0)) {
            for (int b = 0; b < 8; b++) {
                f.slotType[spi * 8 + b] = FuncState.STACK_MISC;
            }
            f.spilled[spi] = null;
        } else if (size == 8 && off % 8 == 0) {
            f.spilled[spi] = null;
        }
    }

    /** Models check_stack_read_fixed_off(). */
    private int stackReadFixedOff(FuncState f, int off, int size, int dst, boolean signExt) {
        int spi = FuncState.slotIndex(off);
                if (f.slotType[spi * 8] == FuncState.STACK_SPILL && f.spilled[spi] != null) {
            RegState sp = f.spilled[spi];
            if (size == 8) {
                if (dst >= 0) {
                    dc.setReg(dst, sp);
                }
                return 0;
            }
            if (sp.isPointer()) {
                return env.err(Errno.EACCES, "invalid size of register fill\n");
            }
            if (dst >= 0) {
                // a narrower fill of a spilled scalar: the low bytes when the fill is at the slot start
                Tnum v = off % 8 == 0 && sp.var().isConst() ? ScalarAlu.coerce(sp.var(), size) : ScalarAlu.coerce(Tnum.UNKNOWN, size);
                dc.setReg(dst, RegState.scalar(signExt ? Tnum.UNKNOWN : v));
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
            dc.setReg(dst, allZero ? RegState.scalar(0) : RegState.scalar(signExt ? Tnum.UNKNOWN : ScalarAlu.coerce(Tnum.UNKNOWN, size)));
        }
        return 0;
    }

    /** Models check_stack_access_within_bounds() and check_stack_{read,write}_var_off(). */
    private int varOffStack(int regno, RegState reg, FuncState f, int off, int size, BpfAccessType t, int valueRegno,
                            String extra) {
        Tnum v = reg.var();
        long smin = v.value();
        long smax = v.value() | v.mask();
        long minOff = off + smin;
        long maxOff = off + smax + size;
        if (v.mask() < 0 || minOff < -MAX_BPF_STACK || maxOff > 0) {
            return env.err(Errno.EACCES, "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d\n", extra, regno,
                    v.toString(), off, size);
        }
        updateStackDepth(f, (int) -minOff);
        int lo = FuncState.byteIndex((int) maxOff - 1);
        int hi = FuncState.byteIndex((int) minOff);
        if (t == BpfAccessType.BPF_WRITE) {
            RegState value = valueRegno >= 0 ? dc.reg(valueRegno) : null;
            if (value != null && value.isPointer() && !env.allowPtrLeaks) {
                return env.err(Errno.EACCES, "spilled ptr in range of var-offset stack write; insn %d, ptr off: %d\n",
                        dc.cur.insnIdx, off);
            }
            for (int b = lo; b <= hi; b++) {
                int spi = b / 8;
                if (f.slotType[spi * 8] == FuncState.STACK_SPILL) {
                    for (int k = 0; k < 8; k++) {
                        f.slotType[spi * 8 + k] = FuncState.STACK_MISC;
                    }
                    f.spilled[spi] = null;
                }
                f.slotType[b] = FuncState.STACK_MISC;
                dc.printer.scratchSlot(spi);
            }
            return 0;
        }
        for (int b = lo; b <= hi; b++) {
            if (f.slotType[b] == FuncState.STACK_INVALID && !env.allowUninitStack) {
                return env.err(Errno.EACCES, "invalid read from stack R%d var_off %s+%d size %d\n", regno, v.toString(), off, size);
            }
        }
        if (valueRegno >= 0) {
            dc.setReg(valueRegno, RegState.scalar(ScalarAlu.coerce(Tnum.UNKNOWN, size)));
        }
        return 0;
    }

    /**
     * Models check_helper_mem_access() for a stack buffer: every byte in [off, off+size) must be
     * initialised (check_stack_range_initialized(), " indirect access to").
     */
    int checkStackRangeInitialized(int regno, RegState reg, int size) {
        return checkStackRangeInitialized(regno, reg, size, BpfAccessType.BPF_READ);
    }

    /**
     * Models check_stack_range_initialized() with its access type: for a BPF_WRITE (a kfunc that
     * writes the buffer, check_mem_reg()) the range is clobbered ("helper can write anything into
     * the stack"): STACK_ZERO bytes become STACK_MISC, a spilled scalar becomes unknown and its slot
     * STACK_MISC. A spilled pointer in the range is an error unless allow_ptr_leaks.
     */
    int checkStackRangeInitialized(int regno, RegState reg, int size, BpfAccessType t) {
        boolean clobber = t == BpfAccessType.BPF_WRITE;
        if (reg.type() != RegType.PTR_TO_STACK || !reg.var().isConst()) {
            return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), "fp");
        }
        FuncState f = dc.cur.frame[reg.frameno()];
        int off = reg.off() + (int) reg.var().value();
        int minValid = env.allowUninitStack ? -MAX_BPF_STACK : -f.allocatedStack;
        if (off < minValid || off + size > 0 || size < 0) {
            return env.err(Errno.EACCES, "invalid indirect access to stack R%d off=%d size=%d\n", regno, off, size);
        }
        for (int i = 0; i < size; i++) {
            int b = FuncState.byteIndex(off + i);
            int spi = b / 8;
            byte type = f.slotType[b];
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
            return env.err(Errno.EACCES, "invalid indirect read from stack R%d off %d+%d size %d\n", regno, off, i, size);
        }
        updateStackDepth(f, -off);
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
        if (t == BpfAccessType.BPF_READ && valueRegno >= 0) {
            if (info.regType == InsnAccessAux.RegType.SCALAR_VALUE) {
                dc.setReg(valueRegno, RegState.scalar(ScalarAlu.coerce(Tnum.UNKNOWN, size)));
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
        return btfStructWalk(regno, reg, btf, tname, off, size, valueRegno);
    }

    /** Models btf_struct_access() / btf_struct_walk() for a read. */
    private int btfStructWalk(int regno, RegState reg, Btf btf, String tname, int off, int size, int dst) {
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
                        dc.setReg(dst, RegState.btfPtr(reg.btf(), pointee, RegState.PTR_UNTRUSTED, 0, 0));
                    } else {
                        dc.setReg(dst, RegState.UNKNOWN_SCALAR);
                    }
                }
                return 0;
            }
        }
        if (dst >= 0) {
            dc.setReg(dst, RegState.scalar(ScalarAlu.coerce(Tnum.UNKNOWN, size)));
        }
        return 0;
    }

    // ------------------------------------------------------------------ sized memory

    /** Models check_mem_region_access() for PTR_TO_MEM. */
    int memAccess(int regno, RegState reg, int insnOff, int size, BpfAccessType t, int valueRegno, RegState value) {
        if (t == BpfAccessType.BPF_WRITE && (reg.flags() & RegState.MEM_RDONLY) != 0) {
            return env.err(Errno.EACCES, "R%d cannot write into %s\n", regno, reg.typeStr());
        }
        if (!reg.var().isConst()) {
            return env.err(Errno.EACCES, "R%d unbounded memory access, make sure to bounds check any such access\n", regno);
        }
        long off = insnOff + reg.off() + reg.var().value();
        if (off < 0 || off + size > reg.memSize()) {
            return env.err(Errno.EACCES, "invalid access to memory, mem_size=%u off=%d size=%d\n", reg.memSize(), off, size);
        }
        if (t == BpfAccessType.BPF_READ && valueRegno >= 0) {
            dc.setReg(valueRegno, RegState.scalar(ScalarAlu.coerce(Tnum.UNKNOWN, size)));
        }
        return 0;
    }
}
