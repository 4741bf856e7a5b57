package org.bpfosgi.structops;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.bpfosgi.errno.Errno;

/**
 * The map table: kernel/bpf/syscall.c map_create() (the type's map_alloc_check and map_alloc,
 * then bpf_map_alloc_id()), the {@code map_idr} with ids allocated cyclically from 1, and
 * bpf_map_put() freeing a map with its last reference.
 */
public final class MapTable {
    private final StructOpsKernel kernel;
    private final TreeMap<Integer, BpfMap> idr = new TreeMap<>();
    private final Set<Integer> reserved = new HashSet<>();
    private int nextId = 1;
    /** The model's {@code struct bpf_map_ops} instances (kernel rodata), by variable name. */
    private final java.util.Map<String, org.bpfosgi.vm.Region> opsTables = new java.util.HashMap<>();

    /**
     * The address of {@code map->ops}: the map type's {@code struct bpf_map_ops} (htab_map_ops,
     * array_map_ops, ...), made once, read-only, its map_lookup_elem / map_update_elem /
     * map_delete_elem members the functions' kallsyms addresses (members the BTF lacks, and the
     * model's other ops, stay 0). Called with the kernel lock held.
     */
    private long opsAddress(BpfMap map, org.bpfosgi.verifier.BpfMapLayout layout) {
        org.bpfosgi.verifier.MapOps ops = org.bpfosgi.verifier.MapOps.of(map.type().value());
        if (ops == null) {
            return 0;
        }
        org.bpfosgi.verifier.Kallsyms ks = kernel.progs().structOps().kallsyms();
        return opsTables.computeIfAbsent(ops.name(), n -> {
            org.bpfosgi.vm.Region r = kernel.memory().allocate("struct bpf_map_ops " + n, layout.structSize("bpf_map_ops", 64),
                    org.bpfosgi.vm.Region.Access.READ_ONLY);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            String[][] members = {{"map_lookup_elem", ops.mapLookupElem()}, {"map_update_elem", ops.mapUpdateElem()},
                {"map_delete_elem", ops.mapDeleteElem()}, {"map_push_elem", ops.mapPushElem()},
                {"map_pop_elem", ops.mapPopElem()}, {"map_peek_elem", ops.mapPeekElem()},
                {"map_lookup_percpu_elem", ops.mapLookupPercpuElem()}};
            for (String[] m : members) {
                int off = layout.offset("bpf_map_ops", m[0]);
                if (off >= 0 && off + 8 <= r.size() && m[1] != null) {
                    b.putLong(off, ks.lookupName(m[1]));
                }
            }
            return r;
        }).start();
    }

    /** The kernel's map struct layout: its vmlinux BTF's (the compile-time offsetof()s). */
    private org.bpfosgi.verifier.BpfMapLayout layout() {
        return new org.bpfosgi.verifier.BpfMapLayout(kernel.progs().btfs().vmlinuxBtf());
    }

    /** Changes whenever a map is created or freed (what a tail call can reach changes). */
    private volatile long generation;

    MapTable(StructOpsKernel kernel) {
        this.kernel = kernel;
    }

    /** What BPF_MAP_CREATE returns: the map, or a negative errno. */
    public record CreateResult(BpfMap map, int err) {
        public boolean ok() {
            return map != null;
        }
    }

    private synchronized int allocId() {
        while (idr.containsKey(nextId) || reserved.contains(nextId)) {
            nextId = nextId == Integer.MAX_VALUE - 1 ? 1 : nextId + 1;
        }
        int id = nextId;
        nextId = nextId == Integer.MAX_VALUE - 1 ? 1 : nextId + 1;
        reserved.add(id);
        return id;
    }

    private synchronized void unreserve(int id) {
        reserved.remove(id);
        if (nextId == id + 1 || (id == Integer.MAX_VALUE - 1 && nextId == 1)) {
            nextId = id;
        }
    }

