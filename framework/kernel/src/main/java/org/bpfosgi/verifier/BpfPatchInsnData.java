package org.bpfosgi.verifier;

import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.InsnPatcher;

/**
 * Models kernel/bpf/verifier.c bpf_patch_insn_data() (6.12): instruction {@code off}
 * is replaced by {@code patch} through kernel/bpf/core.c bpf_patch_insn_single()
 * ({@link InsnPatcher#patchInsnSingle}: the branch rule, the probe pass and bpf_adj_linfo()),
 * then {@link #adjustInsnAuxData}, {@link #adjustSubprogStarts} and {@link #adjustPokeDescs}.
 *
 * <p>bpf_patch_insn_single() runs its probe pass only when the new length exceeds S16_MAX;
 * below that no displacement can overflow, so checking every relocated displacement (what
 * {@link InsnPatcher} does) gives the same answer. The kernel's -ERANGE is logged here as
 * "insn %d cannot be patched due to 16-bit range" with the insn's orig_idx, and, as for every
 * failure of bpf_patch_insn_data() (which returns NULL), the caller returns -ENOMEM.
 */
final class BpfPatchInsnData {
    /** S16_MAX: bpf_patch_insn_single()'s cnt_max. */
    static final int S16_MAX = Short.MAX_VALUE;

    private BpfPatchInsnData() {
    }

    /** 0, or -ENOMEM (the NULL every caller maps to -ENOMEM) with the log line for -ERANGE. */
    static int run(VerifierEnv env, int off, List<Insn> patch) {
        List<Insn> out;
        try {
            out = InsnPatcher.patchInsnSingle(env.insns, off, patch);
        } catch (KernelException e) {
            if (e.errno() == Errno.ERANGE) {
                env.verbose("insn %d cannot be patched due to 16-bit range\n", env.origIdx[off]);
            }
            return Errno.ENOMEM.negative();
        }
        int len = patch.size();
        env.insns.clear();
        env.insns.addAll(out);
        bpfAdjLinfo(env, off, len - 1);
        adjustInsnAuxData(env, off, len);
        adjustSubprogStarts(env, off, len);
        adjustPokeDescs(env, off, len);
        return 0;
    }

    /**
     * Models kernel/bpf/core.c bpf_adj_linfo() (called by bpf_patch_insn_single() when the image
     * grows): line-info entries strictly after {@code off} move by {@code delta}.
     */
    static void bpfAdjLinfo(VerifierEnv env, int off, int delta) {
        if (delta == 0) {
            return;
        }
        List<Integer> linfo = env.linfoInsnOff;
        int i = 0;
        while (i < linfo.size() && !(off < linfo.get(i))) {
            i++;
        }
        for (; i < linfo.size(); i++) {
            linfo.set(i, linfo.get(i) + delta);
        }
    }

    /**
     * Models adjust_insn_aux_data(): the original instruction's record moves to the last insn of
     * the patch; the new entries before it are zeroed except {@code seen}, copied from the
     * original (orig_idx stays 0, finalized_call false, map_ptr_state empty). zext_dst (insn_has_def32()) is not
     * modelled: the model does no 32-bit zero-extension pass.
     */
    static void adjustInsnAuxData(VerifierEnv env, int off, int cnt) {
        if (cnt == 1) {
            return;
        }
        int newLen = env.insns.size();
        boolean oldSeen = env.seen[off];
        boolean[] seen = new boolean[newLen];
        int[] orig = new int[newLen];
        boolean[] fin = new boolean[newLen];
        MapPtrState[] mapPtr = new MapPtrState[newLen];
        System.arraycopy(env.seen, 0, seen, 0, off);
        System.arraycopy(env.origIdx, 0, orig, 0, off);
        System.arraycopy(env.finalizedCall, 0, fin, 0, off);
        System.arraycopy(env.mapPtrState, 0, mapPtr, 0, off);
        int tail = newLen - off - cnt + 1;
        System.arraycopy(env.seen, off, seen, off + cnt - 1, tail);
        System.arraycopy(env.origIdx, off, orig, off + cnt - 1, tail);
        System.arraycopy(env.finalizedCall, off, fin, off + cnt - 1, tail);
        System.arraycopy(env.mapPtrState, off, mapPtr, off + cnt - 1, tail);
        for (int i = off; i < off + cnt - 1; i++) {
            seen[i] = oldSeen; // expand insn[off]'s seen count to the patched range
        }
        env.seen = seen;
        env.origIdx = orig;
        env.finalizedCall = fin;
        env.mapPtrState = mapPtr;
    }

    /**
     * Models adjust_subprog_starts(): every entry 0..subprog_cnt inclusive (the fake "exit" entry
     * too) that starts strictly after {@code off} moves by {@code len - 1}; a subprogram whose
     * first insn was patched keeps starting at the patch.
     */
    static void adjustSubprogStarts(VerifierEnv env, int off, int len) {
        if (len == 1) {
            return;
        }
        List<Integer> starts = env.subprogStarts;
        for (int i = 0; i < starts.size(); i++) {
            if (starts.get(i) <= off) {
                continue;
            }
            starts.set(i, starts.get(i) + len - 1);
        }
    }

    /** Models adjust_poke_descs(): tail-call poke entries after {@code off} move by {@code len - 1}. */
    static void adjustPokeDescs(VerifierEnv env, int off, int len) {
        if (len == 1) {
            return;
        }
        List<Integer> poke = env.pokeInsnIdx;
        for (int i = 0; i < poke.size(); i++) {
            if (poke.get(i) > off) {
                poke.set(i, poke.get(i) + len - 1);
            }
        }
    }
}
