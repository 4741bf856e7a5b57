package org.bpfosgi.structops;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.vm.BpfMapOps;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Region;

/**
 * Models {@code BPF_MAP_TYPE_HASH} (kernel/bpf/hashtab.c, {@code htab_map_ops}) with its
 * default preallocation: all {@code max_entries} elements are allocated when the map is created
 * and taken from / returned to a free list by update and delete, plus one extra element that an
 * update of an existing key swaps in (the kernel keeps one per CPU: {@code extra_elems}). So a
 * value pointer a program got from a lookup stays valid memory after the element is deleted or
 * replaced (it then shows the old or a reused element), as in the kernel; it never faults.
 * BPF_F_NO_PREALLOC maps are modelled the same way (the difference is only when memory is
 * taken, and whether an element may be reused before an RCU grace period). An element is laid
 * out as a {@code struct htab_elem}: the key at {@code offsetof(struct htab_elem, key)}, the
 * value after the key rounded up to 8, which is what htab_map_gen_lookup()'s inlined
 * {@code r0 += offsetof(struct htab_elem, key) + round_up(key_size, 8)} relies on.
 */
public final class HtabMap extends BpfMap implements BpfMapOps {
    /** KMALLOC_MAX_SIZE on x86-64 (1 &lt;&lt; (PAGE_SHIFT + MAX_PAGE_ORDER) = 4 MiB). */
    static final long KMALLOC_MAX_SIZE = 1L << 22;
    /** sizeof(struct htab_elem) on x86-64. */
    static final long HTAB_ELEM_SIZE = 48;

    private final int keySize;
    private final int valueSize;
    private final int keyRounded;
    /** BPF_MAP_TYPE_PERCPU_HASH: the element holds a per-cpu pointer to round_up(value_size, 8) bytes per CPU. */
    private final boolean percpu;
    /** A per-cpu hash map's values of CPU 0, one round_up(value_size, 8) slice per element. */
    private Region pcpu;
    /** offsetof(struct htab_elem, key), from the kernel's BTF when the storage is allocated. */
    private int keyOff;
    private int elemSize;
    private final int slots;
    private Region elems;
    private final java.util.HashMap<ByteBuffer, Integer> index = new java.util.HashMap<>();
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    /** BPF_MAP_TYPE_LRU_HASH: the elements' LRU (htab->lru), null for other tables. */
    private BpfLru lru;
    /** The key of each slot in the table (an LRU eviction unlinks by element), null when free. */
    private ByteBuffer[] slotKey;
    /** offsetof(struct htab_elem, lru_node) + offsetof(struct bpf_lru_node, ref). */
    private int lruRefOff;

    HtabMap(int id, MapCreateAttr attr) {
        super(id, attr);
        this.keySize = attr.keySize();
        this.valueSize = attr.valueSize();
        this.keyRounded = (int) ArrayMap.roundUp8(keySize);
        this.percpu = attr.type() == BpfMapType.PERCPU_HASH || attr.type() == BpfMapType.LRU_PERCPU_HASH;
        // alloc_extra_elems(): only a non-per-cpu, non-LRU table has the spare element; a
        // BPF_F_NO_COMMON_LRU table rounds max_entries to a multiple of num_possible_cpus(): 1 here
        this.slots = percpu || isLru() ? attr.maxEntries() : attr.maxEntries() + 1;
    }