    /**
     * Models map_create() (v6.12) in its order of checks: btf_vmlinux_value_type_id and a key
     * type id without a value type id (-EINVAL), bpf_get_file_flag() (-EINVAL), the type's
     * map_alloc_check and map_alloc, then the name (bpf_obj_name_cpy(), -EINVAL: after the
     * allocation, so a bad attribute's errno wins over a bad name's; the map is freed again),
     * the BTF, then the id. As with programs, the id is reserved first so that the holder of a
     * module reference taken by map_alloc is named after it; a failed create gives it back.
     */
    public CreateResult create(MapCreateAttr attr) {
        // btf_vmlinux_value_type_id only for struct_ops maps without key/value ids (any other map
        // type with it is -EINVAL too); a key type id needs a value type id
        if (attr.btfVmlinuxValueTypeId() != 0 && (attr.type() != BpfMapType.STRUCT_OPS
                || attr.btfKeyTypeId() != 0 || attr.btfValueTypeId() != 0)) {
            return new CreateResult(null, Errno.EINVAL.negative());
        }
        if (attr.btfVmlinuxValueTypeId() == 0 && attr.btfKeyTypeId() != 0 && attr.btfValueTypeId() == 0) {
            return new CreateResult(null, Errno.EINVAL.negative());
        }
        // bpf_get_file_flag(): BPF_F_RDONLY and BPF_F_WRONLY together are -EINVAL
        if ((attr.flags() & (MapCreateAttr.BPF_F_RDONLY | MapCreateAttr.BPF_F_WRONLY))
                == (MapCreateAttr.BPF_F_RDONLY | MapCreateAttr.BPF_F_WRONLY)) {
            return new CreateResult(null, Errno.EINVAL.negative());
        }
        int check = switch (attr.type()) {
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH -> HtabMap.allocCheck(attr);
            case ARRAY, PERCPU_ARRAY -> ArrayMap.allocCheck(attr);
            case PROG_ARRAY -> ProgArrayMap.allocCheck(attr);
            case QUEUE, STACK -> QueueStackMap.allocCheck(attr);
            case STRUCT_OPS -> StructOpsMap.allocCheck(attr);
        };
        if (check < 0) {
            return new CreateResult(null, check);
        }
        int id = allocId();
        BpfMap map;
        int[] err = {0};
        if (attr.type() == BpfMapType.PROG_ARRAY) {
            map = new ProgArrayMap(id, attr, kernel);
        } else if (attr.type() != BpfMapType.STRUCT_OPS) {
            map = switch (attr.type()) {
                case ARRAY -> new ArrayMap(id, attr);
                case PERCPU_ARRAY -> new PercpuArrayMap(id, attr);
                case QUEUE, STACK -> new QueueStackMap(id, attr);
                default -> new HtabMap(id, attr);
            };
            synchronized (kernel.lock()) {
                err[0] = map.allocStorage(kernel.memory(), layout());
            }
            if (err[0] < 0) {
                map = null;
            }
        } else {
            map = StructOpsMap.alloc(id, attr, kernel, err);
        }
        if (map == null) {
            unreserve(id);
            return new CreateResult(null, err[0]);
        }
        map.setKernel(kernel);
        if (!validName(attr.name())) {
            freeUncreated(map, id); // free_map: map->ops->map_free()
            return new CreateResult(null, Errno.EINVAL.negative());
        }
        if (attr.type() != BpfMapType.STRUCT_OPS && (attr.btfKeyTypeId() != 0 || attr.btfValueTypeId() != 0)) {
            int e = mapCreateBtf(map, attr);
            if (e < 0) {
                freeUncreated(map, id);
                return new CreateResult(null, e);
            }
        }
        org.bpfosgi.verifier.BpfMapLayout layout = layout();
        synchronized (kernel.lock()) {
            if (!map.hasSelf()) {
                // the map's struct: sizeof the struct its ops' map_btf_id names (struct bpf_htab for a
                // hash), as much as check_ptr_to_map_access() lets a program read
                String struct = map.btfStructName();
                int size = Math.max(64, struct == null ? 0 : layout.structSize(struct, 0));
                map.setSelf(kernel.memory().allocate("struct bpf_map " + id + " (" + attr.name() + ")", size,
                        org.bpfosgi.vm.Region.Access.READ_ONLY, map));
            }
            map.writeHeader(map.self(), layout, opsAddress(map, layout));
        }
        synchronized (this) {
            reserved.remove(id);
            idr.put(id, map);
            generation++;
        }
        return new CreateResult(map, 0);
    }

