package org.bpfosgi.structops;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.vm.BpfMapOps;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.PerCpu;
import org.bpfosgi.vm.Region;

/**
 * Models {@code BPF_MAP_TYPE_PERCPU_ARRAY} (kernel/bpf/arraymap.c v6.12, {@code
 * percpu_array_map_ops}): a {@code struct bpf_array} whose {@code pptrs[i]} are per-cpu pointers,
 * each to {@code elem_size = round_up(value_size, 8)} zeroed bytes on every possible CPU
 * (bpf_array_alloc_percpu()). The model has one CPU ({@link PerCpu}): CPU 0's copies are one
 * region of kernel memory, and {@code pptrs[i]} is the per-cpu pointer whose CPU 0 copy is
 * element i ({@code address - __per_cpu_offset[0]}), so percpu_array_map_gen_lookup()'s inlined
 * {@code r0 = *(u64 *)(r1 + pptrs + 8 * index); r0 = &(void __percpu *)(r0)} reaches the same
 * value as percpu_array_map_lookup_elem(). A program sees its CPU's value; user space sees
 * {@code round_up(value_size, 8)} bytes per possible CPU (bpf_percpu_array_copy()).
 */
public final class PercpuArrayMap extends BpfMap implements BpfMapOps {
    private final int elemSize;
    /** The struct bpf_array with its pptrs (the map's self region). */
    private Region array;
    /** CPU 0's copies of the elements. */
    private Region cpu0;
    private int pptrsOff;
    private long indexMask;

    PercpuArrayMap(int id, MapCreateAttr attr) {
        super(id, attr);
        this.elemSize = (int) ArrayMap.roundUp8(Integer.toUnsignedLong(attr.valueSize()));
    }

