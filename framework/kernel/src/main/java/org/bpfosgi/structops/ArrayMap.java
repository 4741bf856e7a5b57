package org.bpfosgi.structops;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.vm.BpfMapOps;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Region;

/**
 * Models {@code BPF_MAP_TYPE_ARRAY} (kernel/bpf/arraymap.c, {@code array_map_ops}): {@code
 * max_entries} values of {@code elem_size = round_up(value_size, 8)} bytes, allocated and zeroed
 * when the map is created, indexed by a u32 key. As array_map_alloc() lays it out, one region
 * is the {@code struct bpf_array} and its values: element 0 at
 * {@code offsetof(struct bpf_array, value)} from the map's address (BpfMapLayout), which is what
 * array_map_gen_lookup()'s inlined {@code r1 += offsetof(struct bpf_array, value)} relies on. Elements always exist: lookups past the end
 * return NULL, updates with BPF_NOEXIST fail with -EEXIST, deletes with -EINVAL. The values
 * live in one region of the kernel address space, so the pointer a lookup returns (and a
 * BPF_PSEUDO_MAP_VALUE load of a single-element array) is an address the program reads and
 * writes directly. Global data ({@code .data}, {@code .rodata}, {@code .bss}) are such arrays
 * with one element.
 */
public final class ArrayMap extends BpfMap implements BpfMapOps {
    /** BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK (include/uapi/linux/bpf.h). */
    static final long BPF_NOEXIST = 1;
    static final long BPF_EXIST = 2;
    static final long BPF_F_LOCK = 4;
    /** INT_MAX: array_map_alloc_check() refuses larger value sizes (round_up would overflow). */
    private static final long INT_MAX = Integer.MAX_VALUE;
    /**
     * The model's bound on one map's storage (the kernel's is what vmalloc can find, -ENOMEM
     * beyond): larger arrays are refused with -ENOMEM as a failed bpf_map_area_alloc().
     */
    static final long MODEL_MAX_STORAGE = 1L << 27;

    private final int elemSize;
    /** The {@code struct bpf_array} with its values (the map's self region). */
    private Region values;
    /** offsetof(struct bpf_array, value). */
    private int valueOff;

    ArrayMap(int id, MapCreateAttr attr) {
        super(id, attr);
        this.elemSize = (int) roundUp8(Integer.toUnsignedLong(attr.valueSize()));
    }

    static long roundUp8(long v) {
        return (v + 7) & ~7L;
    }

    /**
     * Models array_map_alloc_check() (v6.12) for BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY: max_entries &gt; 0, key_size
     * 4, value_size &gt; 0, only ARRAY_CREATE_FLAG_MASK flags (BPF_F_NUMA_NODE, BPF_F_MMAPABLE,
     * the access flags, BPF_F_PRESERVE_ELEMS, BPF_F_INNER_MAP) and not both RDONLY_PROG and
     * WRONLY_PROG (-EINVAL); BPF_F_PRESERVE_ELEMS only for perf event arrays (-EINVAL);
     * value_size above INT_MAX -E2BIG. A per-cpu array: no BPF_F_NUMA_NODE, BPF_F_MMAPABLE or
     * BPF_F_INNER_MAP (-EINVAL), round_up(value_size, 8) at most PCPU_MIN_UNIT_SIZE (-E2BIG).
     */
    static int allocCheck(MapCreateAttr attr) {
        boolean percpu = attr.type() == BpfMapType.PERCPU_ARRAY;
        int mask = MapCreateAttr.BPF_F_NUMA_NODE | MapCreateAttr.BPF_F_MMAPABLE | MapCreateAttr.BPF_F_ACCESS_MASK
                | MapCreateAttr.BPF_F_PRESERVE_ELEMS | MapCreateAttr.BPF_F_INNER_MAP;
        // bpf_map_attr_numa_node(): BPF_F_NUMA_NODE names a node (the model's attr has no numa_node: 0)
        boolean numaNode = (attr.flags() & MapCreateAttr.BPF_F_NUMA_NODE) != 0;
        if (attr.maxEntries() == 0 || attr.keySize() != 4 || attr.valueSize() == 0 || (attr.flags() & ~mask) != 0
                || !MapCreateAttr.flagsAccessOk(attr.flags()) || (percpu && numaNode)) {
            return Errno.EINVAL.negative();
        }
        if (attr.type() != BpfMapType.ARRAY && (attr.flags() & (MapCreateAttr.BPF_F_MMAPABLE | MapCreateAttr.BPF_F_INNER_MAP)) != 0) {
            return Errno.EINVAL.negative();
        }
        if ((attr.flags() & MapCreateAttr.BPF_F_PRESERVE_ELEMS) != 0) {
            return Errno.EINVAL.negative();
        }
        if (Integer.toUnsignedLong(attr.valueSize()) > INT_MAX) {
            return Errno.E2BIG.negative();
        }
        // "percpu map value size is bound by PCPU_MIN_UNIT_SIZE"
        if (percpu && roundUp8(Integer.toUnsignedLong(attr.valueSize())) > PCPU_MIN_UNIT_SIZE) {
            return Errno.E2BIG.negative();
        }
        return 0;
    }

