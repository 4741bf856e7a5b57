package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.verifier.VerifierState.Checkpoint;

/**
 * Models kernel/bpf/verifier.c is_state_visited() with states_equal(), regsafe(), stacksafe(),
 * refsafe() and check_ids(). At a prune point, the current state is compared with the states
 * saved there: if a saved state whose exploration is complete covers it, the path is pruned.
 *
 * <p>"Covers" (v6.12, every frame of the same call chain, func_states_equal()): a register or
 * stack slot the explored state's continuations never read (no REG_LIVE_READ, see
 * {@link DoCheck#markRegRead}; the marks follow the registers' parent links across calls) is
 * ignored; an imprecise scalar (see {@link MarkChainPrecision}) matches any scalar; a precise one
 * must contain the current one (range_within(), tnum_in(), check_scalar_ids()); pointers must
 * match exactly; ids must map one to one. A saved
 * state still being explored ({@code branches > 0}) is never used to prune; if it equals the
 * current state exactly, the program loops forever: "infinite loop detected at insn %d".
 * The stack is compared as v6.12 stacksafe() does, over the explored state's allocated_stack.
 */
final class IsStateVisited {
    private final DoCheck dc;
    private final VerifierEnv env;
    /** env->explored_states: buckets of explored states (explored_state()), newest last. */
    private final List<Checkpoint>[] explored;
    /** explored_state()'s bucket + 1 of each instruction in the main frame (callsite -1); 0: not yet computed. */
    private final int[] mainBuckets;
    /** env->idmap_scratch, reset by every comparison. */
    private final IdMap idmap = new IdMap();
    private int prevJmps;
    private int prevInsns;

    @SuppressWarnings("unchecked")
    IsStateVisited(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
        this.explored = new List[dc.env.insns.size()];
        this.mainBuckets = new int[dc.env.insns.size()];
    }