    /**
     * Models htab_map_alloc_check() (v6.12) for BPF_MAP_TYPE_HASH and PERCPU_HASH (a per-cpu one:
     * no BPF_F_NUMA_NODE, -EINVAL; round_up(value_size, 8) at most PCPU_MIN_UNIT_SIZE, -E2BIG, after
     * the KMALLOC_MAX_SIZE check): BPF_F_ZERO_SEED needs
     * CAP_SYS_ADMIN (root here); only HTAB_CREATE_FLAG_MASK flags (BPF_F_NO_PREALLOC,
     * BPF_F_NO_COMMON_LRU, BPF_F_NUMA_NODE, the access flags, BPF_F_ZERO_SEED) and not both
     * RDONLY_PROG and WRONLY_PROG (-EINVAL); BPF_F_NO_COMMON_LRU only for LRU maps (-EINVAL);
     * max_entries, key_size and value_size non-zero (-EINVAL); key_size + value_size below
     * KMALLOC_MAX_SIZE - sizeof(struct htab_elem) (-E2BIG). Then htab_map_alloc(): more than
     * 2^31 entries -E2BIG.
     */
    static int allocCheck(MapCreateAttr attr) {
        boolean lru = attr.type() == BpfMapType.LRU_HASH || attr.type() == BpfMapType.LRU_PERCPU_HASH;
        int mask = MapCreateAttr.BPF_F_NO_PREALLOC | MapCreateAttr.BPF_F_NO_COMMON_LRU | MapCreateAttr.BPF_F_NUMA_NODE
                | MapCreateAttr.BPF_F_ACCESS_MASK | MapCreateAttr.BPF_F_ZERO_SEED;
        if ((attr.flags() & ~mask) != 0 || !MapCreateAttr.flagsAccessOk(attr.flags())) {
            return Errno.EINVAL.negative();
        }
        boolean percpuLru = (attr.flags() & MapCreateAttr.BPF_F_NO_COMMON_LRU) != 0;
        if (!lru && percpuLru) {
            return Errno.EINVAL.negative();
        }
        // "if (lru && !prealloc) return -ENOTSUPP;"
        if (lru && (attr.flags() & MapCreateAttr.BPF_F_NO_PREALLOC) != 0) {
            return Errno.ENOTSUPP.negative();
        }
        boolean percpu = attr.type() == BpfMapType.PERCPU_HASH || attr.type() == BpfMapType.LRU_PERCPU_HASH;
        // numa_node != NUMA_NO_NODE && (percpu || percpu_lru) (the model's attr has no numa_node: the flag names node 0)
        if ((percpu || percpuLru) && (attr.flags() & MapCreateAttr.BPF_F_NUMA_NODE) != 0) {
            return Errno.EINVAL.negative();
        }
        if (attr.maxEntries() == 0 || attr.keySize() == 0 || attr.valueSize() == 0) {
            return Errno.EINVAL.negative();
        }
        if (Integer.toUnsignedLong(attr.keySize()) + Integer.toUnsignedLong(attr.valueSize())
                >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) {
            return Errno.E2BIG.negative();
        }
        // "percpu map value size is bound by PCPU_MIN_UNIT_SIZE"
        if (percpu && ArrayMap.roundUp8(Integer.toUnsignedLong(attr.valueSize())) > ArrayMap.PCPU_MIN_UNIT_SIZE) {
            return Errno.E2BIG.negative();
        }
        if (Integer.toUnsignedLong(attr.maxEntries()) > 1L << 31) {
            return Errno.E2BIG.negative();
        }
        return 0;
    }

    /**
     * Models prealloc_init(): every element allocated up front (-ENOMEM if they cannot be had),
     * {@code htab->elem_size = sizeof(struct htab_elem) + round_up(key_size, 8) +
     * round_up(value_size, 8)} bytes each.
     */
    @Override
    int allocStorage(Memory m, org.bpfosgi.verifier.BpfMapLayout layout) {
        keyOff = layout.htabElemKeyOffset();
        // htab->elem_size: the value, or for a per-cpu table the per-cpu pointer (sizeof(void *))
        elemSize = keyOff + keyRounded + (percpu ? 8 : (int) ArrayMap.roundUp8(valueSize));
        long size = (long) slots * elemSize;
        long pcpuSize = percpu ? (long) slots * ArrayMap.roundUp8(valueSize) * org.bpfosgi.vm.PerCpu.NR_CPU_IDS : 0;
        if (size > ArrayMap.MODEL_MAX_STORAGE || pcpuSize > ArrayMap.MODEL_MAX_STORAGE) {
            return Errno.ENOMEM.negative();
        }
        elems = m.allocate("hash map " + id() + " (" + name() + ") elements", (int) size, Region.Access.READ_WRITE);
        if (percpu) {
            // prealloc_init(): each element's bpf_map_alloc_percpu(round_up(value_size, 8)), its pointer
            // stored where a value would be (htab_elem_set_ptr())
            pcpu = m.allocate("per-cpu hash map " + id() + " (" + name() + ") values of CPU 0", (int) pcpuSize,
                    Region.Access.READ_WRITE);
            long base = org.bpfosgi.vm.PerCpu.offset(m, 0);
            for (int i = 0; i < slots; i++) {
                m.st64(valueAddr(i), pcpuValue(i) - base);
            }
        }
        if (isLru()) {
            // prealloc_init(): bpf_lru_populate() of max_entries elements, no free list
            lruRefOff = layout.htabElemLruRefOffset();
            slotKey = new ByteBuffer[slots];
            lru = new BpfLru((attr().flags() & MapCreateAttr.BPF_F_NO_COMMON_LRU) != 0, slots, new BpfLru.Nodes() {
                @Override
                public boolean isRef(int node) {
                    return m.ld8(elemAddr(node) + lruRefOff) != 0;
                }

                @Override
                public void clearRef(int node) {
                    m.st8(elemAddr(node) + lruRefOff, 0);
                }

                @Override
                public boolean delFromHtab(int node) {
                    return lruDeleteNode(node);
                }
            });
            return 0;
        }
        for (int i = 0; i < slots; i++) {
            free.add(i);
        }
        return 0;
    }

