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

    final RegState[] regs;
    /*
     * The stack arrays hold allocated_stack bytes (slotType) or allocated_stack / 8 slots (the
     * others), no more: like the kernel's state->stack, which grow_stack_state() reallocs, they
     * grow with the frame's deepest access ({@link #growStack}), so a state copy costs what the
     * program's stack use costs.
     */
    /** slotType[i] types the byte at fp-(i+1)... stored by byte index from the top: byte at fp+off is (-off-1). */
    byte[] slotType;
    RegState[] spilled;
    /** REG_LIVE_READ / REG_LIVE_WRITTEN of each register (enum bpf_reg_liveness; READ32/64 as one bit). */
    final byte[] regLive;
    /** The same for each stack slot's spilled_ptr. */
    byte[] slotLive;
    static final byte REG_LIVE_READ = 1;
    static final byte REG_LIVE_WRITTEN = 2;
    /**
     * The parent links of struct bpf_reg_state ({@code reg->parent}): the frame of an explored
     * (checkpoint) state whose register, or stack slot's spilled_ptr, of the same index a read of
     * this one marks (mark_reg_read()); null: no parent (a register of a new frame, a slot
     * allocated since the last checkpoint). A callee's R1-R5 link to the caller's parents
     * (set_callee_state()), the caller's R0 after a return to the callee's (prepare_func_exit()).
     */
    final FuncState[] regParent;
    FuncState[] slotParent;
    /** Deepest stack byte touched, positive (allocated_stack). */
    int allocatedStack;
    /** Instruction index of the call that created this frame (-1 for the main frame). */
    final int callsite;
    final int frameno;
    final int subprogno;

    private static final byte[] NO_BYTES = new byte[0];
    private static final RegState[] NO_REGS = new RegState[0];
    private static final FuncState[] NO_FRAMES = new FuncState[0];

    /** A new frame: every register NOT_INIT, no stack (init_func_state()). */
    FuncState(int callsite, int frameno, int subprogno) {
        this.callsite = callsite;
        this.frameno = frameno;
        this.subprogno = subprogno;
        regs = new RegState[Bpf.MAX_BPF_REG];
        Arrays.fill(regs, RegState.NOT_INIT);
        regLive = new byte[Bpf.MAX_BPF_REG];
        regParent = new FuncState[Bpf.MAX_BPF_REG];
        slotType = NO_BYTES;
        spilled = NO_REGS;
        slotLive = NO_BYTES;
        slotParent = NO_FRAMES;
    }

    /** Models copy_func_state(): the registers and the allocated stack. */
    private FuncState(FuncState o) {
        callsite = o.callsite;
        frameno = o.frameno;
        subprogno = o.subprogno;
        regs = o.regs.clone();
        regLive = o.regLive.clone();
        regParent = o.regParent.clone();
        allocatedStack = o.allocatedStack;
        if (o.allocatedStack == 0) {
            slotType = NO_BYTES;
            spilled = NO_REGS;
            slotLive = NO_BYTES;
            slotParent = NO_FRAMES;
        } else {
            slotType = o.slotType.clone();
            spilled = o.spilled.clone();
            slotLive = o.slotLive.clone();
            slotParent = o.slotParent.clone();
        }
    }

    /** Models copy_func_state(). */
    FuncState copy() {
        return new FuncState(this);
    }

    /**
     * The array part of grow_stack_state(): the stack now holds {@code bytes} (a multiple of 8)
     * bytes; the new bytes are STACK_INVALID, the new slots empty, unread and without parent.
     */
    void growStack(int bytes) {
        if (bytes <= slotType.length) {
            return;
        }
        slotType = Arrays.copyOf(slotType, bytes);
        spilled = Arrays.copyOf(spilled, bytes / 8);
        slotLive = Arrays.copyOf(slotLive, bytes / 8);
        slotParent = Arrays.copyOf(slotParent, bytes / 8);
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