    /**
     * Models is_state_visited() (v6.12, §7.2 of the spec): 1 prune; 0 continue (maybe after saving
     * a checkpoint); negative: error. A new checkpoint needs 2 jumps and 8 instructions since the
     * last one; the explored states of the instruction are scanned newest first, each counted in
     * max_states_per_insn; a state still being explored (branches &gt; 0) is only checked for an
     * infinite loop (and, less than 20 jumps and 100 instructions after the last checkpoint,
     * suppresses a new one); a finished state that covers the current one prunes it; a state
     * that misses too often (miss_cnt &gt; hit_cnt * 3 + 3) is evicted: freed (peak_states--)
     * when finished and cleaned (clean_live_states()), else parked. The bucket is explored_state()'s,
     * shared by instructions of different call frames. At a hit, propagate_liveness() and
     * propagate_precision(); a new checkpoint forgets precision (mark_all_scalars_imprecise()) and
     * becomes the parent of the current state's registers and slots.
     *
     * A jump history of more than 40 entries forces a checkpoint.
     */
    int run(int idx) {
        VerifierState cur = dc.cur;
        int b = bucket(idx, cur);
        List<Checkpoint> list = explored[b];
        if (list == null) {
            list = explored[b] = new ArrayList<>();
        }
        // is_force_checkpoint(): may_goto (the model has no iterator next kfuncs); and, to avoid
        // accumulating an infinitely long jmp history, more than 40 entries since the last checkpoint
        boolean mayGoto = isMayGotoInsnAt(idx);
        boolean forceNew = mayGoto || cur.jmpHistory.size() > 40;
        boolean addNew = forceNew || (dc.jmpsProcessed - prevJmps >= 2 && env.insnProcessed - prevInsns >= 8);
        cleanLiveStates(list, idx, cur);
        int statesCnt = 0;
        // the head of the kernel's list is the newest entry: scan from the end
        for (int i = list.size() - 1; i >= 0; i--) {
            Checkpoint e = list.get(i);
            statesCnt++;
            if (e.insnIdx != idx) {
                // another instruction sharing the bucket: counted, not compared
                continue;
            }
            VerifierState old = e.state;
            if (e.branches > 0) {
                // a may_goto loop converges on a state of another may_goto_depth within the old one's ranges
                if (mayGoto && old.mayGotoDepth != cur.mayGotoDepth
                        && statesEqual(old, cur, ExactLevel.RANGE_WITHIN, env.allowUninitStack, idmap.reset())) {
                    UpdateLoopEntry.update(cur, e);
                    return hit(e, old, cur, idx);
                }
                if (statesMaybeLooping(old, cur) && statesEqual(old, cur, ExactLevel.EXACT, env.allowUninitStack, idmap.reset())
                        && old.mayGotoDepth == cur.mayGotoDepth) {
                    env.verbose("infinite loop detected at insn %d\n", idx);
                    env.verbose("cur state:");
                    dc.printer.printVerifierState(cur.cur(), true);
                    env.verbose("old state:");
                    dc.printer.printVerifierState(old.cur(), true);
                    return Errno.EINVAL.negative();
                }
                if (!forceNew && dc.jmpsProcessed - prevJmps < 20 && env.insnProcessed - prevInsns < 100) {
                    addNew = false;
                }
            } else {
                // force_exact: the old state is part of a loop whose entry is still being explored
                Checkpoint loopEntry = UpdateLoopEntry.getLoopEntry(old);
                boolean forceExact = loopEntry != null && loopEntry.branches > 0;
                if (statesEqual(old, cur, forceExact ? ExactLevel.RANGE_WITHIN : ExactLevel.NOT_EXACT,
                        env.allowUninitStack, idmap.reset())) {
                    if (forceExact) {
                        UpdateLoopEntry.update(cur, loopEntry);
                    }
                    return hit(e, old, cur, idx);
                }
            }
            // miss
            if (addNew) {
                e.miss++;
            }
            int n = mayGoto && e.branches > 0 ? 64 : 3;
            if (e.miss > e.hit * n + n) {
                list.remove(i);
                if (e.done && !e.usedAsLoopEntry) {
                    // finished and cleaned (frame[0]->regs[0].live & REG_LIVE_DONE): freed; otherwise
                    // parked on the free list, as the parentage chain may walk it later
                    env.peakStates--;
                }
            }
        }
        env.maxStatesPerInsn = Math.max(env.maxStatesPerInsn, statesCnt);
        if (!addNew) {
            return 0;
        }
        env.totalStates++;
        env.peakStates++;
        prevJmps = dc.jmpsProcessed;
        prevInsns = env.insnProcessed;
        // forget precise markings inherited (mark_all_scalars_imprecise(), bpf_capable)
        MarkChainPrecision.markAllScalarsImprecise(cur);
        VerifierState copy = cur.copy();
        copy.insnIdx = idx;
        Checkpoint cp = new Checkpoint(copy, cur.parent);
        cur.parent = cp;
        cur.firstInsnIdx = idx;
        cur.dfsDepth = copy.dfsDepth + 1;
        cur.jmpHistory = new ArrayList<>();
        // connect new state to parentage chain. Current frame needs all registers connected; only
        // r6 - r9 of the callers are alive (callers' r1 - r5 stay connected to the state of the call
        // instruction, written, and r0 comes from the callee with its full parentage chain).
        // Clear write marks in the current state: the writes it did are not writes its child did
        for (int j = 0; j <= cur.curframe; j++) {
            FuncState f = cur.frame[j];
            for (int r = j < cur.curframe ? Bpf.BPF_REG_6 : 0; r < Bpf.BPF_REG_FP; r++) {
                f.regParent[r] = copy.frame[j];
            }
            for (int r = 0; r < Bpf.BPF_REG_FP; r++) {
                f.regLive[r] = 0;
            }
        }
        // all stack frames are accessible from callee, clear them all
        for (int j = 0; j <= cur.curframe; j++) {
            FuncState f = cur.frame[j];
            for (int spi = 0; spi < f.allocatedStack / 8; spi++) {
                f.slotLive[spi] = 0;
                f.slotParent[spi] = copy.frame[j];
            }
        }
        list.add(cp);
        return 0;
    }

    /** The hit label of is_state_visited(): liveness and precision of the old state pass to the current one. */
    private int hit(Checkpoint e, VerifierState old, VerifierState cur, int idx) {
        e.hit++;
        propagateLiveness(old, cur);
        if (dc.jmpPoint[idx]) {
            dc.pushJmpHistory();
        }
        int err = dc.precision.propagatePrecision(old);
        if (err != 0) {
            return err;
        }
        return 1;
    }