    private boolean isLru() {
        return attr().type() == BpfMapType.LRU_HASH || attr().type() == BpfMapType.LRU_PERCPU_HASH;
    }

    /**
     * Models __htab_lru_percpu_map_update_elem() (v6.12): flags above BPF_EXIST -EINVAL; unless
     * BPF_EXIST, prealloc_lru_pop() takes an element first (-ENOMEM if none); check_flags()
     * (-EEXIST, -ENOENT); an existing element is marked referenced and updated in place
     * (pcpu_copy_value()), else the new one gets the value (pcpu_init_value()) and is linked; an
     * unused new element goes back with bpf_lru_push_free().
     */
    private int lruPercpuUpdate(byte[] key, byte[] value, long flags, Memory m) {
        if (Long.compareUnsigned(flags, ArrayMap.BPF_EXIST) > 0) {
            return Errno.EINVAL.negative();
        }
        int slot = -1;
        if (flags != ArrayMap.BPF_EXIST) {
            slot = lru.popFree();
            if (slot < 0) {
                return Errno.ENOMEM.negative();
            }
            m.write(elemAddr(slot) + keyOff, key);
        }
        ByteBuffer k = ByteBuffer.wrap(key.clone());
        Integer old = index.get(k);
        int ret = 0;
        if (old != null && flags == ArrayMap.BPF_NOEXIST) {
            ret = Errno.EEXIST.negative();
        } else if (old == null && flags == ArrayMap.BPF_EXIST) {
            ret = Errno.ENOENT.negative();
        } else if (old != null) {
            m.st8(elemAddr(old) + lruRefOff, 1); // bpf_lru_node_set_ref(&l_old->lru_node)
            pcpuCopyValue(m, old, value);
        } else {
            pcpuCopyValue(m, slot, value); // pcpu_init_value()
            index.put(k, slot);
            slotKey[slot] = k;
            slot = -1;
        }
        if (slot >= 0) {
            lru.pushFree(slot);
        }
        return ret;
    }

    /**
     * Models htab_lru_map_delete_node(): the LRU evicts the element in {@code slot}: unlinked from
     * its bucket (check_and_free_fields()), true; false if it is not in the table.
     */
    private boolean lruDeleteNode(int slot) {
        ByteBuffer k = slotKey[slot];
        if (k == null || !Integer.valueOf(slot).equals(index.get(k))) {
            return false;
        }
        index.remove(k);
        slotKey[slot] = null;
        freeFields(slot);
        return true;
    }

    /** htab_lru_push_free(): check_and_free_fields(), the element back to the LRU. */
    private void lruPushFree(int slot) {
        freeFields(slot);
        lru.pushFree(slot);
    }

