package org.bpfosgi.structops;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.vm.BpfMapOps;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Region;

/**
 * Models {@code BPF_MAP_TYPE_QUEUE} and {@code BPF_MAP_TYPE_STACK} (kernel/bpf/queue_stack_maps.c
 * v6.12, {@code queue_map_ops} / {@code stack_map_ops}): a {@code struct bpf_queue_stack} whose
 * {@code elements} are a ring of {@code size = max_entries + 1} values; {@code head} is where the
 * next push goes, {@code tail} the oldest element, the ring is empty when they are equal and full
 * when {@code head + 1} (wrapped) is {@code tail}. A queue pops and peeks at {@code tail} (FIFO), a
 * stack at {@code head - 1} (LIFO). There is no key (key_size 0): lookup gives NULL, update and
 * delete -EINVAL; the values are reached only through push/pop/peek, which copy
 * {@code value_size} bytes from or into the caller's buffer. The struct and its elements are one
 * region of kernel memory (what queue_stack_map_alloc() allocates), head/tail/size kept at their
 * offsets in it (the running kernel's BTF's, else v6.12's x86-64 ones), so a program reading them
 * through a map_ptr (check_ptr_to_map_access()) sees the kernel's values. The built-in vmlinux BTF
 * does not declare {@code struct bpf_queue_stack} (a new type there would renumber the built-in
 * subsystems' BTF ids), so on it such a read is refused ("map_ptr access not supported for map
 * type 22"); on the real vmlinux BTF it is checked as the kernel checks it.
 */
public final class QueueStackMap extends BpfMap implements BpfMapOps {
    /** QUEUE_STACK_CREATE_FLAG_MASK: BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK. */
    static final int CREATE_FLAG_MASK = MapCreateAttr.BPF_F_NUMA_NODE | MapCreateAttr.BPF_F_ACCESS_MASK;
    /** v6.12 x86-64 offsets in struct bpf_queue_stack (used when the BTF lacks the struct). */
    private static final int V612_HEAD = 252;
    private static final int V612_TAIL = 256;
    private static final int V612_SIZE = 260;
    private static final int V612_ELEMENTS = 264;

    private final boolean stack;
    private final int valueSize;
    /** {@code qs->size}: max_entries + 1. */
    private final long size;
    private Region qs;
    private int headOff;
    private int tailOff;
    private int sizeOff;
    private int elementsOff;
    private long head;
    private long tail;

    QueueStackMap(int id, MapCreateAttr attr) {
        super(id, attr);
        this.stack = attr.type() == BpfMapType.STACK;
        this.valueSize = attr.valueSize();
        this.size = Integer.toUnsignedLong(attr.maxEntries()) + 1;
    }

    /**
     * Models queue_stack_map_alloc_check() (v6.12): bpf_capable() (the model's loader is root);
     * max_entries 0, key_size not 0, value_size 0, a flag outside QUEUE_STACK_CREATE_FLAG_MASK or
     * both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG: -EINVAL; value_size above KMALLOC_MAX_SIZE:
     * -E2BIG.
     */
    static int allocCheck(MapCreateAttr attr) {
        if (attr.maxEntries() == 0 || attr.keySize() != 0 || attr.valueSize() == 0
                || (attr.flags() & ~CREATE_FLAG_MASK) != 0 || !MapCreateAttr.flagsAccessOk(attr.flags())) {
            return Errno.EINVAL.negative();
        }
        if (Integer.toUnsignedLong(attr.valueSize()) > HtabMap.KMALLOC_MAX_SIZE) {
            return Errno.E2BIG.negative();
        }
        return 0;
    }

    /**
     * Models queue_stack_map_alloc(): {@code sizeof(*qs) + (max_entries + 1) * value_size} bytes
     * from bpf_map_area_alloc() (-ENOMEM when they cannot be had: past the model's bound), which
     * are the map's {@code struct bpf_map} as well; {@code qs->size = max_entries + 1}.
     */
    @Override
    int allocStorage(Memory m, org.bpfosgi.verifier.BpfMapLayout layout) {
        elementsOff = off(layout, "elements", V612_ELEMENTS);
        headOff = off(layout, "head", V612_HEAD);
        tailOff = off(layout, "tail", V612_TAIL);
        sizeOff = off(layout, "size", V612_SIZE);
        long total = elementsOff + size * Integer.toUnsignedLong(valueSize);
        if (total > ArrayMap.MODEL_MAX_STORAGE) {
            return Errno.ENOMEM.negative();
        }
        qs = m.allocate("struct bpf_queue_stack " + id() + " (" + name() + ") with its elements", (int) total,
                Region.Access.READ_ONLY, this);
        setSelf(qs);
        writeIndexes();
        return 0;
    }

    private static int off(org.bpfosgi.verifier.BpfMapLayout layout, String member, int fallback) {
        int o = layout.offset("bpf_queue_stack", member);
        return o < 0 ? fallback : o;
    }