    /** is_may_goto_insn_at(). */
    private boolean isMayGotoInsnAt(int idx) {
        org.bpfosgi.isa.Insn insn = env.insns.get(idx);
        return insn.code() == (Bpf.BPF_JMP | Bpf.BPF_JCOND) && insn.src() == Bpf.BPF_MAY_GOTO;
    }

    /**
     * Models find_prev_entry(env, st, insn_idx): the newest checkpoint of {@code idx} still on the
     * current path (branches &gt; 0) that is shallower than {@code st}, or null.
     */
    VerifierState findPrevEntry(VerifierState st, int idx) {
        if (st == null) {
            return null;
        }
        List<Checkpoint> list = explored[bucket(idx, dc.cur)];
        if (list == null) {
            return null;
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            Checkpoint cp = list.get(i);
            if (cp.insnIdx == idx && cp.branches > 0 && sameCallsites(cp.state, st)
                    && cp.state.dfsDepth < st.dfsDepth) {
                return cp.state;
            }
        }
        return null;
    }

    /** same_callsites() of an explored state: two main frames (callsite -1) need no look at the frames. */
    private static boolean sameCallsites(Checkpoint a, VerifierState b) {
        if (a.curframe == 0 && b.curframe == 0) {
            return true;
        }
        return sameCallsites(a.state, b);
    }

    /** same_callsites(). */
    private static boolean sameCallsites(VerifierState a, VerifierState b) {
        if (a.curframe != b.curframe) {
            return false;
        }
        for (int fr = a.curframe; fr >= 0; fr--) {
            if (a.frame[fr].callsite != b.frame[fr].callsite) {
                return false;
            }
        }
        return true;
    }

    /**
     * Models explored_state(): the bucket {@code (idx ^ callsite) % prog->len} in u32 arithmetic,
     * with the call site of the current state's innermost frame (-1 in the main frame). A
     * subprogram's instructions share buckets with others'; is_state_visited() counts every entry
     * of the bucket in states_cnt but compares only those of the same instruction.
     */
    private int bucket(int idx, VerifierState st) {
        int callsite = st.frame[st.curframe].callsite;
        if (callsite != -1) {
            return Integer.remainderUnsigned(idx ^ callsite, env.insns.size());
        }
        // the main frame's buckets, each computed once: the u32 division is the costly part
        int b = mainBuckets[idx];
        if (b == 0) {
            b = Integer.remainderUnsigned(~idx, env.insns.size()) + 1;
            mainBuckets[idx] = b;
        }
        return b - 1;
    }

    /**
     * Models clean_live_states() with clean_verifier_state(): every finished explored state of
     * this instruction with the same call sites, not cleaned before, gets REG_LIVE_DONE
     * ({@code done}, which lets eviction free it), and clean_func_state() makes its unread
     * registers NOT_INIT and its unread stack slots STACK_INVALID, in every frame. (NOT_EXACT
     * ignores them anyway; RANGE_WITHIN then wants NOT_INIT and STACK_INVALID in the current state.)
     */
    private static void cleanLiveStates(List<Checkpoint> list, int idx, VerifierState cur) {
        for (int i = 0, n = list.size(); i < n; i++) {
            Checkpoint e = list.get(i);
            if (e.branches == 0 && !e.done && e.insnIdx == idx && sameCallsites(e, cur)) {
                e.done = true;
                VerifierState st = e.state;
                for (int fr = 0; fr <= st.curframe; fr++) {
                    cleanFuncState(st.frame[fr]);
                }
            }
        }
    }

    /** Models clean_func_state(). */
    private static void cleanFuncState(FuncState f) {
        for (int r = 0; r < Bpf.BPF_REG_FP; r++) {
            if ((f.regLive[r] & FuncState.REG_LIVE_READ) == 0) {
                // since the register is unused, clear its state to make further comparison simpler
                f.regs[r] = RegState.NOT_INIT;
            }
        }
        for (int spi = 0; spi < f.allocatedStack / 8; spi++) {
            if ((f.slotLive[spi] & FuncState.REG_LIVE_READ) == 0) {
                f.spilled[spi] = null;
                java.util.Arrays.fill(f.slotType, spi * 8, spi * 8 + 8, FuncState.STACK_INVALID);
            }
        }
    }