    /**
     * Models htab_lru_map_update_elem() (v6.12): flags above BPF_EXIST (BPF_F_LOCK too) -EINVAL;
     * prealloc_lru_pop() takes an element first (bpf_lru_pop_free(), which may evict the least
     * recently used ones; none: -ENOMEM) and the value is copied in; then check_flags() (-EEXIST,
     * -ENOENT), on failure the new element goes back (htab_lru_push_free()); else it is linked,
     * marked referenced if it replaces an old one, and the old one goes back to the LRU.
     */
    private int lruUpdate(byte[] key, byte[] value, long flags, Memory m) {
        if (Long.compareUnsigned(flags, ArrayMap.BPF_EXIST) > 0) {
            return Errno.EINVAL.negative();
        }
        int slot = lru.popFree();
        if (slot < 0) {
            return Errno.ENOMEM.negative();
        }
        long base = elemAddr(slot) + keyOff;
        m.write(base, key);
        BpfObjFreeFields.copyMapValue(m, record(), base + keyRounded, value);
        ByteBuffer k = ByteBuffer.wrap(key.clone());
        Integer old = index.get(k);
        int ret = 0;
        if (old != null && flags == ArrayMap.BPF_NOEXIST) {
            ret = Errno.EEXIST.negative();
        } else if (old == null && flags == ArrayMap.BPF_EXIST) {
            ret = Errno.ENOENT.negative();
        }
        if (ret != 0) {
            lruPushFree(slot);
            return ret;
        }
        index.put(k, slot);
        slotKey[slot] = k;
        if (old != null) {
            m.st8(elemAddr(slot) + lruRefOff, 1); // bpf_lru_node_set_ref(&l_new->lru_node)
            slotKey[old] = null;
            lruPushFree(old);
        }
        return 0;
    }

    @Override
    List<Region> storage() {
        if (elems == null) {
            return List.of();
        }
        return pcpu == null ? List.of(elems) : List.of(elems, pcpu);
    }

    /** CPU 0's value of the per-cpu element in {@code slot}: per_cpu_ptr(htab_elem_get_ptr(l, key_size), 0). */
    private long pcpuValue(int slot) {
        return pcpu.start() + slot * ArrayMap.roundUp8(valueSize);
    }

    /** What a program's lookup gives for the element in {@code slot}: its value, or (per-cpu) this CPU's. */
    private long progValue(int slot) {
        return percpu ? pcpuValue(slot) : valueAddr(slot);
    }

    private long elemAddr(int slot) {
        return elems.start() + (long) slot * elemSize;
    }

    private long valueAddr(int slot) {
        return elemAddr(slot) + keyOff + keyRounded;
    }

    @Override
    public String opsName() {
        if (isLru()) {
            return percpu ? "htab_lru_percpu_map_ops" : "htab_lru_map_ops";
        }
        return percpu ? "htab_percpu_map_ops" : "htab_map_ops";
    }

    /**
     * Models htab_map_lookup_elem(): __htab_map_lookup_elem(), then the value's address, or 0;
     * htab_percpu_map_lookup_elem(): this_cpu_ptr() of the element's per-cpu pointer.
     */
    @Override
    public long lookupElem(Memory m, long keyAddr) {
        Integer slot = index.get(ByteBuffer.wrap(m.read(keyAddr, keySize)));
        if (slot != null && lru != null && m.ld8(elemAddr(slot) + lruRefOff) == 0) {
            // htab_lru_map_lookup_elem(): __htab_lru_map_lookup_elem(map, key, true), bpf_lru_node_set_ref()
            m.st8(elemAddr(slot) + lruRefOff, 1);
        }
        return slot == null ? 0 : progValue(slot);
    }

    /** Models htab_percpu_map_lookup_percpu_elem(): NULL for cpu &gt;= nr_cpu_ids or a missing key. */
    @Override
    public long lookupPercpuElem(Memory m, long keyAddr, long cpu) {
        if (!percpu) {
            throw new UnsupportedOperationException("htab_map_ops has no map_lookup_percpu_elem");
        }
        if ((cpu & 0xffffffffL) >= org.bpfosgi.vm.PerCpu.NR_CPU_IDS) {
            return 0;
        }
        return lookupElem(m, keyAddr);
    }

    /** Models __htab_map_lookup_elem(): the element's address ({@code struct htab_elem *}), or 0. */
    @Override
    public long htabLookupElem(Memory m, long keyAddr) {
        Integer slot = index.get(ByteBuffer.wrap(m.read(keyAddr, keySize)));
        return slot == null ? 0 : elemAddr(slot);
    }