    /**
     * Models array_map_alloc() for a per-cpu array: the struct bpf_array with max_entries
     * pointers, then bpf_array_alloc_percpu(): elem_size bytes per element and CPU (-ENOMEM when
     * they cannot be had: past the model's bound).
     */
    @Override
    int allocStorage(Memory m, org.bpfosgi.verifier.BpfMapLayout layout) {
        pptrsOff = layout.arrayValueOffset(); // offsetof(struct bpf_array, pptrs): the union with value
        long n = Integer.toUnsignedLong(attr().maxEntries());
        long values = n * elemSize * PerCpu.NR_CPU_IDS;
        if (pptrsOff + 8 * n > ArrayMap.MODEL_MAX_STORAGE || values > ArrayMap.MODEL_MAX_STORAGE) {
            return Errno.ENOMEM.negative();
        }
        array = m.allocate("struct bpf_array " + id() + " (" + name() + ") with its pptrs", (int) (pptrsOff + 8 * n),
                Region.Access.READ_ONLY, this);
        setSelf(array);
        cpu0 = m.allocate("per-cpu array " + id() + " (" + name() + ") values of CPU 0", (int) values, Region.Access.READ_WRITE);
        ByteBuffer b = ByteBuffer.wrap(array.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        putU32(b, layout.offset("bpf_array", "elem_size"), elemSize);
        long e = n - 1;
        indexMask = (1L << (e == 0 ? 0 : 64 - Long.numberOfLeadingZeros(e))) - 1;
        putU32(b, layout.offset("bpf_array", "index_mask"), (int) indexMask);
        long base = PerCpu.offset(m, 0);
        for (long i = 0; i < n; i++) {
            b.putLong((int) (pptrsOff + 8 * i), cpu0.start() + i * elemSize - base);
        }
        return 0;
    }

    @Override
    List<Region> storage() {
        return cpu0 == null ? List.of() : List.of(cpu0);
    }

    @Override
    public String opsName() {
        return "percpu_array_map_ops";
    }

    /** {@code per_cpu_ptr(array->pptrs[index & index_mask], cpu)}, or 0 past the end or for cpu &gt;= nr_cpu_ids. */
    private long elemAddr(long index, long cpu) {
        if (Long.compareUnsigned(index, Integer.toUnsignedLong(attr().maxEntries())) >= 0 || cpu >= PerCpu.NR_CPU_IDS) {
            return 0;
        }
        return cpu0.start() + (index & indexMask) * elemSize;
    }

    /** Models percpu_array_map_lookup_elem(): this_cpu_ptr() of the element, NULL past the end. */
    @Override
    public long lookupElem(Memory m, long keyAddr) {
        return elemAddr(m.ld32(keyAddr), 0);
    }

    /** Models percpu_array_map_lookup_percpu_elem(): NULL for cpu &gt;= nr_cpu_ids or past the end. */
    @Override
    public long lookupPercpuElem(Memory m, long keyAddr, long cpu) {
        long c = cpu & 0xffffffffL;
        if (c >= PerCpu.NR_CPU_IDS) {
            return 0;
        }
        return elemAddr(m.ld32(keyAddr), c);
    }

    /**
     * Models array_map_update_elem() for a per-cpu array: flags, index and BPF_NOEXIST as for an
     * array, then value_size bytes into this CPU's copy.
     */
    @Override
    public long updateElem(Memory m, long keyAddr, long valueAddr, long flags) {
        long index = m.ld32(keyAddr);
        if ((flags & ~ArrayMap.BPF_F_LOCK) > ArrayMap.BPF_EXIST) {
            return Errno.EINVAL.negative();
        }
        if (index >= Integer.toUnsignedLong(attr().maxEntries())) {
            return Errno.E2BIG.negative();
        }
        if ((flags & ArrayMap.BPF_NOEXIST) != 0) {
            return Errno.EEXIST.negative();
        }
        if ((flags & ArrayMap.BPF_F_LOCK) != 0) {
            return Errno.EINVAL.negative();
        }
        // this_cpu_ptr(): copy_map_value(), then bpf_obj_free_fields() of the element
        ArrayMap.updateValue(this, m, elemAddr(index, 0), m.read(valueAddr, attr().valueSize()));
        return 0;
    }

    /** Models array_map_delete_elem(): -EINVAL. */
    @Override
    public long deleteElem(Memory m, long keyAddr) {
        return Errno.EINVAL.negative();
    }

    /** bpf_map_value_size(): round_up(value_size, 8) per possible CPU. */
    @Override
    int userValueSize() {
        return elemSize * PerCpu.NR_CPU_IDS;
    }

    /** Models bpf_percpu_array_copy(): each possible CPU's value, round_up(value_size, 8) bytes apart; null past the end. */
    @Override
    public byte[] lookupUser(int key) {
        long a = elemAddr(Integer.toUnsignedLong(key), 0);
        if (a == 0) {
            return null;
        }
        byte[] out = new byte[userValueSize()];
        System.arraycopy(cpu0.bytes(), (int) (a - cpu0.start()), out, 0, attr().valueSize());
        // copy_map_value_long(), then check_and_init_map_value() of each CPU's copy
        return BpfObjFreeFields.initMapValue(record(), out);
    }

    /**
     * Models bpf_percpu_array_update(): flags above BPF_EXIST -EINVAL, an index past the end
     * -E2BIG, BPF_NOEXIST -EEXIST; then each CPU's value_size bytes from its slot of the buffer.
     */
    @Override
    int sysUpdate(byte[] key, byte[] value, long flags, Memory m) {
        return updateUser(key, value, flags, m);
    }

    int updateUser(byte[] key, byte[] value, long flags, Memory m) {
        long index = Integer.toUnsignedLong(ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (Long.compareUnsigned(flags, ArrayMap.BPF_EXIST) > 0) {
            return Errno.EINVAL.negative();
        }
        if (index >= Integer.toUnsignedLong(attr().maxEntries())) {
            return Errno.E2BIG.negative();
        }
        if (flags == ArrayMap.BPF_NOEXIST) {
            return Errno.EEXIST.negative();
        }
        // for each possible CPU: copy_map_value_long() of its slot, then bpf_obj_free_fields()
        ArrayMap.updateValue(this, m, elemAddr(index, 0), java.util.Arrays.copyOf(value, attr().valueSize()));
        return 0;
    }


    /**
     * Models array_map_free() of a per-cpu array (v6.12): with special fields, bpf_obj_free_fields()
     * of every element on each possible CPU (the model's one).
     */
    @Override
    void mapFree() {
        if (cpu0 == null || record() == null || kernel() == null) {
            return;
        }
        synchronized (kernel().lock()) {
            for (long i = 0; i < Integer.toUnsignedLong(attr().maxEntries()); i++) {
                BpfObjFreeFields.free(kernel(), record(), elemAddr(i, 0));
            }
        }
    }
}
