package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.List;

/**
 * Models {@code struct bpf_verifier_state}: the call frames, the acquired references
 * ({@code struct bpf_reference_state}), and the branch bookkeeping of state pruning
 * ({@code parent}, {@code branches}).
 */
public final class VerifierState {
    /** Models struct bpf_reference_state: an acquired reference and where it was acquired. */
    public record RefState(int id, int insnIdx) {
    }

    final FuncState[] frame = new FuncState[org.bpfosgi.isa.Bpf.MAX_CALL_FRAMES];
    int curframe;
    List<RefState> refs = new ArrayList<>();
    /** The explored (checkpoint) state this path last passed: models {@code state->parent}. */
    Checkpoint parent;
    int insnIdx;
    int prevInsnIdx;
    /** first_insn_idx / last_insn_idx: the instructions this state's segment starts and ends at. */
    int firstInsnIdx;
    int lastInsnIdx = -1;
    /** The jump history since this state's checkpoint (struct bpf_jmp_history_entry). */
    List<HistEntry> jmpHistory = new ArrayList<>();
    /**
     * may_goto_depth (how many may_goto fall-throughs this path took), dfs_depth (checkpoints
     * above it) and loop_entry (the checkpoint heading the loop this state is in; see
     * {@link UpdateLoopEntry}): the may_goto bookkeeping of struct bpf_verifier_state.
     */
    int mayGotoDepth;
    int dfsDepth;
    Checkpoint loopEntry;

    /**
     * Models struct bpf_jmp_history_entry: {@code idx} was reached from {@code prevIdx};
     * {@code stackAccess}: INSN_F_STACK_ACCESS, the instruction spilled a register to, or filled
     * one from, stack slot {@code spi} of frame {@code frameno} (insn_stack_access_flags());
     * {@code linked}: the linked_regs a conditional jump refined together, as
     * {frameno, is_reg, regno or spi} entries, or null.
     */
    static final class HistEntry {
        final int idx;
        final int prevIdx;
        boolean stackAccess;
        int spi;
        int frameno;
        java.util.List<int[]> linked;
        /** A copy of the state (push_stack()) holds this entry too: copy before changing it. */
        boolean shared;

        HistEntry(int idx, int prevIdx) {
            this.idx = idx;
            this.prevIdx = prevIdx;
        }

        /** Records INSN_F_STACK_ACCESS for slot {@code spi} of frame {@code frameno}. */
        void stackAccess(int frame, int slot) {
            stackAccess = true;
            frameno = frame;
            spi = slot;
        }

        HistEntry copy() {
            HistEntry e = new HistEntry(idx, prevIdx);
            e.stackAccess = stackAccess;
            e.spi = spi;
            e.frameno = frameno;
            e.linked = linked;
            return e;
        }
    }

    FuncState cur() {
        return frame[curframe];
    }

    RegState[] regs() {
        return frame[curframe].regs;
    }

    /** Models copy_verifier_state(). */
    VerifierState copy() {
        VerifierState s = new VerifierState();
        for (int i = 0; i <= curframe; i++) {
            s.frame[i] = frame[i].copy();
        }
        s.curframe = curframe;
        s.refs = new ArrayList<>(refs);
        s.parent = parent;
        s.insnIdx = insnIdx;
        s.prevInsnIdx = prevInsnIdx;
        s.firstInsnIdx = firstInsnIdx;
        s.lastInsnIdx = lastInsnIdx;
        s.mayGotoDepth = mayGotoDepth;
        s.dfsDepth = dfsDepth;
        s.loopEntry = loopEntry;
        // the entries are shared: only the current instruction's entry can still change, and
        // DoCheck.pushJmpHistory() copies it first if a pushed state shares it
        s.jmpHistory = new ArrayList<>(jmpHistory);
        return s;
    }

    /**
     * A state saved at a prune point ({@code struct bpf_verifier_state_list} entry). {@code branches}
     * counts the paths still being explored below it: while it is non-zero the state is in
     * progress and must not be used to prune (models {@code bpf_verifier_state.branches}).
     */
    static final class Checkpoint {
        final VerifierState state;
        final Checkpoint parent;
        /** state.insn_idx and state.curframe, kept here so scanning a bucket touches only this entry. */
        final int insnIdx;
        final int curframe;
        int branches = 1;
        /** hit_cnt / miss_cnt of struct bpf_verifier_state_list: eviction of a state that rarely prunes. */
        int hit;
        int miss;
        /** used_as_loop_entry: some state's loop_entry points here, so eviction parks it instead of freeing it. */
        boolean usedAsLoopEntry;
        /** frame[0]->regs[0].live &amp; REG_LIVE_DONE: clean_live_states() cleaned it (finished). */
        boolean done;

        Checkpoint(VerifierState state, Checkpoint parent) {
            this.state = state;
            this.parent = parent;
            this.insnIdx = state.insnIdx;
            this.curframe = state.curframe;
        }
    }
}