    /** PCPU_MIN_UNIT_SIZE (include/linux/percpu.h): 32 KiB. */
    static final long PCPU_MIN_UNIT_SIZE = 32 << 10;

    /**
     * Models array_map_alloc()'s allocation: {@code sizeof(struct bpf_array)} (=
     * offsetof(struct bpf_array, value)) plus max_entries * elem_size zeroed bytes (-ENOMEM if
     * they cannot be had), which is the map's {@code struct bpf_map} as well (the values are
     * writable, so the region is; the verifier lets no program store through a map_ptr). The
     * header gets elem_size and index_mask (MapTable.create() writes the struct bpf_map fields).
     */
    @Override
    int allocStorage(Memory m, org.bpfosgi.verifier.BpfMapLayout layout) {
        valueOff = layout.arrayValueOffset();
        long size = Integer.toUnsignedLong(attr().maxEntries()) * elemSize;
        if (size > MODEL_MAX_STORAGE) {
            return Errno.ENOMEM.negative();
        }
        values = m.allocate("struct bpf_array " + id() + " (" + name() + ") with its values", (int) (valueOff + size),
                Region.Access.READ_WRITE, this);
        setSelf(values);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(values.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        putU32(b, layout.offset("bpf_array", "elem_size"), elemSize);
        // array_map_alloc(): index_mask = (1 << fls_long(max_entries - 1)) - 1
        long n = Integer.toUnsignedLong(attr().maxEntries()) - 1;
        putU32(b, layout.offset("bpf_array", "index_mask"), (int) ((1L << (n == 0 ? 0 : 64 - Long.numberOfLeadingZeros(n))) - 1));
        return 0;
    }

    @Override
    List<Region> storage() {
        return List.of(); // the values are in the self region, freed with it
    }

    @Override
    public String opsName() {
        return "array_map_ops";
    }

    public int maxEntries() {
        return attr().maxEntries();
    }

    public int valueSize() {
        return attr().valueSize();
    }

    /** The address of element {@code index}'s value, or 0 past the end (array_map_lookup_elem()). */
    public long elemAddr(long index) {
        if (Long.compareUnsigned(index, Integer.toUnsignedLong(attr().maxEntries())) >= 0) {
            return 0;
        }
        return values.start() + valueOff + index * elemSize;
    }

    /** Models array_map_lookup_elem(): the u32 key read from the program's memory. */
    @Override
    public long lookupElem(Memory m, long keyAddr) {
        return elemAddr(m.ld32(keyAddr));
    }

    /**
     * Models array_map_update_elem(): unknown flags -EINVAL, an index past the end -E2BIG,
     * BPF_NOEXIST -EEXIST (every element exists), BPF_F_LOCK without a spin lock -EINVAL; then
     * value_size bytes are copied in.
     */
    @Override
    public long updateElem(Memory m, long keyAddr, long valueAddr, long flags) {
        long index = m.ld32(keyAddr);
        int r = checkUpdate(index, flags);
        if (r < 0) {
            return r;
        }
        updateValue(this, m, elemAddr(index), m.read(valueAddr, attr().valueSize()));
        return 0;
    }

    private int checkUpdate(long index, long flags) {
        if ((flags & ~BPF_F_LOCK) > BPF_EXIST) {
            return Errno.EINVAL.negative();
        }
        if (index >= Integer.toUnsignedLong(attr().maxEntries())) {
            return Errno.E2BIG.negative();
        }
        if ((flags & BPF_NOEXIST) != 0) {
            return Errno.EEXIST.negative();
        }
        if ((flags & BPF_F_LOCK) != 0) {
            return Errno.EINVAL.negative();
        }
        return 0;
    }

    /** Models array_map_delete_elem(): -EINVAL, elements cannot be deleted. */
    @Override
    public long deleteElem(Memory m, long keyAddr) {
        return Errno.EINVAL.negative();
    }

    @Override
    int sysUpdate(byte[] key, byte[] value, long flags, Memory m) {
        return updateUser(key, value, flags, m);
    }

    /** BPF_MAP_UPDATE_ELEM from user space (the value's bytes; the caller holds the kernel lock). */
    int updateUser(byte[] key, byte[] value, long flags, Memory m) {
        long index = Integer.toUnsignedLong(ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).getInt());
        int r = checkUpdate(index, flags);
        if (r < 0) {
            return r;
        }
        updateValue(this, m, elemAddr(index), value);
        return 0;
    }