    /**
     * The BTF block of map_create() (v6.12): btf_get_by_fd(attr->btf_fd) (-EBADF: no BTF, or a
     * freed one), btf_is_kernel() (-EACCES), map->btf, then map_check_btf() when there is a
     * value type id ({@link MapCheckBtf}). On failure the BTF reference is put.
     */
    private int mapCreateBtf(BpfMap map, MapCreateAttr attr) {
        org.bpfosgi.btf.BtfObject btf = attr.btf();
        org.bpfosgi.btf.BtfRegistry btfs = kernel.progs().btfs();
        org.bpfosgi.btf.BtfObject got = btf == null ? null : btfs.getById(btf.id()).orElse(null);
        if (btf == null || got != btf) {
            if (got != null) {
                btfs.btfPut(got); // the id now names another object: put the reference getById() took
            }
            return Errno.EBADF.negative();
        }
        if (btf.isKernel()) {
            btfs.btfPut(btf);
            return Errno.EACCES.negative();
        }
        org.bpfosgi.verifier.BtfRecord rec = null;
        if (attr.btfValueTypeId() != 0) {
            MapCheckBtf.Result r = MapCheckBtf.check(map, attr, kernel.progs().services());
            if (r.err() < 0) {
                btfs.btfPut(btf);
                return r.err();
            }
            rec = r.record();
        }
        map.setBtf(btf, rec);
        return 0;
    }

    /** map_create()'s free_map: map_free of a map that got no id, its memory, the reserved id. */
    private void freeUncreated(BpfMap map, int id) {
        map.mapFree();
        synchronized (kernel.lock()) {
            if (map.hasSelf()) {
                kernel.memory().free(map.self()); // an array's struct bpf_array with its values
            }
            map.storage().forEach(kernel.memory()::free);
        }
        unreserve(id);
    }