    private void writeIndexes() {
        ByteBuffer b = ByteBuffer.wrap(qs.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        putU32(b, headOff, (int) head);
        putU32(b, tailOff, (int) tail);
        putU32(b, sizeOff, (int) size);
    }

    @Override
    List<Region> storage() {
        return List.of(); // the elements are in the self region, freed with it
    }

    @Override
    public String opsName() {
        return stack ? "stack_map_ops" : "queue_map_ops";
    }

    /** queue_stack_map_is_empty(). */
    private boolean isEmpty() {
        return head == tail;
    }

    /** queue_stack_map_is_full(). */
    private boolean isFull() {
        long h = head + 1;
        if (h >= size) {
            h = 0;
        }
        return h == tail;
    }

    /** The number of elements. */
    public synchronized int count() {
        return (int) ((head - tail + size) % size);
    }

    private int elem(long index) {
        return (int) (elementsOff + index * valueSize);
    }

    /**
     * Models queue_stack_map_push_elem(): BPF_NOEXIST or a flag above BPF_EXIST -EINVAL; a full
     * map -E2BIG, unless BPF_EXIST, which first drops the oldest element (tail advances); then the
     * value is copied in at head and head advances.
     */
    /**
     * bpf_map_update_value(): map->ops->map_push_elem (the key is NULL: key_size 0); BPF_F_LOCK
     * without a spin lock is -EINVAL as push's own flag check gives.
     */
    @Override
    int sysUpdate(byte[] key, byte[] value, long flags, Memory m) {
        return push(value, flags);
    }

    /** bpf_map_copy_value(): map->ops->map_peek_elem. */
    @Override
    byte[] sysLookup(byte[] key) {
        return get(false);
    }

    /** map_lookup_and_delete_elem(): map->ops->map_pop_elem. */
    @Override
    int sysLookupAndDelete(byte[] key, byte[][] out) {
        byte[] v = get(true);
        if (v == null) {
            return Errno.ENOENT.negative();
        }
        out[0] = v;
        return 0;
    }

    synchronized int push(byte[] value, long flags) {
        boolean replace = (flags & ArrayMap.BPF_EXIST) != 0;
        if ((flags & ArrayMap.BPF_NOEXIST) != 0 || Long.compareUnsigned(flags, ArrayMap.BPF_EXIST) > 0) {
            return Errno.EINVAL.negative();
        }
        if (isFull()) {
            if (!replace) {
                return Errno.E2BIG.negative();
            }
            if (++tail >= size) {
                tail = 0;
            }
        }
        System.arraycopy(value, 0, qs.bytes(), elem(head), valueSize);
        if (++head >= size) {
            head = 0;
        }
        writeIndexes();
        return 0;
    }

    /**
     * Models __queue_map_get() / __stack_map_get(): an empty map zeroes the value and gives
     * -ENOENT (null here); otherwise the element at tail (queue) or head - 1 (stack) is copied
     * out, and with {@code delete} removed.
     */
    synchronized byte[] get(boolean delete) {
        if (isEmpty()) {
            return null;
        }
        long index;
        if (stack) {
            index = head - 1;
            if (index < 0 || index >= size) {
                index = size - 1;
            }
        } else {
            index = tail;
        }
        byte[] out = new byte[valueSize];
        System.arraycopy(qs.bytes(), elem(index), out, 0, valueSize);
        if (delete) {
            if (stack) {
                head = index;
            } else if (++tail >= size) {
                tail = 0;
            }
            writeIndexes();
        }
        return out;
    }

    /** The program side of pop/peek: the element into {@code valueAddr}, or zeroes and -ENOENT. */
    private long getInto(Memory m, long valueAddr, boolean delete) {
        byte[] v = get(delete);
        if (v == null) {
            m.write(valueAddr, new byte[valueSize]); // memset(value, 0, qs->map.value_size)
            return Errno.ENOENT.negative();
        }
        m.write(valueAddr, v);
        return 0;
    }

    /** Models queue_stack_map_lookup_elem(): NULL. */
    @Override
    public long lookupElem(Memory m, long keyAddr) {
        return 0;
    }

    /** Models queue_stack_map_update_elem(): -EINVAL. */
    @Override
    public long updateElem(Memory m, long keyAddr, long valueAddr, long flags) {
        return Errno.EINVAL.negative();
    }

    /** Models queue_stack_map_delete_elem(): -EINVAL. */
    @Override
    public long deleteElem(Memory m, long keyAddr) {
        return Errno.EINVAL.negative();
    }

    /** Models queue_stack_map_push_elem() called from a program: the value read from its memory. */
    @Override
    public long pushElem(Memory m, long valueAddr, long flags) {
        return push(m.read(valueAddr, valueSize), flags);
    }

    /** Models queue_map_pop_elem() / stack_map_pop_elem(). */
    @Override
    public long popElem(Memory m, long valueAddr) {
        return getInto(m, valueAddr, true);
    }

    /** Models queue_map_peek_elem() / stack_map_peek_elem(). */
    @Override
    public long peekElem(Memory m, long valueAddr) {
        return getInto(m, valueAddr, false);
    }

    /** BPF_MAP_LOOKUP_ELEM from user space: map_peek_elem (bpf_map_copy_value()); null for -ENOENT. */
    @Override
    public byte[] lookupUser(int key) {
        return get(false);
    }

    /** Models queue_stack_map_free(): the area goes with the self region. */
    @Override
    void mapFree() {
    }
}