    /**
     * Models propagate_liveness() with propagate_liveness_reg(): what the explored state's
     * continuations read (current frame R0-R9, callers' R6-R9, the stack slots both have), the
     * current state's continuations (the same ones) read too: the mark goes on the current state's
     * own register whatever its write mark, then on up its parent links (mark_reg_read(old_reg,
     * cur_reg), which observes write marks from the second step on).
     */
    private static void propagateLiveness(VerifierState old, VerifierState cur) {
        for (int fr = 0; fr <= old.curframe; fr++) {
            FuncState fo = old.frame[fr];
            FuncState fc = cur.frame[fr];
            for (int r = fr < old.curframe ? Bpf.BPF_REG_6 : 0; r < Bpf.BPF_REG_FP; r++) {
                if ((fo.regLive[r] & FuncState.REG_LIVE_READ) != 0 && (fc.regLive[r] & FuncState.REG_LIVE_READ) == 0) {
                    fc.regLive[r] |= FuncState.REG_LIVE_READ;
                    DoCheck.markRead(fc, r, false, fc.regParent[r], true);
                }
            }
            for (int spi = 0; spi < fo.allocatedStack / 8 && spi < fc.allocatedStack / 8; spi++) {
                if ((fo.slotLive[spi] & FuncState.REG_LIVE_READ) != 0 && (fc.slotLive[spi] & FuncState.REG_LIVE_READ) == 0) {
                    fc.slotLive[spi] |= FuncState.REG_LIVE_READ;
                    DoCheck.markRead(fc, spi, true, fc.slotParent[spi], true);
                }
            }
        }
    }

