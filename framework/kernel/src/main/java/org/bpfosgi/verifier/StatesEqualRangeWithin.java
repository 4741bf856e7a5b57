package org.bpfosgi.verifier;

import java.util.HashMap;
import java.util.Map;

import org.bpfosgi.isa.Bpf;

/**
 * Models kernel/bpf/verifier.c states_equal(env, old, cur, RANGE_WITHIN) (v6.12), the comparison
 * is_state_visited() uses where loops converge: at a may_goto instruction against a state still on
 * the current path with another may_goto_depth, and against a finished state whose loop entry is
 * still being explored (force_exact). Unlike NOT_EXACT, read marks and precision do not matter:
 * regsafe() compares every register (NOT_INIT only covers NOT_INIT; every scalar by
 * range_within(), tnum_in() and check_scalar_ids(); other pointers as in {@link IsStateVisited}),
 * and stacksafe() wants the same byte types in every byte of the old state's stack (the current
 * stack at least as large), the spilled registers compared the same way.
 */
final class StatesEqualRangeWithin {
    private StatesEqualRangeWithin() {
    }

    static boolean test(VerifierState old, VerifierState cur, boolean allowUninitStack) {
        if (old.curframe != cur.curframe) {
            return false;
        }
        Map<Integer, Integer> idmap = new HashMap<>();
        for (int i = 0; i <= old.curframe; i++) {
            FuncState fo = old.frame[i];
            FuncState fc = cur.frame[i];
            if (fo.callsite != fc.callsite) {
                return false;
            }
            for (int r = 0; r < Bpf.MAX_BPF_REG; r++) {
                if (!regsafe(fo.regs[r], fc.regs[r], idmap)) {
                    return false;
                }
            }
            if (!stacksafe(fo, fc, idmap, allowUninitStack)) {
                return false;
            }
        }
        if (old.refs.size() != cur.refs.size()) {
            return false;
        }
        for (int i = 0; i < old.refs.size(); i++) {
            if (!IsStateVisited.checkIds(old.refs.get(i).id(), cur.refs.get(i).id(), idmap)) {
                return false;
            }
        }
        return true;
    }

    /** regsafe(..., RANGE_WITHIN). */
    static boolean regsafe(RegState rold, RegState rcur, Map<Integer, Integer> idmap) {
        if (rold.type() == RegType.NOT_INIT && rcur.type() == RegType.NOT_INIT) {
            return true;
        }
        if (rold.type() != rcur.type() || rold.flags() != rcur.flags()) {
            return false;
        }
        switch (rold.type()) {
            case SCALAR_VALUE -> {
                int oc = rold.id() & CheckAluOp.BPF_ADD_CONST;
                int cc = rcur.id() & CheckAluOp.BPF_ADD_CONST;
                if (oc != cc || (oc != 0 && rold.off() != rcur.off())) {
                    return false;
                }
                return IsStateVisited.rangeWithin(rold, rcur) && rold.var().contains(rcur.var())
                        && IsStateVisited.checkScalarIds(rold.id(), rcur.id(), idmap);
            }
            case PTR_TO_MEM, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY -> {
                // regsafe()'s PTR_TO_MAP_KEY/PTR_TO_MAP_VALUE/PTR_TO_MEM case, as in IsStateVisited: for map
                // pointers btfId is the map (map_ptr) and memSize its value/key size
                if (rold.off() != rcur.off() || rold.memSize() != rcur.memSize() || rold.btfId() != rcur.btfId()
                        || rold.btf() != rcur.btf()) {
                    return false;
                }
                return IsStateVisited.rangeWithin(rold, rcur) && rold.var().contains(rcur.var())
                        && IsStateVisited.checkIds(rold.id(), rcur.id(), idmap)
                        && IsStateVisited.checkIds(rold.refObjId(), rcur.refObjId(), idmap);
            }
            default -> {
                return IsStateVisited.regsExact(rold, rcur, idmap);
            }
        }
    }

    /** stacksafe(..., RANGE_WITHIN): byte types equal over the old stack, then as NOT_EXACT without read marks. */
    private static boolean stacksafe(FuncState old, FuncState cur, Map<Integer, Integer> idmap, boolean allowUninitStack) {
        for (int b = 0; b < old.allocatedStack; b++) {
            if (b >= cur.allocatedStack || old.slotType[b] != cur.slotType[b]) {
                return false;
            }
            byte t = old.slotType[b];
            if (t == FuncState.STACK_INVALID || (allowUninitStack && t == FuncState.STACK_MISC)) {
                continue;
            }
            if (t == FuncState.STACK_SPILL && b % 8 == 7) {
                RegState so = old.spilled[b / 8];
                RegState sc = cur.spilled[b / 8];
                if (so == null || sc == null) {
                    if (so != sc) {
                        return false;
                    }
                } else if (!regsafe(so, sc, idmap)) {
                    return false;
                }
            }
        }
        return true;
    }
}
