package org.bpfosgi.verifier;

import java.util.Arrays;

import org.bpfosgi.isa.Bpf;

/**
 * Models {@code struct bpf_func_state}: the registers and the stack of one call frame. The
 * stack is {@link Bpf#MAX_BPF_STACK} bytes, each byte typed as in {@code enum bpf_stack_slot_type}
 * (STACK_INVALID, STACK_SPILL, STACK_MISC, STACK_ZERO), with the spilled register per 8-byte slot.
 * Mutable, like the kernel's; {@link #copy()} is copy_func_state().
 */
public final class FuncState {
    public static final byte STACK_INVALID = 0;
    public static final byte STACK_SPILL = 1;
    public static final byte STACK_MISC = 2;
    public static final byte STACK_ZERO = 3;
    public static final int SLOTS = Bpf.MAX_BPF_STACK / 8;

    final RegState[] regs = new RegState[Bpf.MAX_BPF_REG];
    /** slotType[i] types the byte at fp-(i+1)... stored by byte index from the top: byte at fp+off is (-off-1). */
    final byte[] slotType = new byte[Bpf.MAX_BPF_STACK];
    final RegState[] spilled = new RegState[SLOTS];
    /** REG_LIVE_READ / REG_LIVE_WRITTEN of each register (enum bpf_reg_liveness; READ32/64 as one bit). */
    final byte[] regLive = new byte[Bpf.MAX_BPF_REG];
    /** The same for each stack slot's spilled_ptr. */
    final byte[] slotLive = new byte[SLOTS];
    static final byte REG_LIVE_READ = 1;
    static final byte REG_LIVE_WRITTEN = 2;
    /**
     * The parent links of struct bpf_reg_state ({@code reg->parent}): the frame of an explored
     * (checkpoint) state whose register, or stack slot's spilled_ptr, of the same index a read of
     * this one marks (mark_reg_read()); null: no parent (a register of a new frame, a slot
     * allocated since the last checkpoint). A callee's R1-R5 link to the caller's parents
     * (set_callee_state()), the caller's R0 after a return to the callee's (prepare_func_exit()).
     */
    final FuncState[] regParent = new FuncState[Bpf.MAX_BPF_REG];
    final FuncState[] slotParent = new FuncState[SLOTS];
    /** Deepest stack byte touched, positive (allocated_stack). */
    int allocatedStack;
    /** Instruction index of the call that created this frame (-1 for the main frame). */
    final int callsite;
    final int frameno;
    final int subprogno;

    FuncState(int callsite, int frameno, int subprogno) {
        this.callsite = callsite;
        this.frameno = frameno;
        this.subprogno = subprogno;
        Arrays.fill(regs, RegState.NOT_INIT);
    }

    /** Models copy_func_state(). */
    FuncState copy() {
        FuncState f = new FuncState(callsite, frameno, subprogno);
        System.arraycopy(regs, 0, f.regs, 0, regs.length);
        System.arraycopy(slotType, 0, f.slotType, 0, slotType.length);
        System.arraycopy(spilled, 0, f.spilled, 0, spilled.length);
        System.arraycopy(regLive, 0, f.regLive, 0, regLive.length);
        System.arraycopy(slotLive, 0, f.slotLive, 0, slotLive.length);
        System.arraycopy(regParent, 0, f.regParent, 0, regParent.length);
        System.arraycopy(slotParent, 0, f.slotParent, 0, slotParent.length);
        f.allocatedStack = allocatedStack;
        return f;
    }

    /** Byte index for stack offset {@code off} (negative, from the frame pointer). */
    static int byteIndex(int off) {
        return -off - 1;
    }

    /** Slot index for stack offset {@code off}. */
    static int slotIndex(int off) {
        return (-off - 1) / 8;
    }
}
