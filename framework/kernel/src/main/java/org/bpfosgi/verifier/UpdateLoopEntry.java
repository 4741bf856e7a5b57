package org.bpfosgi.verifier;

import org.bpfosgi.verifier.VerifierState.Checkpoint;

/**
 * Models kernel/bpf/verifier.c update_loop_entry() and get_loop_entry() (v6.12): a state that
 * converged with a checkpoint still on the current path (a may_goto loop) remembers that
 * checkpoint as its loop entry; when the exploration below a checkpoint ends
 * (update_branch_counts()), its loop entry passes to its parent. A finished state whose topmost
 * loop entry is still being explored may then only prune a state that is RANGE_WITHIN it
 * (is_state_visited()'s force_exact), and a checkpoint used as a loop entry is never freed.
 */
final class UpdateLoopEntry {
    private UpdateLoopEntry() {
    }

    /** get_loop_entry(): the topmost loop entry above {@code st} (the kernel's path compression changes nothing observable). */
    static Checkpoint getLoopEntry(VerifierState st) {
        Checkpoint topmost = st.loopEntry;
        while (topmost != null && topmost.state.loopEntry != null && topmost != topmost.state.loopEntry) {
            topmost = topmost.state.loopEntry;
        }
        return topmost;
    }

    /**
     * update_loop_entry(cur, hdr): only if hdr's topmost loop entry is still on the current path
     * (branches &gt; 0) and not deeper than cur's.
     */
    static void update(VerifierState cur, Checkpoint hdr) {
        Checkpoint cur1 = getLoopEntry(cur);
        int cur1Depth = cur1 != null ? cur1.state.dfsDepth : cur.dfsDepth;
        Checkpoint hdr1 = getLoopEntry(hdr.state);
        if (hdr1 == null) {
            hdr1 = hdr;
        }
        if (hdr1.branches > 0 && hdr1.state.dfsDepth <= cur1Depth) {
            cur.loopEntry = hdr;
            hdr.usedAsLoopEntry = true;
        }
    }
}
