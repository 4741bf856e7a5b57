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

    /** Whether the map's {@code struct bpf_map} region exists (array maps allocate it with their values). */
    boolean hasSelf() {
        return self != null;
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
    int allocStorage(org.bpfosgi.vm.Memory m, org.bpfosgi.verifier.BpfMapLayout layout) {
        return 0;
    }

    /**
     * The struct {@code map->ops->map_btf_id} names (check_ptr_to_map_access() reads the map
     * through it): {@code sizeof} it is the size of the map's {@code struct bpf_map} region.
     */
    String btfStructName() {
        org.bpfosgi.verifier.MapOps ops = org.bpfosgi.verifier.MapOps.of(type().value());
        return ops == null ? null : ops.mapBtfStruct();
    }

    /**
     * Fills the {@code struct bpf_map} fields the model knows (ops, map_type, key_size,
     * value_size, max_entries, map_flags, id, name, bypass_spec_v1) at their offsets in
     * {@code layout}, what bpf_map_init_from_attr() and map_create() set; a program reads them
     * through a map_ptr (check_ptr_to_map_access()). Fields the BTF lacks are skipped.
     */
    void writeHeader(org.bpfosgi.vm.Region r, org.bpfosgi.verifier.BpfMapLayout layout, long ops) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int opsOff = layout.offset("bpf_map", "ops");
        if (opsOff >= 0 && opsOff + 8 <= r.size()) {
            b.putLong(opsOff, ops);
        }
        putU32(b, layout.offset("bpf_map", "map_type"), type().value());
        putU32(b, layout.offset("bpf_map", "key_size"), attr.keySize());
        putU32(b, layout.offset("bpf_map", "value_size"), attr.valueSize());
        putU32(b, layout.offset("bpf_map", "max_entries"), attr.maxEntries());
        putU32(b, layout.offset("bpf_map", "map_flags"), attr.flags());
        putU32(b, layout.offset("bpf_map", "id"), id);
        int name = layout.offset("bpf_map", "name");
        byte[] n = attr.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (name >= 0 && name + 16 <= r.size()) {
            System.arraycopy(n, 0, r.bytes(), name, Math.min(n.length, 15));
        }
        int bypass = layout.offset("bpf_map", "bypass_spec_v1");
        if (bypass >= 0 && bypass < r.size()) {
            r.bytes()[bypass] = 1; // created by root (bpf_bypass_spec_v1(): CAP_PERFMON)
        }
    }

    static void putU32(java.nio.ByteBuffer b, int off, int v) {
        if (off >= 0 && off + 4 <= b.capacity()) {
            b.putInt(off, v);
        }
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

    /** bpf_map_value_size(): the bytes of a value BPF_MAP_LOOKUP_ELEM/UPDATE_ELEM copy (value_size; per CPU for per-cpu maps). */
    int userValueSize() {
        return attr.valueSize();
    }

    /** The value of {@code key} as BPF_MAP_LOOKUP_ELEM from user space returns it (prog ids, not pointers); null: -ENOENT. */
    public abstract byte[] lookupUser(int key);

    /**
     * What BPF_MAP_UPDATE_ELEM reaches through {@code map->ops} in bpf_map_update_value() (v6.12):
     * the type's map_update_elem, a per-cpu type's per-cpu update, a queue's or stack's
     * map_push_elem. The caller holds the kernel lock and has checked the sizes. Types whose
     * syscall update the model has elsewhere (prog arrays, struct_ops maps): -EINVAL.
     */
    int sysUpdate(byte[] key, byte[] value, long flags, org.bpfosgi.vm.Memory m) {
        return org.bpfosgi.errno.Errno.EINVAL.negative();
    }

    /**
     * {@code map->ops->map_delete_elem} for BPF_MAP_DELETE_ELEM; -EINVAL for the types whose
     * delete is that (array_map_delete_elem(), queue_stack_map_delete_elem()). The caller holds
     * the kernel lock.
     */
    int sysDelete(byte[] key) {
        return org.bpfosgi.errno.Errno.EINVAL.negative();
    }

    /**
     * bpf_map_copy_value() for BPF_MAP_LOOKUP_ELEM: a copy of the value, or null (-ENOENT). By
     * default {@link #lookupUser(int)} of a 4-byte key (the array types). The caller holds the
     * kernel lock.
     */
    byte[] sysLookup(byte[] key) {
        return key.length == 4
                ? lookupUser(java.nio.ByteBuffer.wrap(key).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt())
                : null;
    }

    /**
     * The per-type part of map_lookup_and_delete_elem() (v6.12): a queue's or stack's
     * map_pop_elem, a hash map's map_lookup_and_delete_elem; every other type -ENOTSUPP. On 0 the
     * value is in {@code out[0]}; -ENOENT when there is none. The caller holds the kernel lock.
     */
    int sysLookupAndDelete(byte[] key, byte[][] out) {
        return org.bpfosgi.errno.Errno.ENOTSUPP.negative();
    }

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