    /** Models states_maybe_looping(): the current frame's registers identical (ids not remapped). */
    private static boolean statesMaybeLooping(VerifierState old, VerifierState cur) {
        if (old.curframe != cur.curframe) {
            return false;
        }
        RegState[] a = old.regs();
        RegState[] b = cur.regs();
        for (int r = 0; r < Bpf.MAX_BPF_REG; r++) {
            if (!a[r].withPrecise(false).equals(b[r].withPrecise(false))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Models enum exact_level of kernel/bpf/verifier.c (v6.12), the comparison states_equal(),
     * regsafe() and stacksafe() make. NOT_EXACT: the explored state covers the current one (read
     * marks, precision and the relaxations below apply). EXACT: regs_exact() everywhere and the
     * same byte types (infinite loop detection). RANGE_WITHIN (where loops converge: a may_goto
     * instruction against a state still on the path, or force_exact against a state whose loop
     * entry is still explored): read marks and precision do not matter, NOT_INIT only covers
     * NOT_INIT, every scalar is compared by range_within(), tnum_in() and check_scalar_ids(),
     * other registers as in NOT_EXACT, and every byte of the old stack must have the same type
     * in a current stack at least as large.
     */
    enum ExactLevel { NOT_EXACT, EXACT, RANGE_WITHIN }

    /**
     * Models states_equal() with func_states_equal() for every frame (the call sites must be
     * equal); registers and slots the explored state's continuations never read (no
     * REG_LIVE_READ) are not compared, at NOT_EXACT only.
     */
    static boolean statesEqual(VerifierState old, VerifierState cur, ExactLevel exact, boolean allowUninitStack,
                               IdMap idmap) {
        if (old.curframe != cur.curframe) {
            return false;
        }
        for (int i = 0; i <= old.curframe; i++) {
            FuncState fo = old.frame[i];
            FuncState fc = cur.frame[i];
            if (fo.callsite != fc.callsite) {
                return false;
            }
            for (int r = 0; r < Bpf.MAX_BPF_REG; r++) {
                if (exact == ExactLevel.NOT_EXACT && (fo.regLive[r] & FuncState.REG_LIVE_READ) == 0) {
                    continue;
                }
                if (!regsafe(fo.regs[r], fc.regs[r], idmap, exact)) {
                    return false;
                }
            }
            if (!stacksafe(fo, fc, idmap, exact, allowUninitStack)) {
                return false;
            }
        }
        if (old.refs.size() != cur.refs.size()) {
            return false;
        }
        for (int i = 0; i < old.refs.size(); i++) {
            if (!checkIds(old.refs.get(i).id(), cur.refs.get(i).id(), idmap)) {
                return false;
            }
        }
        return true;
    }

    /** Models check_ids(): ids must correspond one to one. */
    static boolean checkIds(int oldId, int curId, IdMap idmap) {
        return idmap.check(oldId, curId);
    }

    /** Models range_within(): every bound of {@code old} contains {@code cur}'s. */
    static boolean rangeWithin(RegState old, RegState cur) {
        return Long.compareUnsigned(old.umin(), cur.umin()) <= 0 && Long.compareUnsigned(old.umax(), cur.umax()) >= 0
                && old.smin() <= cur.smin() && old.smax() >= cur.smax()
                && Integer.compareUnsigned(old.u32min(), cur.u32min()) <= 0
                && Integer.compareUnsigned(old.u32max(), cur.u32max()) >= 0
                && old.s32min() <= cur.s32min() && old.s32max() >= cur.s32max();
    }

    /** Models check_scalar_ids(): a zero id pairs with anything not yet claimed. */
    static boolean checkScalarIds(int oldId, int curId, IdMap idmap) {
        // the BPF_ADD_CONST flags were compared equal before; the ids proper are mapped
        oldId &= ~CheckAluOp.BPF_ADD_CONST;
        curId &= ~CheckAluOp.BPF_ADD_CONST;
        oldId = oldId != 0 ? oldId : idmap.tmpId();
        curId = curId != 0 ? curId : idmap.tmpId();
        return checkIds(oldId, curId, idmap);
    }

    /** Models regs_exact(): the same register, ids mapped one to one. */
    static boolean regsExact(RegState rold, RegState rcur, IdMap idmap) {
        if (rold.type() != rcur.type() || rold.flags() != rcur.flags() || rold.off() != rcur.off()
                || !rold.var().equals(rcur.var()) || rold.smin() != rcur.smin() || rold.smax() != rcur.smax()
                || rold.umin() != rcur.umin() || rold.umax() != rcur.umax() || rold.s32min() != rcur.s32min()
                || rold.s32max() != rcur.s32max() || rold.u32min() != rcur.u32min() || rold.u32max() != rcur.u32max()
                || rold.btfId() != rcur.btfId() || rold.btf() != rcur.btf() || rold.frameno() != rcur.frameno()
                || rold.memSize() != rcur.memSize()) {
            return false;
        }
        return checkIds(rold.id(), rcur.id(), idmap) && checkIds(rold.refObjId(), rcur.refObjId(), idmap);
    }

    /**
     * Models regsafe() (its REG_LIVE_READ test is made by the callers): at NOT_EXACT an imprecise
     * old scalar matches any scalar; otherwise scalars are compared by range_within(), tnum_in()
     * and check_scalar_ids().
     */
    private static boolean regsafe(RegState rold, RegState rcur, IdMap idmap, ExactLevel exact) {
        if (exact == ExactLevel.EXACT) {
            return regsExact(rold, rcur, idmap);
        }
        if (rold.type() == RegType.NOT_INIT) {
            // RANGE_WITHIN: NOT_INIT only covers NOT_INIT
            return exact == ExactLevel.NOT_EXACT || rcur.type() == RegType.NOT_INIT;
        }
        if (rold.type() != rcur.type() || rold.flags() != rcur.flags()) {
            return false;
        }
        switch (rold.type()) {
            case SCALAR_VALUE -> {
                if (exact == ExactLevel.NOT_EXACT && !rold.precise()) {
                    // an imprecise scalar: no check of the explored continuations depended on its value
                    return true;
                }
                int oc = rold.id() & CheckAluOp.BPF_ADD_CONST;
                int cc = rcur.id() & CheckAluOp.BPF_ADD_CONST;
                if (oc != cc) {
                    return false;
                }
                if (oc != 0 && rold.off() != rcur.off()) {
                    return false;
                }
                return rangeWithin(rold, rcur) && rold.var().contains(rcur.var())
                        && checkScalarIds(rold.id(), rcur.id(), idmap);
            }
            case PTR_TO_MEM, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY -> {
                // for map pointers btfId is the map (map_ptr) and memSize its value/key size
                if (rold.off() != rcur.off() || rold.memSize() != rcur.memSize() || rold.btfId() != rcur.btfId()
                        || rold.btf() != rcur.btf()) {
                    return false;
                }
                return rangeWithin(rold, rcur) && rold.var().contains(rcur.var())
                        && checkIds(rold.id(), rcur.id(), idmap) && checkIds(rold.refObjId(), rcur.refObjId(), idmap);
            }
            default -> {
                return regsExact(rold, rcur, idmap);
            }
        }
    }

    /**
     * Models stacksafe() (v6.12) byte by byte over the OLD state's allocated_stack; bytes the
     * current state allocated beyond it are ignored (the explored state never used them). EXACT
     * and RANGE_WITHIN want the same byte type in a current stack that has the byte; at NOT_EXACT
     * a slot the explored state's continuations never read is skipped ({@code i += BPF_REG_SIZE - 1},
     * from whatever byte of the slot the walk is at, as the kernel does); an old STACK_INVALID
     * byte, or with allow_uninit_stack an old STACK_MISC byte, covers anything; a used old byte
     * beyond the current stack fails; two slots that both read as a scalar (scalar_reg_for_stack())
     * are compared by regsafe(); an old MISC byte covers a ZERO one; other byte types must be
     * equal, and at the slot's lowest byte (slot_type[BPF_REG_SIZE - 1]) two spills are compared by
     * regsafe().
     */
    private static boolean stacksafe(FuncState old, FuncState cur, IdMap idmap, ExactLevel exact,
                                     boolean allowUninitStack) {
        for (int i = 0; i < old.allocatedStack; i++) {
            int spi = i / 8;
            if (exact != ExactLevel.NOT_EXACT && (i >= cur.allocatedStack || old.slotType[i] != cur.slotType[i])) {
                return false;
            }
            if (exact == ExactLevel.NOT_EXACT && (old.slotLive[spi] & FuncState.REG_LIVE_READ) == 0) {
                // explored state didn't use this
                i += 7;
                continue;
            }
            byte to = old.slotType[i];
            if (to == FuncState.STACK_INVALID) {
                continue;
            }
            if (allowUninitStack && to == FuncState.STACK_MISC) {
                continue;
            }
            // explored stack has more populated slots than current stack and these slots were used
            if (i >= cur.allocatedStack) {
                return false;
            }
            // 64-bit scalar spill vs all slots MISC and vice versa: both read as a scalar
            RegState oldReg = scalarRegForStack(old, spi, allowUninitStack);
            RegState curReg = scalarRegForStack(cur, spi, allowUninitStack);
            if (oldReg != null && curReg != null) {
                if (!regsafe(oldReg, curReg, idmap, exact)) {
                    return false;
                }
                i += 7;
                continue;
            }
            byte tc = cur.slotType[i];
            // if old state was safe with misc data in the stack it will be safe with zero-initialized stack
            if (to == FuncState.STACK_MISC && tc == FuncState.STACK_ZERO) {
                continue;
            }
            if (to != tc) {
                return false;
            }
            if (i % 8 != 7) {
                continue;
            }
            if (to == FuncState.STACK_SPILL) {
                RegState so = old.spilled[spi];
                RegState sc = cur.spilled[spi];
                if (so == null || sc == null) {
                    if (so != sc) {
                        return false;
                    }
                } else if (!regsafe(so, sc, idmap, exact)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The unbound_reg of scalar_reg_for_stack(): an imprecise unknown scalar (marked read). */
    private static final RegState UNBOUND_REG = RegState.UNKNOWN_SCALAR;

    /**
     * Models scalar_reg_for_stack(): a 64-bit spilled scalar (is_spilled_scalar_reg64(), its
     * slot_type[0] STACK_SPILL) reads as itself; a slot all STACK_MISC (or STACK_INVALID under
     * allow_uninit_stack, is_stack_all_misc()) reads as an unbound scalar; anything else: null.
     */
    private static RegState scalarRegForStack(FuncState f, int spi, boolean allowUninitStack) {
        if (f.slotType[spi * 8] == FuncState.STACK_SPILL && f.spilled[spi] != null && f.spilled[spi].isScalar()) {
            return f.spilled[spi];
        }
        for (int k = 0; k < 8; k++) {
            byte t = f.slotType[spi * 8 + k];
            if (t == FuncState.STACK_MISC || (t == FuncState.STACK_INVALID && allowUninitStack)) {
                continue;
            }
            return null;
        }
        return UNBOUND_REG;
    }
}
