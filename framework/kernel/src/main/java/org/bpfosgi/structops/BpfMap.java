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

    /** {@code map->btf} (btf_fd's object, a reference held until the map is freed), or null. */
    private volatile org.bpfosgi.btf.BtfObject btf;
    /** {@code map->record}: the value's special fields (map_check_btf()), null without any. */
    private volatile org.bpfosgi.verifier.BtfRecord record;
    /** The kernel the map lives in (its memory, log and the destructors bpf_obj_free_fields() calls). */
    private StructOpsKernel kernel;

    public org.bpfosgi.btf.BtfObject btf() {
        return btf;
    }

    /** {@code map->record}: null, an ERR record, or the kptr fields of the value. */
    public org.bpfosgi.verifier.BtfRecord record() {
        return record;
    }

    void setBtf(org.bpfosgi.btf.BtfObject btf, org.bpfosgi.verifier.BtfRecord record) {
        this.btf = btf;
        this.record = record;
    }

    StructOpsKernel kernel() {
        return kernel;
    }

    void setKernel(StructOpsKernel k) {
        this.kernel = k;
    }

    public boolean isFreed() {
        return freed;
    }

    /** {@code map->frozen}: set by BPF_MAP_FREEZE, never cleared. */
    private volatile boolean frozen;

    public boolean frozen() {
        return frozen;
    }

    void setFrozen() {
        frozen = true;
    }

    /**
     * The part of map_alloc that takes kernel memory (bpf_map_area_alloc()): 0 or a negative
     * errno. Called with the kernel lock held, before the map gets its id.
     */
    int allocStorage(org.bpfosgi.vm.Memory m) {
        return 0;
    }

    /** The regions allocStorage() took, which map_free gives back. */
    java.util.List<org.bpfosgi.vm.Region> storage() {
        return java.util.List.of();
    }

    /**
     * {@code map->ops->map_direct_value_addr} for a BPF_PSEUDO_MAP_VALUE load at {@code off}: 0
     * (the address is {@link #directValueBase()} + off) or a negative errno.
     */
    public int directValueAddr(int off) {
        return org.bpfosgi.errno.Errno.EINVAL.negative();
    }

    /** The address {@code map_direct_value_addr} gives (the value of a single-element array), 0 if none. */
    public long directValueBase() {
        return 0;
    }

    /** Whether the type has {@code map_direct_value_addr} at all (array maps). */
    public boolean hasDirectValueAddr() {
        return false;
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
