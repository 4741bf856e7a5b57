package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c verifier_remove_insns() with kernel/bpf/core.c bpf_remove_insns()
 * (bpf_adj_branches() for a removal) and adjust_subprog_starts_after_remove(): instructions
 * [off, off+cnt) go; jumps and bpf-to-bpf calls across the hole shrink; subprograms that were
 * entirely inside it disappear, later ones move up; insn_aux_data (here {@code seen}, orig_idx, finalized_call, map_ptr_state) follows.
 */
final class VerifierRemoveInsns {
    private VerifierRemoveInsns() {
    }

    static int run(VerifierEnv env, int off, int cnt) {
        List<Insn> old = env.insns;
        int n = old.size();
        List<Insn> out = new ArrayList<>(n - cnt);
        for (int i = 0; i < n; i++) {
            if (i >= off && i < off + cnt) {
                continue;
            }
            Insn insn = old.get(i);
            int cls = insn.cls();
            boolean jmp = (cls == BPF_JMP || cls == BPF_JMP32) && !insn.isExit()
                    && (!insn.isCall() || insn.isPseudoCall());
            if (jmp && !(i > 0 && old.get(i - 1).isLdImm64() && isSecondSlot(old, i))) {
                boolean useImm = insn.isPseudoCall() || insn.isGotol();
                int d = useImm ? insn.imm() : insn.off();
                int t = i + d + 1;
                int ni = i < off ? i : i - cnt;
                int nt = t < off ? t : t >= off + cnt ? t - cnt : off;
                long nd = (long) nt - ni - 1;
                if (!useImm && (nd < Short.MIN_VALUE || nd > Short.MAX_VALUE)) {
                    return Errno.ERANGE.negative();
                }
                insn = useImm ? insn.withImm((int) nd) : insn.withOff((int) nd);
            }
            out.add(insn);
        }
        env.insns.clear();
        env.insns.addAll(out);
        boolean[] seen = new boolean[n - cnt];
        int[] origIdx = new int[n - cnt];
        boolean[] finalized = new boolean[n - cnt];
        MapPtrState[] mapPtr = new MapPtrState[n - cnt];
        for (int i = 0, j = 0; i < n; i++) {
            if (i < off || i >= off + cnt) {
                seen[j] = env.seen[i];
                origIdx[j] = env.origIdx[i];
                mapPtr[j] = env.mapPtrState[i];
                finalized[j++] = env.finalizedCall[i];
            }
        }
        env.seen = seen;
        env.origIdx = origIdx;
        env.finalizedCall = finalized;
        env.mapPtrState = mapPtr;
        adjustSubprogStartsAfterRemove(env, off, cnt);
        return 0;
    }

    private static boolean isSecondSlot(List<Insn> insns, int i) {
        boolean second = false;
        for (int k = 0; k <= i; k++) {
            if (k == i) {
                return second;
            }
            second = !second && insns.get(k).isLdImm64();
        }
        return false;
    }

    /** Models adjust_subprog_starts_after_remove(). */
    private static void adjustSubprogStartsAfterRemove(VerifierEnv env, int off, int cnt) {
        List<Integer> starts = env.subprogStarts;
        int nsub = env.subprogCount();
        List<Integer> newStarts = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        for (int s = 0; s < nsub; s++) {
            int start = starts.get(s);
            int end = starts.get(s + 1);
            if (start >= off && end <= off + cnt && s > 0) {
                continue; // the whole subprogram was dead
            }
            newStarts.add(start < off ? start : start >= off + cnt ? start - cnt : off);
            depths.add(env.subprogStackDepth[s]);
        }
        newStarts.add(env.insns.size());
        starts.clear();
        starts.addAll(newStarts);
        env.subprogStackDepth = depths.stream().mapToInt(Integer::intValue).toArray();
    }
}