    /**
     * The copy of array_map_update_elem() (v6.12): copy_map_value() around the special fields,
     * then bpf_obj_free_fields() of the element — an update releases the kptrs the element held.
     * bpf_percpu_array_update() does the same for each CPU's copy ({@link PercpuArrayMap}).
     */
    static void updateValue(BpfMap map, Memory m, long val, byte[] value) {
        BpfObjFreeFields.copyMapValue(m, map.record(), val, value);
        if (map.kernel() != null) {
            BpfObjFreeFields.free(map.kernel(), map.record(), val);
        }
    }

    /** BPF_MAP_LOOKUP_ELEM from user space: a copy of the value, or null (-ENOENT) past the end. */
    @Override
    public byte[] lookupUser(int key) {
        long a = elemAddr(Integer.toUnsignedLong(key));
        if (a == 0) {
            return null;
        }
        byte[] out = new byte[attr().valueSize()];
        System.arraycopy(values.bytes(), (int) (a - values.start()), out, 0, out.length);
        // bpf_map_copy_value(): copy_map_value(), then check_and_init_map_value() zeroes the kptrs
        return BpfObjFreeFields.initMapValue(record(), out);
    }

    /**
     * Models array_map_direct_value_addr(): only a single-element array (-ENOTSUPP), the offset
     * inside the value (-EINVAL); 0 when {@link #directValueBase()} + off may be loaded.
     */
    @Override
    public int directValueAddr(int off) {
        if (attr().maxEntries() != 1) {
            return Errno.ENOTSUPP.negative();
        }
        if (Integer.toUnsignedLong(off) >= Integer.toUnsignedLong(attr().valueSize())) {
            return Errno.EINVAL.negative();
        }
        return 0;
    }

    @Override
    public long directValueBase() {
        return values.start() + valueOff;
    }

    @Override
    public boolean hasDirectValueAddr() {
        return true;
    }

    /** A copy of the value storage (element i at i * round_up(value_size, 8)). */
    byte[] bytes() {
        return java.util.Arrays.copyOfRange(values.bytes(), valueOff, values.size());
    }

    /** Models array_map_free(): bpf_obj_free_fields() of every element when the value has special fields. */
    @Override
    void mapFree() {
        if (values == null || record() == null || kernel() == null) {
            return;
        }
        synchronized (kernel().lock()) {
            for (long i = 0; i < Integer.toUnsignedLong(attr().maxEntries()); i++) {
                BpfObjFreeFields.free(kernel(), record(), elemAddr(i));
            }
        }
    }
}