    /**
     * Models htab_map_update_elem() with a preallocated table: unknown flags -EINVAL; BPF_F_LOCK
     * without a spin lock in the value -EINVAL; check_flags(): an existing key with BPF_NOEXIST
     * -EEXIST, a missing one with BPF_EXIST -ENOENT; a new key when all max_entries elements are
     * in use -E2BIG. The new value goes into a fresh element that replaces the old one.
     */
    @Override
    public long updateElem(Memory m, long keyAddr, long valueAddr, long flags) {
        if (percpu) {
            return percpuUpdate(m.read(keyAddr, keySize), m.read(valueAddr, valueSize), flags, m);
        }
        return update(m.read(keyAddr, keySize), m.read(valueAddr, valueSize), flags, m);
    }

    /**
     * Models __htab_percpu_map_update_elem() (v6.12, preallocated): flags above BPF_EXIST -EINVAL;
     * check_flags() (-EEXIST, -ENOENT); an existing element is updated in place
     * (pcpu_copy_value()), a new one taken from the free list (-E2BIG when none is left: a
     * per-cpu table has no extra element) with pcpu_init_value(): the value on this CPU (from a
     * program) or each CPU's from its slice of the buffer (from user space, {@code value} then
     * round_up(value_size, 8) bytes per CPU), the other CPUs' zeroed. The model has one CPU.
     */
    int percpuUpdate(byte[] key, byte[] value, long flags, Memory m) {
        if (lru != null) {
            return lruPercpuUpdate(key, value, flags, m);
        }
        if (Long.compareUnsigned(flags, ArrayMap.BPF_EXIST) > 0) {
            return Errno.EINVAL.negative();
        }
        ByteBuffer k = ByteBuffer.wrap(key.clone());
        Integer old = index.get(k);
        if (old != null && flags == ArrayMap.BPF_NOEXIST) {
            return Errno.EEXIST.negative();
        }
        if (old == null && flags == ArrayMap.BPF_EXIST) {
            return Errno.ENOENT.negative();
        }
        int slot;
        if (old != null) {
            slot = old;
        } else {
            Integer s = free.poll();
            if (s == null) {
                return Errno.E2BIG.negative();
            }
            slot = s;
            m.write(elemAddr(slot) + keyOff, key);
            index.put(k, slot);
        }
        pcpuCopyValue(m, slot, value); // pcpu_copy_value() in place, or alloc_htab_elem()'s pcpu_init_value()
        return 0;
    }

    /**
     * pcpu_copy_value() / pcpu_init_value() (v6.12) on the model's one CPU: copy_map_value() (or
     * copy_map_value_long()) of value_size bytes around the special fields, which are not freed
     * here (an in-place update keeps the element's kptrs; a new element's are already clear).
     * A later kernel's pcpu_copy_value() (a 2025 patch after v6.12) adds bpf_obj_free_fields()
     * after each copy; v6.12 has not.
     */
    private void pcpuCopyValue(Memory m, int slot, byte[] value) {
        BpfObjFreeFields.copyMapValue(m, record(), pcpuValue(slot), java.util.Arrays.copyOf(value, valueSize));
    }

    @Override
    int sysUpdate(byte[] key, byte[] value, long flags, Memory m) {
        return update(key, value, flags, m);
    }

    @Override
    int sysDelete(byte[] key) {
        return delete(key);
    }

    @Override
    byte[] sysLookup(byte[] key) {
        return lookupUser(key);
    }

    /** htab_map_lookup_and_delete_elem() and its per-cpu/LRU variants: the value copied out, then the element deleted. */
    @Override
    int sysLookupAndDelete(byte[] key, byte[][] out) {
        byte[] v = lookupUser(key);
        if (v == null) {
            return Errno.ENOENT.negative();
        }
        delete(key);
        out[0] = v;
        return 0;
    }

