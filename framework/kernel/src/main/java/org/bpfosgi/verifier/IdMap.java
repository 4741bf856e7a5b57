package org.bpfosgi.verifier;

/**
 * Models {@code struct bpf_idmap} (env->idmap_scratch): the pairs of ids check_ids() has matched
 * between an explored state and the current one during one states_equal() (or
 * widen_imprecise_scalars()), searched linearly as the kernel does, and {@code tmp_id_gen}, the
 * source of the fresh ids check_scalar_ids() gives to scalars without one. Reset before each
 * comparison ({@link #reset()}), so one instance serves a whole verification.
 */
final class IdMap {
    /** Far above every id a program's registers can have (env->id_gen counts from 0). */
    private static final int TMP_ID_BASE = 0x40000000;

    private int[] old = new int[16];
    private int[] cur = new int[16];
    private int size;
    private int tmpIdGen = TMP_ID_BASE;

    /** Forgets every pair, as states_equal() memsets idmap_scratch.map. */
    IdMap reset() {
        size = 0;
        tmpIdGen = TMP_ID_BASE;
        return this;
    }

    /**
     * Models check_ids(): both ids zero, or both set and matched one to one with the pairs seen
     * so far (a new pair is recorded).
     */
    boolean check(int oldId, int curId) {
        if ((oldId == 0) != (curId == 0)) {
            return false;
        }
        if (oldId == 0) {
            return true;
        }
        for (int i = 0; i < size; i++) {
            if (old[i] == oldId) {
                return cur[i] == curId;
            }
            if (cur[i] == curId) {
                return false;
            }
        }
        if (size == old.length) {
            old = java.util.Arrays.copyOf(old, size * 2);
            cur = java.util.Arrays.copyOf(cur, size * 2);
        }
        old[size] = oldId;
        cur[size] = curId;
        size++;
        return true;
    }

    /** ++idmap->tmp_id_gen: an id no register has. */
    int tmpId() {
        return ++tmpIdGen;
    }
}
