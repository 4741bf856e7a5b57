package org.bpfosgi.structops;

/**
 * Models kernel/bpf/bpf_lru_list.c (v6.12) for a map on the model's one CPU: the LRU that
 * BPF_MAP_TYPE_LRU_HASH's preallocated elements live on. A common LRU ({@code struct bpf_common_lru})
 * has a global active/inactive/free list and CPU 0's local free and pending lists; a per-cpu LRU
 * (BPF_F_NO_COMMON_LRU) has only CPU 0's active/inactive/free list. The lists are intrusive
 * doubly linked lists over the element slots, as {@code struct list_head} is, so the order of
 * every scan (tail first, list_move() to the head, {@code next_inactive_rotation}) is the
 * kernel's. The {@code ref} bit lives in the element's memory (a program's inlined lookup sets it
 * with a byte store), so it is read and cleared through {@link Nodes}.
 */
final class BpfLru {
    /** LOCAL_FREE_TARGET (v6.12; 6.16 made it max_entries / nr_cpus / 2, clamped to 1..128). */
    static final int LOCAL_FREE_TARGET = 128;
    /** LOCAL_NR_SCANS. */
    static final int LOCAL_NR_SCANS = LOCAL_FREE_TARGET;
    /** PERCPU_FREE_TARGET. */
    static final int PERCPU_FREE_TARGET = 4;
    /** PERCPU_NR_SCANS. */
    static final int PERCPU_NR_SCANS = PERCPU_FREE_TARGET;

    /** enum bpf_lru_list_type. */
    static final int T_ACTIVE = 0;
    static final int T_INACTIVE = 1;
    static final int T_FREE = 2;
    static final int LOCAL_T_FREE = 3;
    static final int LOCAL_T_PENDING = 4;
    /** NR_BPF_LRU_LIST_COUNT: only active and inactive are counted. */
    private static final int NR_COUNT = 2;

    /** What the LRU needs of the hash table's elements. */
    interface Nodes {
        /** bpf_lru_node_is_ref(). */
        boolean isRef(int node);

        /** {@code node->ref = 0}. */
        void clearRef(int node);

        /** lru->del_from_htab (htab_lru_map_delete_node()): unlinks the element from the table. */
        boolean delFromHtab(int node);
    }

    private final boolean percpu;
    private final int nrScans;
    private final Nodes nodes;
    private final int n;
    /** prev/next of slots 0..n-1, then the list heads n + type. */
    private final int[] prev;
    private final int[] next;
    private final byte[] type;
    private final int[] counts = new int[NR_COUNT];
    private int nextInactiveRotation;

    /** bpf_lru_init() and bpf_lru_populate() of {@code nrElems} preallocated elements. */
    BpfLru(boolean percpu, int nrElems, Nodes nodes) {
        this.percpu = percpu;
        this.nrScans = percpu ? PERCPU_NR_SCANS : LOCAL_NR_SCANS;
        this.nodes = nodes;
        this.n = nrElems;
        prev = new int[n + 5];
        next = new int[n + 5];
        type = new byte[n];
        for (int h = n; h < n + 5; h++) {
            prev[h] = h;
            next[h] = h;
        }
        // bpf_lru_list_init(): l->next_inactive_rotation = &l->lists[BPF_LRU_LIST_T_INACTIVE]
        nextInactiveRotation = head(T_INACTIVE);
        // bpf_common_lru_populate() / bpf_percpu_lru_populate() (one CPU: every element CPU 0's)
        for (int i = 0; i < n; i++) {
            type[i] = T_FREE;
            nodes.clearRef(i);
            listAdd(i, head(T_FREE));
        }
    }

    private int head(int t) {
        return n + t;
    }

    private void listDel(int x) {
        next[prev[x]] = next[x];
        prev[next[x]] = prev[x];
    }

    private void listAdd(int x, int h) {
        int first = next[h];
        next[x] = first;
        prev[x] = h;
        prev[first] = x;
        next[h] = x;
    }

