package org.bpfosgi.structops;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Models {@code struct bpf_map}: its id in {@code map_idr}, the attributes it was created with,
 * and {@code refcnt}: the user's reference (the fd BPF_MAP_CREATE returned) plus the kernel's (a
 * link, a registration). The last {@code bpf_map_put()} frees it ({@code map->ops->map_free}).
 */
public abstract class BpfMap {
    private final int id;
    private final MapCreateAttr attr;
    private final AtomicInteger refcnt = new AtomicInteger(1);
    private volatile boolean userRef = true;
    private volatile boolean freed;
    /** {@code struct bpf_map} in kernel memory: its address is what programs load and pass. */
    private org.bpfosgi.vm.Region self;

    BpfMap(int id, MapCreateAttr attr) {
        this.id = id;
        this.attr = attr;
    }

    public int id() {
        return id;
    }

    public String name() {
        return attr.name();
    }

    public BpfMapType type() {
        return attr.type();
    }

    public MapCreateAttr attr() {
        return attr;
    }

    public int refcnt() {
        return refcnt.get();
    }

    public boolean userRef() {
        return userRef;
    }

    /** The map's kernel address (what a BPF_PSEUDO_MAP_FD ld_imm64 loads). */
    public long address() {
        return self.start();
    }

    void setSelf(org.bpfosgi.vm.Region r) {
        this.self = r;
    }

    org.bpfosgi.vm.Region self() {
        return self;
    }

    public boolean isFreed() {
        return freed;
    }

    /** The value of {@code key} as BPF_MAP_LOOKUP_ELEM from user space returns it (prog ids, not pointers); null: -ENOENT. */
    public abstract byte[] lookupUser(int key);

    /** {@code map->ops->map_free}. */
    abstract void mapFree();

    synchronized boolean dropUserRef() {
        if (!userRef) {
            return false;
        }
        userRef = false;
        return true;
    }

    /** bpf_map_inc(). */
    void inc() {
        refcnt.incrementAndGet();
    }

    /** The decrement of bpf_map_put(): true for the last reference. */
    boolean dec() {
        return refcnt.decrementAndGet() == 0;
    }

    void markFreed() {
        freed = true;
    }
}