    /** bpf_obj_name_cpy(): at most 15 characters of isalnum, '_' and '.'. */
    private static boolean validName(String n) {
        if (n.length() > 15) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** A counter that changes whenever a map is created or freed. */
    long generation() {
        return generation;
    }

    public synchronized Optional<BpfMap> get(int id) {
        return Optional.ofNullable(idr.get(id));
    }

    public synchronized List<BpfMap> list() {
        return new ArrayList<>(idr.values());
    }

    /** bpf_map_inc(). */
    public void inc(BpfMap m) {
        m.inc();
    }

    /** Models bpf_map_put(): the last reference frees the id (bpf_map_free_id()) and then the map (map_free). */
    public void put(BpfMap m) {
        if (!m.dec()) {
            return;
        }
        synchronized (this) {
            idr.remove(m.id(), m);
            generation++;
        }
        // bpf_map_free(): map_free (which frees the values' special fields: bpf_obj_free_fields()),
        // then btf_record_free(map->record) and btf_put(map->btf)
        m.mapFree();
        synchronized (kernel.lock()) {
            kernel.memory().free(m.self());
            m.storage().forEach(kernel.memory()::free);
        }
        if (m.btf() != null) {
            org.bpfosgi.verifier.BtfParseFields.free(m.record(), kernel.progs().btfs(), kernel.modules(), "map " + m.id());
            kernel.progs().btfs().btfPut(m.btf());
        }
        m.markFreed();
    }

    /**
     * bpf_check()'s view: bpf_map_get(fd) (the model's fds are ids) with the reference
     * __add_used_map() takes; the program puts it when it is freed.
     */
    org.bpfosgi.verifier.VerifierMaps.UsedMap used(int fd) {
        BpfMap m = get(fd).orElse(null);
        if (m == null) {
            return null;
        }
        inc(m);
        return new org.bpfosgi.verifier.VerifierMaps.UsedMap() {
            @Override
            public int id() {
                return m.id();
            }

            @Override
            public int mapType() {
                return m.type().value();
            }

            @Override
            public long address() {
                return m.address();
            }

            @Override
            public int maxEntries() {
                return m.attr().maxEntries();
            }

            @Override
            public boolean progCompatible(org.bpfosgi.subsystem.BpfProgType type) {
                return !(m instanceof ProgArrayMap pa) || pa.compatible(type);
            }

            @Override
            public void put() {
                MapTable.this.put(m);
            }

            @Override
            public String name() {
                return m.name();
            }

            @Override
            public int keySize() {
                return m.attr().keySize();
            }

            @Override
            public int valueSize() {
                return m.attr().valueSize();
            }

            @Override
            public int mapFlags() {
                return m.attr().flags();
            }

            @Override
            public boolean frozen() {
                return m.frozen();
            }

            @Override
            public boolean hasDirectValueAddr() {
                return m.hasDirectValueAddr();
            }

            @Override
            public int directValueAddr(int off) {
                return m.directValueAddr(off);
            }

            @Override
            public long directValueBase() {
                return m.directValueBase();
            }

            @Override
            public boolean hasBtf() {
                return m.btf() != null;
            }

            @Override
            public org.bpfosgi.verifier.BtfRecord record() {
                return m.record();
            }

            @Override
            public byte[] directRead(int off, int size) {
                synchronized (kernel.lock()) {
                    return kernel.memory().read(m.directValueBase() + off, size);
                }
            }
        };
    }

    /**
     * Global data as libbpf creates it for an object's {@code .data}, {@code .rodata},
     * {@code .bss} (and {@code .kconfig}) sections (libbpf v1.5 bpf_object__init_internal_map(),
     * bpf_object__create_map() and bpf_object__populate_internal_map()): a
     * BPF_MAP_TYPE_ARRAY with key_size 4, value_size = the section's size and one element,
     * created with {@code flags} (libbpf passes BPF_F_RDONLY_PROG for .rodata/.kconfig and
     * BPF_F_MMAPABLE when the kernel has it), then element 0 set to {@code initialValue} (null
     * for .bss: the element stays zeroed), then, if {@code freeze} (libbpf freezes read-only
     * maps), BPF_MAP_FREEZE. A frozen BPF_F_RDONLY_PROG map is what the verifier reads constants
     * from (bpf_map_direct_read()). Instructions reach the value with ld_imm64
     * BPF_PSEUDO_MAP_VALUE, imm = the map's id (the model's fds are ids), second imm = offset.
     *
     * @param name         map_name (libbpf: the object name's prefix and the section, at most 15 characters)
     * @param valueSize    the section's size in bytes (value_size)
     * @param initialValue the section's bytes, or null to leave the value zeroed
     * @param flags        map_flags
     * @param freeze       whether to BPF_MAP_FREEZE after the update
     * @return the map (its {@link BpfMap#id()} is the fd to load), or the negative errno of the
     *         first step that failed (the map is then freed)
     */
    public CreateResult createGlobalData(String name, int valueSize, byte[] initialValue, int flags, boolean freeze) {
        if (initialValue != null && initialValue.length != valueSize) {
            return new CreateResult(null, Errno.EINVAL.negative());
        }
        CreateResult c = create(MapCreateAttr.of(BpfMapType.ARRAY, name, 4, valueSize, 1, flags));
        if (!c.ok()) {
            return c;
        }
        int r = 0;
        if (initialValue != null) {
            r = update(c.map().id(), new byte[4], initialValue, 0);
        }
        if (r == 0 && freeze) {
            r = freeze(c.map().id());
        }
        if (r < 0) {
            close(c.map().id());
            return new CreateResult(null, r);
        }
        return c;
    }

    /**
     * Models map_freeze() (BPF_MAP_FREEZE) for the model's maps: struct_ops maps -ENOTSUPP;
     * a map user space cannot write (BPF_F_RDONLY, or already frozen: map_get_sys_perms())
     * -EPERM; then -EBUSY if frozen (unreachable after the perms check, as in the kernel). No
     * mmap()ed writable mapping exists in the model, so bpf_map_write_active() is never true.
     */
    public int freeze(int id) {
        BpfMap m = get(id).orElse(null);
        if (m == null) {
            return Errno.EBADF.negative();
        }
        if (m.type() == BpfMapType.STRUCT_OPS) {
            return Errno.ENOTSUPP.negative();
        }
        synchronized (m) {
            if (m.frozen() || (m.attr().flags() & MapCreateAttr.BPF_F_RDONLY) != 0) {
                return Errno.EPERM.negative();
            }
            m.setFrozen();
        }
        return 0;
    }

    /**
     * Models map_update_elem() (BPF_MAP_UPDATE_ELEM) for array and hash maps: no such map
     * -EBADF; a map user space cannot write (BPF_F_RDONLY or frozen) -EPERM; a key or value of
     * the wrong size -EINVAL (the syscall copies exactly key_size and bpf_map_value_size() bytes —
     * round_up(value_size, 8) per CPU for a per-cpu map: the model's callers pass arrays); then the
     * type's update.
     */
    public int update(int id, byte[] key, byte[] value, long flags) {
        BpfMap m = get(id).orElse(null);
        if (m == null) {
            return Errno.EBADF.negative();
        }
        if (m.frozen() || (m.attr().flags() & MapCreateAttr.BPF_F_RDONLY) != 0) {
            return Errno.EPERM.negative();
        }
        if (key.length != m.attr().keySize() || value.length != m.userValueSize()) {
            return Errno.EINVAL.negative();
        }
        synchronized (kernel.lock()) {
            return m.sysUpdate(key, value, flags, kernel.memory());
        }
    }

    /**
     * Models map_lookup_and_delete_elem() (BPF_MAP_LOOKUP_AND_DELETE_ELEM, v6.12): flags other than
     * BPF_F_LOCK -EINVAL; no such map -EBADF; a map user space cannot both read and write
     * (BPF_F_RDONLY, BPF_F_WRONLY or frozen: map_get_sys_perms()) -EPERM; any flag for a queue or
     * stack -EINVAL; BPF_F_LOCK without a spin lock in the value (the model has none) -EINVAL; then
     * a queue's or stack's map_pop_elem (-ENOENT when empty), a hash map's
     * htab_map_lookup_and_delete_elem() / per-cpu one (-ENOENT for a missing key; the value, per CPU
     * for a per-cpu table, then the element freed); other types -ENOTSUPP (array maps have none).
     *
     * @param key the key (empty for a queue or stack: NULL)
     * @param out receives the value when the result is 0
     */
    public int lookupAndDelete(int id, byte[] key, long flags, byte[][] out) {
        if ((flags & ~ArrayMap.BPF_F_LOCK) != 0) {
            return Errno.EINVAL.negative();
        }
        BpfMap m = get(id).orElse(null);
        if (m == null) {
            return Errno.EBADF.negative();
        }
        int f = m.attr().flags();
        if (m.frozen() || (f & (MapCreateAttr.BPF_F_RDONLY | MapCreateAttr.BPF_F_WRONLY)) != 0) {
            return Errno.EPERM.negative();
        }
        if (flags != 0 && (m.type() == BpfMapType.QUEUE || m.type() == BpfMapType.STACK)) {
            return Errno.EINVAL.negative();
        }
        if ((flags & ArrayMap.BPF_F_LOCK) != 0) {
            return Errno.EINVAL.negative(); // !btf_record_has_field(map->record, BPF_SPIN_LOCK)
        }
        if (key.length != m.attr().keySize()) {
            return Errno.EINVAL.negative();
        }
        synchronized (kernel.lock()) {
            return m.sysLookupAndDelete(key, out);
        }
    }

    /**
     * Models map_lookup_elem() (BPF_MAP_LOOKUP_ELEM, v6.12) as far as the model has it: flags
     * other than BPF_F_LOCK -EINVAL; no such map -EBADF; BPF_F_WRONLY -EPERM; then
     * bpf_map_copy_value() (map_peek_elem for a queue or stack): the value, or -ENOENT.
     *
     * @param out receives the value when the result is 0
     */
    public int lookup(int id, byte[] key, long flags, byte[][] out) {
        if ((flags & ~ArrayMap.BPF_F_LOCK) != 0) {
            return Errno.EINVAL.negative();
        }
        BpfMap m = get(id).orElse(null);
        if (m == null) {
            return Errno.EBADF.negative();
        }
        if ((m.attr().flags() & MapCreateAttr.BPF_F_WRONLY) != 0) {
            return Errno.EPERM.negative();
        }
        if ((flags & ArrayMap.BPF_F_LOCK) != 0 || key.length != m.attr().keySize()) {
            return Errno.EINVAL.negative();
        }
        synchronized (kernel.lock()) {
            byte[] v = m.sysLookup(key);
            if (v == null) {
                return Errno.ENOENT.negative();
            }
            out[0] = v;
            return 0;
        }
    }

    /** Models map_delete_elem() (BPF_MAP_DELETE_ELEM) for array and hash maps, as update. */
    public int delete(int id, byte[] key) {
        BpfMap m = get(id).orElse(null);
        if (m == null) {
            return Errno.EBADF.negative();
        }
        if (m.frozen() || (m.attr().flags() & MapCreateAttr.BPF_F_RDONLY) != 0) {
            return Errno.EPERM.negative();
        }
        if (key.length != m.attr().keySize()) {
            return Errno.EINVAL.negative();
        }
        synchronized (kernel.lock()) {
            return m.sysDelete(key);
        }
    }

    /**
     * The user closes the reference BPF_MAP_CREATE gave (the model's one user reference, so
     * also {@code usercnt}'s last): -ENOENT for no such map, -EBADF when the user holds none any
     * more.
     */
    public int close(int id) {
        BpfMap m = get(id).orElse(null);
        if (m == null) {
            return Errno.ENOENT.negative();
        }
        if (!m.dropUserRef()) {
            return Errno.EBADF.negative();
        }
        // bpf_map_put_uref(): the last user reference releases a prog array's slots
        // (map_release_uref = prog_array_map_clear); links and programs hold refcnt, not usercnt
        if (m instanceof ProgArrayMap pa) {
            pa.clear();
        }
        put(m);
        return 0;
    }
}