    private void listMove(int x, int h) {
        listDel(x);
        listAdd(x, h);
    }

    private boolean isLocal(int t) {
        return t >= LOCAL_T_FREE;
    }

    private void countInc(int t) {
        if (t < NR_COUNT) {
            counts[t]++;
        }
    }

    private void countDec(int t) {
        if (t < NR_COUNT) {
            counts[t]--;
        }
    }

    /** The node's list type (for tests). */
    int type(int node) {
        return type[node];
    }

    private void moveToFree(int node, int freeHead, int tgtFreeType) {
        if (isLocal(type[node])) {
            return; // WARN_ON_ONCE
        }
        if (node == nextInactiveRotation) {
            nextInactiveRotation = prev[nextInactiveRotation];
        }
        countDec(type[node]);
        type[node] = (byte) tgtFreeType;
        listMove(node, freeHead);
    }

    private void moveIn(int node, int tgt) {
        countInc(tgt);
        type[node] = (byte) tgt;
        nodes.clearRef(node);
        listMove(node, head(tgt));
    }

    /** __bpf_lru_node_move(). */
    private void move(int node, int tgt) {
        if (isLocal(type[node])) {
            return;
        }
        if (type[node] != tgt) {
            countDec(type[node]);
            countInc(tgt);
            type[node] = (byte) tgt;
        }
        nodes.clearRef(node);
        if (node == nextInactiveRotation) {
            nextInactiveRotation = prev[nextInactiveRotation];
        }
        listMove(node, head(tgt));
    }

    /** __bpf_lru_list_rotate_active(). */
    private void rotateActive() {
        int active = head(T_ACTIVE);
        int first = next[active];
        int i = 0;
        for (int node = prev[active], tmp; node != active; node = tmp) {
            tmp = prev[node];
            move(node, nodes.isRef(node) ? T_ACTIVE : T_INACTIVE);
            if (++i == nrScans || node == first) {
                break;
            }
        }
    }

    /** __bpf_lru_list_rotate_inactive(). */
    private void rotateInactive() {
        int inactive = head(T_INACTIVE);
        if (next[inactive] == inactive) {
            return;
        }
        int last = next[nextInactiveRotation];
        if (last == inactive) {
            last = next[last];
        }
        int cur = nextInactiveRotation;
        int nxt = inactive;
        int i = 0;
        while (i < nrScans) {
            if (cur == inactive) {
                cur = prev[cur];
                continue;
            }
            nxt = prev[cur];
            if (nodes.isRef(cur)) {
                move(cur, T_ACTIVE);
            }
            if (cur == last) {
                break;
            }
            cur = nxt;
            i++;
        }
        nextInactiveRotation = nxt;
    }

    /** __bpf_lru_list_shrink_inactive(). */
    private int shrinkInactive(int tgtNshrink, int freeHead, int tgtFreeType) {
        int inactive = head(T_INACTIVE);
        int nshrinked = 0;
        int i = 0;
        for (int node = prev[inactive], tmp; node != inactive; node = tmp) {
            tmp = prev[node];
            if (nodes.isRef(node)) {
                move(node, T_ACTIVE);
            } else if (nodes.delFromHtab(node)) {
                moveToFree(node, freeHead, tgtFreeType);
                if (++nshrinked == tgtNshrink) {
                    break;
                }
            }
            if (++i == nrScans) {
                break;
            }
        }
        return nshrinked;
    }

    /** __bpf_lru_list_rotate(). */
    private void rotate() {
        if (counts[T_INACTIVE] < counts[T_ACTIVE]) {
            rotateActive();
        }
        rotateInactive();
    }