    int update(byte[] key, byte[] value, long flags, Memory m) {
        if (percpu) {
            return percpuUpdate(key, value, flags, m);
        }
        if (lru != null) {
            return lruUpdate(key, value, flags, m);
        }
        if ((flags & ~ArrayMap.BPF_F_LOCK) > ArrayMap.BPF_EXIST) {
            return Errno.EINVAL.negative();
        }
        if ((flags & ArrayMap.BPF_F_LOCK) != 0) {
            return Errno.EINVAL.negative();
        }
        ByteBuffer k = ByteBuffer.wrap(key.clone());
        Integer old = index.get(k);
        if (old != null && (flags & ArrayMap.BPF_NOEXIST) != 0) {
            return Errno.EEXIST.negative();
        }
        if (old == null && (flags & ArrayMap.BPF_EXIST) != 0) {
            return Errno.ENOENT.negative();
        }
        if (old == null && index.size() >= attr().maxEntries()) {
            return Errno.E2BIG.negative();
        }
        int slot = free.poll();
        long base = elemAddr(slot) + keyOff;
        m.write(base, key);
        // alloc_htab_elem(): copy_map_value() (a free element's special fields are already clear)
        BpfObjFreeFields.copyMapValue(m, record(), base + keyRounded, value);
        index.put(k, slot);
        if (old != null) {
            // htab_map_update_elem(): check_and_free_fields() of the replaced preallocated element
            freeFields(old);
            free.add(old);
        }
        return 0;
    }

    /** Models htab_map_delete_elem(): -ENOENT for a missing key; the element goes back to the free list. */
    @Override
    public long deleteElem(Memory m, long keyAddr) {
        return delete(m.read(keyAddr, keySize));
    }

    int delete(byte[] key) {
        Integer slot = index.remove(ByteBuffer.wrap(key));
        if (slot == null) {
            return Errno.ENOENT.negative();
        }
        if (lru != null) {
            // htab_lru_map_delete_elem(): unlinked, then htab_lru_push_free()
            slotKey[slot] = null;
            lruPushFree(slot);
            return 0;
        }
        // free_htab_elem(): check_and_free_fields()
        freeFields(slot);
        free.add(slot);
        return 0;
    }

    /** BPF_MAP_LOOKUP_ELEM from user space with a 4-byte key (little-endian), null for -ENOENT. */
    @Override
    public byte[] lookupUser(int key) {
        byte[] k = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(key).array();
        return lookupUser(k);
    }

    /** BPF_MAP_LOOKUP_ELEM from user space: a copy of the value, or null for -ENOENT. */
    public byte[] lookupUser(byte[] key) {
        if (key.length != keySize) {
            return null;
        }
        Integer slot = index.get(ByteBuffer.wrap(key));
        if (slot == null) {
            return null;
        }
        if (percpu) {
            // bpf_percpu_hash_copy(): round_up(value_size, 8) bytes for each possible CPU
            byte[] out = new byte[userValueSize()];
            System.arraycopy(pcpu.bytes(), (int) (pcpuValue(slot) - pcpu.start()), out, 0, valueSize);
            return BpfObjFreeFields.initMapValue(record(), out); // check_and_init_map_value() of CPU 0's copy
        }
        byte[] out = new byte[valueSize];
        System.arraycopy(elems.bytes(), (int) (valueAddr(slot) - elems.start()), out, 0, valueSize);
        return BpfObjFreeFields.initMapValue(record(), out);
    }

    /** bpf_map_value_size(): round_up(value_size, 8) per possible CPU for a per-cpu table. */
    @Override
    int userValueSize() {
        return percpu ? (int) ArrayMap.roundUp8(valueSize) * org.bpfosgi.vm.PerCpu.NR_CPU_IDS : valueSize;
    }

    /** The number of elements. */
    public int size() {
        return index.size();
    }

    /**
     * check_and_free_fields() (v6.12): bpf_obj_free_fields() of the element's value, or for a
     * per-cpu table of each possible CPU's copy (the model's one: CPU 0). The caller holds the
     * kernel lock.
     */
    private void freeFields(int slot) {
        if (kernel() != null) {
            BpfObjFreeFields.free(kernel(), record(), percpu ? pcpuValue(slot) : valueAddr(slot));
        }
    }

    /**
     * Models htab_map_free() of a preallocated table: htab_free_prealloced_fields() of every
     * element (per CPU for a per-cpu table; a free element's fields are already clear, so only the
     * linked ones are visited).
     */
    @Override
    void mapFree() {
        if (elems != null && record() != null && kernel() != null) {
            synchronized (kernel().lock()) {
                for (int slot : index.values()) {
                    freeFields(slot);
                }
            }
        }
        index.clear();
    }
}