    /** __bpf_lru_list_shrink(): the inactive shrink, else one node forced off the inactive (or active) tail. */
    private int shrink(int tgtNshrink, int freeHead, int tgtFreeType) {
        int nshrinked = shrinkInactive(tgtNshrink, freeHead, tgtFreeType);
        if (nshrinked != 0) {
            return nshrinked;
        }
        int force = next[head(T_INACTIVE)] != head(T_INACTIVE) ? head(T_INACTIVE) : head(T_ACTIVE);
        for (int node = prev[force], tmp; node != force; node = tmp) {
            tmp = prev[node];
            if (nodes.delFromHtab(node)) {
                moveToFree(node, freeHead, tgtFreeType);
                return 1;
            }
        }
        return 0;
    }

    /** __local_list_flush(): the pending nodes, tail first, onto the active (ref) or inactive list. */
    private void localListFlush() {
        int pending = head(LOCAL_T_PENDING);
        for (int node = prev[pending], tmp; node != pending; node = tmp) {
            tmp = prev[node];
            moveIn(node, nodes.isRef(node) ? T_ACTIVE : T_INACTIVE);
        }
    }

    /** bpf_lru_list_pop_free_to_local(). */
    private void popFreeToLocal() {
        localListFlush();
        rotate();
        int free = head(T_FREE);
        int nfree = 0;
        for (int node = next[free], tmp; node != free; node = tmp) {
            tmp = next[node];
            moveToFree(node, head(LOCAL_T_FREE), LOCAL_T_FREE);
            if (++nfree == LOCAL_FREE_TARGET) {
                break;
            }
        }
        if (nfree < LOCAL_FREE_TARGET) {
            shrink(LOCAL_FREE_TARGET - nfree, head(LOCAL_T_FREE), LOCAL_T_FREE);
        }
    }

    private int localPopFree() {
        int h = head(LOCAL_T_FREE);
        int node = next[h];
        if (node == h) {
            return -1;
        }
        listDel(node);
        return node;
    }

    /** __local_list_pop_pending(): from the tail, unreferenced first, then any. */
    private int localPopPending() {
        int h = head(LOCAL_T_PENDING);
        for (boolean force : new boolean[] {false, true}) {
            for (int node = prev[h]; node != h; node = prev[node]) {
                if ((!nodes.isRef(node) || force) && nodes.delFromHtab(node)) {
                    listDel(node);
                    return node;
                }
            }
        }
        return -1;
    }

    private void localAddPending(int node) {
        type[node] = LOCAL_T_PENDING;
        nodes.clearRef(node);
        listAdd(node, head(LOCAL_T_PENDING));
    }

    /** bpf_lru_pop_free(): a free element (evicting others if need be), or -1 (the caller's -ENOMEM). */
    int popFree() {
        if (percpu) {
            // bpf_percpu_lru_pop_free()
            rotate();
            int free = head(T_FREE);
            if (next[free] == free) {
                shrink(PERCPU_FREE_TARGET, free, T_FREE);
            }
            if (next[free] == free) {
                return -1;
            }
            int node = next[free];
            nodes.clearRef(node);
            move(node, T_INACTIVE);
            return node;
        }
        // bpf_common_lru_pop_free() on CPU 0
        int node = localPopFree();
        if (node < 0) {
            popFreeToLocal();
            node = localPopFree();
        }
        if (node >= 0) {
            localAddPending(node);
            return node;
        }
        // steal from the local free/pending list of each CPU in turn: the model's one
        node = localPopFree();
        if (node < 0) {
            node = localPopPending();
        }
        if (node >= 0) {
            localAddPending(node);
        }
        return node;
    }

    /** bpf_lru_push_free(). */
    void pushFree(int node) {
        if (percpu) {
            move(node, T_FREE);
            return;
        }
        if (type[node] == T_FREE || type[node] == LOCAL_T_FREE) {
            return; // WARN_ON_ONCE
        }
        if (type[node] == LOCAL_T_PENDING) {
            type[node] = LOCAL_T_FREE;
            nodes.clearRef(node);
            listMove(node, head(LOCAL_T_FREE));
            return;
        }
        move(node, T_FREE); // bpf_lru_list_push_free()
    }
}
