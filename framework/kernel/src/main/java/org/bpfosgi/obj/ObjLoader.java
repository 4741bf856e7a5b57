package org.bpfosgi.obj;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.LoaderException;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.structops.ProgArrayMap;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.structops.StructOpsMap;
import org.bpfosgi.structops.LinkTable;
import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.bpfosgi.btf.BtfObject;

/**
 * Loads an {@link ObjectText} the way libbpf's bpf_object__load() and a skeleton's attach do:
 * bpf_object__resolve_externs (an ELF object's, {@link OpenedObject#externs()}: its failures
 * come before anything else), bpf_map__init_kern_struct_ops (kernel types, each
 * member's program gets attach_btf_id = the kernel struct, expected_attach_type = the kernel
 * member index), the struct_ops autoload rules, bpf_object__sanitize_and_load_btf
 * ({@link SanitizeAndLoadBtf}), bpf_object__create_maps (the {@code .maps} maps, the global-data
 * maps, then the struct_ops maps, in index order; with the object's BTF: bpf_object__create_map),
 * bpf_object__load_progs (in order, stopping at the
 * first failure), bpf_object_init_prog_arrays, bpf_object_prepare_struct_ops (program ids in the
 * kernel value), then bpf_map__attach_struct_ops for every struct_ops map with autocreate and
 * autoattach (a map update; for a {@code .struct_ops.link} map also a link). Any failure unloads
 * what the call created ({@link #unload}) and reports libbpf's messages.
 */
public final class ObjLoader {
    private ObjLoader() {
    }

    /** A failed load: libbpf's messages and the errno. */
    public static final class ObjLoadException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int err;
        private final List<String> lines;

        ObjLoadException(int err, List<String> lines) {
            super(String.join("\n", lines), null, false, false);
            this.err = err;
            this.lines = List.copyOf(lines);
        }

        /** The negative errno. */
        public int err() {
            return err;
        }

        /** libbpf's warnings, then the verifier log if any. */
        public List<String> lines() {
            return lines;
        }
    }

    /** The kernel types a struct_ops variable resolved to. */
    private record KernType(BtfObject btf, String tname, int typeId, int valueId, int dataOff) {
    }

    /**
     * Loads and attaches.
     *
     * @param autoattach the struct_ops maps to attach (null: every one, as the skeleton does)
     */
    public static BpfObject load(ObjectText o, String name, Set<String> autoattach, StructOpsKernel k) {
        return load(o, name, autoattach, k, org.bpfosgi.prog.ProgTable.LoadOptions.DEFAULT);
    }

    /** {@link #load(ObjectText, String, Set, StructOpsKernel)} with every program loaded under {@code options}. */
    public static BpfObject load(ObjectText o, String name, Set<String> autoattach, StructOpsKernel k,
                                 org.bpfosgi.prog.ProgTable.LoadOptions options) {
        return load(o.toOpened(), name, autoattach, k, options);
    }

    /**
     * Loads and attaches an opened object: the project's object text
     * ({@link ObjectText#toOpened()}) or a clang-built ELF object
     * ({@link org.bpfosgi.obj.elf.ElfObject#toOpened()}); both go through the same steps.
     *
     * @param autoattach the struct_ops maps to attach (null: every one, as the skeleton does)
     */
    public static BpfObject load(OpenedObject o, String name, Set<String> autoattach, StructOpsKernel k) {
        return load(o, name, autoattach, k, org.bpfosgi.prog.ProgTable.LoadOptions.DEFAULT);
    }

    /** {@link #load(OpenedObject, String, Set, StructOpsKernel)} with every program loaded under {@code options}. */
    public static BpfObject load(OpenedObject o, String name, Set<String> autoattach, StructOpsKernel k,
                                 org.bpfosgi.prog.ProgTable.LoadOptions options) {
        BpfObject obj = new BpfObject(name);
        try {
            loadInto(o, obj, autoattach, k, options);
            return obj;
        } catch (ObjLoadException e) {
            unload(obj, k);
            List<String> lines = new ArrayList<>(obj.log);
            lines.addAll(e.lines());
            throw new ObjLoadException(e.err(), lines);
        }
    }

    /**
     * The first name in {@code autoattach} that names no struct_ops map of the object, if any.
     * Not a libbpf check: a skeleton attaches maps by field, so a misspelt name is a compile
     * error there; here it would leave that map unattached without a word, so the CLI and the
     * race DSL refuse it before anything is created.
     */
    public static java.util.Optional<String> unknownAutoattach(OpenedObject o, Set<String> autoattach) {
        if (autoattach == null) {
            return java.util.Optional.empty();
        }
        return autoattach.stream()
                .filter(m -> o.structOpsVars().stream().noneMatch(v -> v.name().equals(m)))
                .findFirst();
    }

    /** The error for {@link #unknownAutoattach}'s name, as obj load words it. */
    public static String unknownAutoattachMessage(String file, String map) {
        return "obj load: autoattach " + map + ": " + file + " has no struct_ops map '" + map + "'";
    }

    /**
     * A load refused before {@link #load} is reached, by the object's own checks (an ELF
     * object's bpf_object_load() endianness check): libbpf's warning line and the error.
     */
    public static ObjLoadException loadFailure(int err, String line) {
        return fail(err, line);
    }

    /** A load refused with several lines of libbpf's (bpf_object__resolve_externs()). */
    public static ObjLoadException loadFailure(int err, List<String> lines) {
        return new ObjLoadException(err, lines);
    }

    private static ObjLoadException fail(int err, String... lines) {
        return new ObjLoadException(err, List.of(lines));
    }

    /**
     * libbpf_strerror_r() of a kernel errno: strerror()'s text, as libbpf 1.5 prints it in "failed
     * to create: %s(%d)", "failed to set initial contents: %s" and the like (libbpf 1.6's errstr()
     * prints the symbol instead).
     */
    private static String strerror(int err) {
        Errno e = Errno.ofOrElse(-err, null);
        return e == null ? "Unknown error " + (-err) : e.description();
    }

    private static void loadInto(OpenedObject o, BpfObject obj, Set<String> autoattach, StructOpsKernel k,
                                 org.bpfosgi.prog.ProgTable.LoadOptions options) {
        Map<String, ObjectText.Function> funcs = new LinkedHashMap<>();
        for (ObjectText.Function f : o.functions()) {
            funcs.put(f.name(), f);
        }
        // bpf_object__resolve_externs(): the .kconfig image
        Map<String, byte[]> images = o.externs().resolve(k.progs().services());
        // bpf_object__init_kern_struct_ops_maps()
        Map<String, KernType> kernTypes = new LinkedHashMap<>();
        Map<String, String> progAttach = new LinkedHashMap<>(); // prog -> "type.member"
        Map<String, Integer> progTypeId = new LinkedHashMap<>();
        Map<String, Integer> progMemberIdx = new LinkedHashMap<>();
        Map<String, Boolean> referencedByCreated = new LinkedHashMap<>();
        Map<String, Map<Integer, byte[]>> kernData = new LinkedHashMap<>(); // var -> offset in kern_data -> bytes
        for (ObjectText.StructOpsVar v : o.structOpsVars()) {
            KernType kt = findKernTypes(v.type(), k);
            kernTypes.put(v.name(), kt);
            BtfType.Composite kst = (BtfType.Composite) kt.btf().btf().type(kt.typeId());
            kernData.put(v.name(), initKernData(v, kt, kst));
            boolean autocreate = !v.section().startsWith("?");
            for (Map.Entry<String, String> m : v.members().entrySet()) {
                ObjectText.Function f = funcs.get(m.getValue());
                if (f == null || f.isSubprog()) {
                    throw fail(Errno.EINVAL.negative(), "struct_ops reloc " + v.name() + ": cannot find prog " + m.getValue()
                            + " to relocate func ptr " + m.getKey());
                }
                if (!f.sec().startsWith("struct_ops")) {
                    throw fail(Errno.EINVAL.negative(), "struct_ops reloc " + v.name() + ": prog " + f.name()
                            + " is not struct_ops BPF program");
                }
                int idx = memberIndex(kt.btf().btf(), kst, m.getKey());
                if (idx < 0) {
                    throw fail(Errno.EOPNOTSUPP.negative(), "struct_ops init_kern " + v.name() + ": Cannot find member "
                            + m.getKey() + " in kernel BTF");
                }
                if (!isFuncPtr(kt.btf().btf(), kst.members().get(idx).type())) {
                    throw fail(Errno.EOPNOTSUPP.negative(), "struct_ops init_kern " + v.name() + ": kernel member "
                            + m.getKey() + " is not a func ptr");
                }
                Integer prevType = progTypeId.get(f.name());
                if (prevType != null && prevType != kt.typeId()) {
                    throw fail(Errno.EINVAL.negative(), "struct_ops init_kern " + v.name() + ": invalid reuse of prog "
                            + f.name() + " in sec " + f.section() + " with type " + kt.typeId() + ": attach_btf_id "
                            + prevType + " != kern_type_id " + kt.typeId());
                }
                Integer prevIdx = progMemberIdx.get(f.name());
                if (prevIdx != null && prevIdx != idx) {
                    throw fail(Errno.EINVAL.negative(), "struct_ops init_kern " + v.name() + ": invalid reuse of prog "
                            + f.name() + " in sec " + f.section() + " with type " + kt.typeId() + ": expected_attach_type "
                            + prevIdx + " != kern_member_idx " + idx);
                }
                progTypeId.put(f.name(), kt.typeId());
                progMemberIdx.put(f.name(), idx);
                progAttach.put(f.name(), kt.tname() + "." + m.getKey());
                referencedByCreated.merge(f.name(), autocreate, Boolean::logicalOr);
            }
        }
        // bpf_object__sanitize_and_load_btf()
        obj.btf = SanitizeAndLoadBtf.load(o, obj.name(), k, obj.log);
        // bpf_object__create_maps(): .maps first, then the struct_ops maps
        MapTable maps = k.maps();
        for (ObjectText.MapDef d : o.maps()) {
            MapCreateAttr attr = progArrayAttr(d);
            BpfMap m = createMap(maps, attr, obj, o.mapBtf(d.name()), d.name());
            obj.maps.put(d.name(), m);
            obj.created.add(new BpfObject.Created("map", m.id(), d.name()));
        }
        // the internal maps (.data, .rodata, .bss, .kconfig) come between them in libbpf's order
        for (OpenedObject.GlobalData g : o.globalData()) {
            byte[] image = images.getOrDefault(g.name(), g.initial());
            MapCreateAttr attr = MapCreateAttr.of(org.bpfosgi.structops.BpfMapType.ARRAY, kernName(g.name()), 4, image.length,
                    1, g.flags());
            BpfMap m = createMap(maps, attr, obj, o.mapBtf(g.name()), g.name());
            obj.maps.put(g.name(), m);
            obj.created.add(new BpfObject.Created("map", m.id(), g.name()));
            populateInternalMap(maps, m, g, image);
        }
        for (ObjectText.StructOpsVar v : o.structOpsVars()) {
            if (v.section().startsWith("?")) {
                continue; // autocreate false: "skipped auto-creating"
            }
            KernType kt = kernTypes.get(v.name());
            int size = ((BtfType.Composite) kt.btf().btf().type(kt.valueId())).size();
            int flags = (v.link() ? MapCreateAttr.BPF_F_LINK : 0) | (kt.btf().isModule() ? MapCreateAttr.BPF_F_VTYPE_BTF_OBJ_FD : 0);
            MapCreateAttr attr = new MapCreateAttr(org.bpfosgi.structops.BpfMapType.STRUCT_OPS, kernName(v.name()), 4, size, 1,
                    flags, kt.btf().isModule() ? kt.btf() : null, kt.valueId());
            MapTable.CreateResult r = maps.create(attr);
            if (!r.ok()) {
                throw fail(r.err(), "map '" + v.name() + "': failed to create: " + strerror(r.err()) + "(" + r.err() + ")");
            }
            obj.maps.put(v.name(), r.map());
            obj.created.add(new BpfObject.Created("map", r.map().id(), v.name()));
        }
        // bpf_object__load_progs()
        for (ObjectText.Function f : o.functions()) {
            if (f.isSubprog()) {
                continue;
            }
            boolean autoload = f.autoload();
            if (f.sec().startsWith("struct_ops") && referencedByCreated.containsKey(f.name())) {
                autoload = referencedByCreated.get(f.name()); // bpf_object_adjust_struct_ops_autoload()
            }
            if (!autoload) {
                continue;
            }
            if (f.sec().startsWith("struct_ops") && !progAttach.containsKey(f.name())) {
                throw fail(Errno.EINVAL.negative(), "prog '" + f.name() + "': SEC(\"struct_ops\") program isn't referenced anywhere, did you forget to use it?",
                        "prog '" + f.name() + "': failed to load: " + Errno.EINVAL.negative());
            }
            BpfProg p = loadProg(o, obj, f, Optional.ofNullable(progAttach.get(f.name())), k, options);
            obj.progs.put(f.name(), p);
            obj.created.add(new BpfObject.Created("prog", p.id(), f.name()));
        }
        // bpf_object_init_prog_arrays()
        for (ObjectText.MapDef d : o.maps()) {
            if (d.slots().isEmpty()) {
                continue;
            }
            if (!(obj.maps.get(d.name()) instanceof ProgArrayMap pa)) {
                throw fail(Errno.EINVAL.negative(), "map '" + d.name() + "': initial slots (.values) are for prog arrays");
            }
            for (Map.Entry<Integer, String> s : d.slots().entrySet()) {
                BpfProg p = obj.progs.get(s.getValue());
                if (p == null) {
                    throw fail(Errno.EINVAL.negative(), "map '" + d.name() + "': slot [" + s.getKey() + "] names '" + s.getValue()
                            + "', which is not a loaded program of the object");
                }
                int r = pa.update(s.getKey(), p.id(), 0);
                if (r < 0) {
                    throw fail(r, "map '" + d.name() + "': failed to initialize slot [" + s.getKey() + "] to prog '"
                            + s.getValue() + "' fd=" + p.id() + ": " + r);
                }
            }
        }
        // bpf_object_prepare_struct_ops(), then the skeleton's attach
        for (ObjectText.StructOpsVar v : o.structOpsVars()) {
            BpfMap m = obj.maps.get(v.name());
            if (m == null || (autoattach != null && !autoattach.contains(v.name()))) {
                continue;
            }
            KernType kt = kernTypes.get(v.name());
            byte[] value = new byte[m.attr().valueSize()];
            ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            BtfType.Composite kst = (BtfType.Composite) kt.btf().btf().type(kt.typeId());
            for (Map.Entry<Integer, byte[]> d : kernData.get(v.name()).entrySet()) {
                b.put(kt.dataOff() + d.getKey(), d.getValue()); // the data members, copied at open
            }
            for (Map.Entry<String, String> e : v.members().entrySet()) {
                int idx = memberIndex(kt.btf().btf(), kst, e.getKey());
                int off = kt.dataOff() + kst.members().get(idx).bitOffset(kst.kindFlag()) / 8;
                b.putLong(off, obj.progs.get(e.getValue()).id());
            }
            StructOpsMap st = (StructOpsMap) m;
            int r = st.update(0, value, 0);
            if (r < 0 && !(v.link() && r == Errno.EBUSY.negative())) {
                throw fail(r, "map '" + v.name() + "': failed to auto-attach: " + r);
            }
            if (!v.link()) {
                obj.registeredByUpdate.add(st);
                continue;
            }
            LinkTable.CreateResult l = k.links().create(st.id());
            if (!l.ok()) {
                throw fail(l.err(), "map '" + v.name() + "': failed to auto-attach: " + l.err());
            }
            obj.links.add(l.link());
            obj.created.add(new BpfObject.Created("link", l.link().id(), v.name()));
        }
    }

    /**
     * The data members of bpf_map__init_kern_struct_ops(): each non-pointer member's bytes are
     * copied into kern_data at the kernel member's offset (memcpy(kern_mdata, mdata, msize)); the
     * kernel's bpf_struct_ops_map_update_elem() then gives them to {@code init_member} or
     * requires them to be zero. The model has no local BTF: the variable is read with the kernel
     * type, so what libbpf checks between the two types (member missing: -ENOTSUP unless the
     * data is zero; a bitfield: -ENOTSUP; a different kind) becomes a check of the initializer
     * against the kernel member: a string for a char array no longer than the array (what the C
     * compiler accepts: a string that fills the array drops its NUL), an integer that fits an
     * integer or enum member.
     */
    private static Map<Integer, byte[]> initKernData(ObjectText.StructOpsVar v, KernType kt, BtfType.Composite kst) {
        Btf b = kt.btf().btf();
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, ObjectText.Datum> d : v.data().entrySet()) {
            String mname = d.getKey();
            int idx = memberIndex(b, kst, mname);
            boolean zero = d.getValue() instanceof ObjectText.Int i && i.value() == 0
                    || d.getValue() instanceof ObjectText.Bytes by && by.zero();
            if (idx < 0) {
                if (zero) {
                    continue; // libbpf_is_mem_zeroed(): a zero member the kernel lacks is skipped
                }
                throw fail(Errno.EOPNOTSUPP.negative(), "struct_ops init_kern " + v.name() + ": Cannot find member "
                        + mname + " in kernel BTF");
            }
            BtfType.Member km = kst.members().get(idx);
            if (km.bitfieldSize(kst.kindFlag()) != 0
                    || d.getValue() instanceof ObjectText.Bytes by && by.bitfield()) {
                throw fail(Errno.EOPNOTSUPP.negative(), "struct_ops init_kern " + v.name() + ": bitfield " + mname
                        + " is not supported");
            }
            int off = km.bitOffset(kst.kindFlag()) / 8;
            int mt = b.resolve(km.type());
            int msize = (int) b.resolveSize(mt);
            BtfType t = b.type(mt);
            if (d.getValue() instanceof ObjectText.Bytes by) {
                // an ELF object's bytes: the kinds must agree, then the sizes, then they are copied
                BtfKind lk = by.kind() == BtfKind.ENUM64 ? BtfKind.ENUM : by.kind();
                BtfKind kk = t.kind() == BtfKind.ENUM64 ? BtfKind.ENUM : t.kind();
                if (lk != kk) {
                    throw fail(Errno.EOPNOTSUPP.negative(), "struct_ops init_kern " + v.name() + ": Unmatched member type "
                            + mname + " " + by.kind().ordinal() + " != " + t.kind().ordinal() + "(kernel)");
                }
                if (by.data().length != msize) {
                    throw fail(Errno.EOPNOTSUPP.negative(), "struct_ops init_kern " + v.name() + ": Error in size of member "
                            + mname + ": " + by.data().length + " != " + msize + "(kernel)");
                }
                out.put(off, by.data());
                continue;
            }
            if (d.getValue() instanceof ObjectText.Str str) {
                boolean charArray = t instanceof BtfType.Array a
                        && b.type(b.resolve(a.type())) instanceof BtfType.Int e && e.size() == 1;
                if (!charArray) {
                    throw fail(Errno.EOPNOTSUPP.negative(), "struct_ops init_kern " + v.name() + ": member " + mname
                            + " is not a char array: a string cannot initialise it");
                }
                byte[] text = str.text().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                if (text.length > msize) {
                    throw fail(Errno.EINVAL.negative(), "struct_ops init_kern " + v.name() + ": member " + mname
                            + ": initializer-string for char array is too long (" + text.length + " > " + msize + ")");
                }
                out.put(off, java.util.Arrays.copyOf(text, msize));
                continue;
            }
            long val = ((ObjectText.Int) d.getValue()).value();
            if (!(t instanceof BtfType.Int || t instanceof BtfType.Enum || t instanceof BtfType.Enum64)) {
                throw fail(Errno.EOPNOTSUPP.negative(), "struct_ops init_kern " + v.name() + ": member " + mname
                        + " is not an integer: a number cannot initialise it");
            }
            if (msize < 8 && (val >= (1L << (8 * msize)) || val < -(1L << (8 * msize - 1)))) {
                throw fail(Errno.EINVAL.negative(), "struct_ops init_kern " + v.name() + ": member " + mname + ": "
                        + val + " does not fit in " + msize + " bytes");
            }
            byte[] bytes = new byte[msize];
            for (int i = 0; i < msize; i++) {
                bytes[i] = (byte) (val >>> (8 * i)); // little endian, as the x86-64 object
            }
            out.put(off, bytes);
        }
        return out;
    }

    /**
     * Models bpf_object__create_map() (libbpf 1.5) for the model's map types: with the object's
     * BTF loaded, btf_fd and the map's key/value type ids go with BPF_MAP_CREATE (map_create()
     * then runs map_check_btf(): a kptr in the value becomes the map's record); a failure with
     * type ids set is retried once without BTF after "Error in bpf_create_map_xattr(%s):%s(%d).
     * Retrying without BTF." (map_check_btf() refuses a kptr in a BPF_F_RDONLY_PROG map, -EACCES;
     * libbpf's strerror text). A failure after that: "map '%s': failed to create: %s(%d)".
     */
    private static BpfMap createMap(MapTable maps, MapCreateAttr attr, BpfObject obj, OpenedObject.MapBtf ids, String name) {
        MapCreateAttr a = obj.btf == null ? attr : attr.withBtf(obj.btf, ids.keyTypeId(), ids.valueTypeId());
        MapTable.CreateResult r = maps.create(a);
        if (!r.ok() && (a.btfKeyTypeId() != 0 || a.btfValueTypeId() != 0)) {
            obj.log.add("Error in bpf_create_map_xattr(" + name + "):" + strerror(r.err()) + "(" + r.err() + "). Retrying without BTF.");
            r = maps.create(attr);
        }
        if (!r.ok()) {
            throw fail(r.err(), "map '" + name + "': failed to create: " + strerror(r.err()) + "(" + r.err() + ")");
        }
        return r.map();
    }

    /**
     * Models bpf_object__populate_internal_map() (libbpf 1.5): the image at key 0, .rodata and
     * .kconfig frozen, then a BPF_F_MMAPABLE map re-mmap()ed over the image — which v6.12's
     * bpf_map_mmap() refuses for a map whose value has special fields (a record: a kptr in
     * .bss), -ENOTSUPP. bpf_object__create_maps() reports every failure here as the map's
     * "failed to create".
     */
    private static void populateInternalMap(MapTable maps, BpfMap m, OpenedObject.GlobalData g, byte[] image) {
        int u = maps.update(m.id(), new byte[4], image, 0);
        if (u < 0) {
            throw fail(u, "map '" + g.name() + "': failed to set initial contents: " + strerror(u),
                    "map '" + g.name() + "': failed to create: " + strerror(u) + "(" + u + ")");
        }
        if (g.readOnly()) {
            int fz = maps.freeze(m.id());
            if (fz < 0) {
                throw fail(fz, "map '" + g.name() + "': failed to freeze as read-only: " + strerror(fz),
                        "map '" + g.name() + "': failed to create: " + strerror(fz) + "(" + fz + ")");
            }
        }
        if ((g.flags() & MapCreateAttr.BPF_F_MMAPABLE) != 0 && m.record() != null && m.record().err() == 0) {
            int e = Errno.ENOTSUPP.negative();
            throw fail(e, "map '" + g.name() + "': failed to re-mmap() contents: " + e,
                    "map '" + g.name() + "': failed to create: " + strerror(e) + "(" + e + ")");
        }
    }

    /** libbpf passes the first 15 characters of a map's name to the kernel. */
    private static String kernName(String n) {
        return n.length() > 15 ? n.substring(0, 15) : n;
    }

    private static MapCreateAttr progArrayAttr(ObjectText.MapDef d) {
        Map<String, String> f = d.fields();
        for (String key : f.keySet()) {
            if (!List.of("type", "max_entries", "key_size", "value_size", "key", "value", "map_flags").contains(key)) {
                throw fail(Errno.EOPNOTSUPP.negative(), "map '" + d.name() + "': unknown field '" + key + "'.");
            }
        }
        String type = f.get("type");
        if (type == null) {
            throw fail(Errno.EINVAL.negative(), "map '" + d.name() + "': map type isn't specified.");
        }
        org.bpfosgi.structops.BpfMapType t = switch (type) {
            case "BPF_MAP_TYPE_PROG_ARRAY" -> org.bpfosgi.structops.BpfMapType.PROG_ARRAY;
            case "BPF_MAP_TYPE_ARRAY" -> org.bpfosgi.structops.BpfMapType.ARRAY;
            case "BPF_MAP_TYPE_HASH" -> org.bpfosgi.structops.BpfMapType.HASH;
            case "BPF_MAP_TYPE_PERCPU_ARRAY" -> org.bpfosgi.structops.BpfMapType.PERCPU_ARRAY;
            case "BPF_MAP_TYPE_PERCPU_HASH" -> org.bpfosgi.structops.BpfMapType.PERCPU_HASH;
            case "BPF_MAP_TYPE_LRU_HASH" -> org.bpfosgi.structops.BpfMapType.LRU_HASH;
            case "BPF_MAP_TYPE_LRU_PERCPU_HASH" -> org.bpfosgi.structops.BpfMapType.LRU_PERCPU_HASH;
            case "BPF_MAP_TYPE_QUEUE" -> org.bpfosgi.structops.BpfMapType.QUEUE;
            case "BPF_MAP_TYPE_STACK" -> org.bpfosgi.structops.BpfMapType.STACK;
            default -> throw fail(Errno.EOPNOTSUPP.negative(), "map '" + d.name() + "': " + type
                    + " is not modelled (BPF_MAP_TYPE_PROG_ARRAY, ARRAY, PERCPU_ARRAY, HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, QUEUE and STACK are)");
        };
        int keySize = size(d, f.getOrDefault("key_size", f.getOrDefault("key", "0")));
        int valueSize = d.hasValuesArray() ? 4 : size(d, f.getOrDefault("value_size", f.getOrDefault("value", "0")));
        int maxEntries = size(d, f.getOrDefault("max_entries", "0"));
        int flags = size(d, f.getOrDefault("map_flags", "0"));
        return new MapCreateAttr(t, kernName(d.name()), keySize, valueSize, maxEntries, flags, null, 0);
    }

    private static int size(ObjectText.MapDef d, String v) {
        String s = v.replaceAll("\\s+", "");
        if (s.matches("sizeof\\((__u32|u32|__s32|s32|int|unsigned|unsignedint)\\)")) {
            return 4;
        }
        if (s.matches("sizeof\\((__u64|u64|__s64|s64|long|unsignedlong|longlong)\\)")) {
            return 8;
        }
        try {
            return Integer.decode(s);
        } catch (NumberFormatException e) {
            throw fail(Errno.EINVAL.negative(), "map '" + d.name() + "': cannot read '" + v + "' (a number or sizeof(__u32))");
        }
    }

    /**
     * Models find_struct_ops_kern_types(): the struct by its essential name in vmlinux, else in
     * each module's own types; its {@code bpf_struct_ops_} wrapper in the same BTF, and the
     * wrapper's member of the struct's type.
     */
    private static KernType findKernTypes(String localName, StructOpsKernel k) {
        int flavour = localName.indexOf("___");
        String tname = flavour > 0 ? localName.substring(0, flavour) : localName;
        List<BtfObject> btfs = new ArrayList<>();
        btfs.add(k.progs().btfs().vmlinux());
        btfs.addAll(k.progs().btfs().moduleBtfs());
        for (BtfObject h : btfs) {
            Btf b = h.btf();
            int id = b.findByNameKind(tname, BtfKind.STRUCT);
            if (id <= 0 || (h.isModule() && id < b.startId())) {
                continue;
            }
            int vid = b.findByNameKind("bpf_struct_ops_" + tname, BtfKind.STRUCT);
            if (vid <= 0) {
                throw fail(Errno.ESRCH.negative(), "struct_ops init_kern: struct bpf_struct_ops_" + tname + " is not found in kernel BTF");
            }
            BtfType.Composite vt = (BtfType.Composite) b.type(vid);
            for (BtfType.Member m : vt.members()) {
                if (b.resolve(m.type()) == id) {
                    return new KernType(h, tname, id, vid, m.bitOffset(vt.kindFlag()) / 8);
                }
            }
            throw fail(Errno.EINVAL.negative(), "struct_ops init_kern: struct " + tname + " data is not found in struct bpf_struct_ops_" + tname);
        }
        throw fail(Errno.ESRCH.negative(), "struct_ops init_kern: struct " + tname + " is not found in kernel BTF");
    }

    private static int memberIndex(Btf b, BtfType.Composite t, String name) {
        for (int i = 0; i < t.members().size(); i++) {
            if (b.str(t.members().get(i).nameOff()).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * libbpf 1.5's resolve_func_ptr() != NULL: skip_mods_and_typedefs() to a PTR, then
     * skip_mods_and_typedefs() of its target to a FUNC_PROTO. A member whose type is a typedef of
     * a function pointer ({@code typedef int (*fn_t)(void); fn_t f;}) is a function pointer. Both
     * of libbpf's checks use it: bpf_map__init_kern_struct_ops() (a kernel member a program is
     * put in) and bpf_object__collect_st_ops_relos() (the member a struct_ops relocation names).
     */
    public static boolean isFuncPtr(Btf b, int type) {
        int t = b.skipModifiers(type);
        if (b.kind(t) != BtfKind.PTR) {
            return false;
        }
        return b.kind(b.skipModifiers(((BtfType.Ref) b.type(t)).type())) == BtfKind.FUNC_PROTO;
    }

    /**
     * The program's text as libbpf hands it to the kernel: the function, then the subprograms it
     * calls (bpf_object__relocate_calls()). Lines keep their numbers where they can, so the
     * assembler's errors point into the object file.
     */
    static String programText(ObjectText o, ObjectText.Function f) {
        StringBuilder sb = new StringBuilder();
        int line = 1;
        List<ObjectText.Function> parts = new ArrayList<>();
        parts.add(f);
        parts.addAll(o.subprogsOf(f));
        for (ObjectText.Function g : parts) {
            while (line < g.firstLine()) {
                sb.append('\n');
                line++;
            }
            for (String l : g.lines()) {
                sb.append(l).append('\n');
                line++;
            }
        }
        sb.append("SEC(\"").append(f.sec()).append("\")\n");
        if (!o.license().isEmpty()) {
            sb.append(".license \"").append(o.license()).append("\"\n");
        }
        // bpf_prog_load(): libbpf_strlcpy(attr.prog_name, prog_name, BPF_OBJ_NAME_LEN) truncates
        String kernelName = f.name().length() < BpfProgLoadAttr.BPF_OBJ_NAME_LEN ? f.name()
                : f.name().substring(0, BpfProgLoadAttr.BPF_OBJ_NAME_LEN - 1);
        sb.append(".name ").append(kernelName).append('\n');
        return sb.toString();
    }

    /** bpf_object_load_prog(): BPF_PROG_LOAD; a failure is retried with log level 1 for the log. */
    private static BpfProg loadProg(OpenedObject o, BpfObject obj, ObjectText.Function f, Optional<String> attach,
                                    StructOpsKernel k, org.bpfosgi.prog.ProgTable.LoadOptions options) {
        BpfProgLoadAttr attr;
        try {
            attr = o.progs().attr(f, attach, k.progs().services(), mapName -> {
                BpfMap m = obj.maps.get(mapName);
                if (m == null) {
                    throw new LoaderException("relo: map '" + mapName + "' is not a map of the object");
                }
                return m.id();
            });
        } catch (LoaderException e) {
            throw fail(Errno.EINVAL.negative(), "prog '" + f.name() + "': " + e.getMessage(),
                    "prog '" + f.name() + "': failed to load: " + Errno.EINVAL.negative());
        }
        ProgLoadResult r = k.progs().progs().load(attr, options);
        if (r.ok()) {
            return r.prog();
        }
        ProgLoadResult again = k.progs().progs().load(attr.withLogLevel(1), options);
        String log = again.ok() ? "" : again.log();
        if (again.ok()) {
            k.progs().progs().free(again.prog().id());
        }
        List<String> lines = new ArrayList<>();
        lines.add("prog '" + f.name() + "': BPF program load failed: " + strerror(r.err()));
        lines.add("prog '" + f.name() + "': -- BEGIN PROG LOAD LOG --");
        for (String l : log.split("\n")) {
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        lines.add("-- END PROG LOAD LOG --");
        lines.add("prog '" + f.name() + "': failed to load: " + r.err());
        throw new ObjLoadException(r.err(), lines);
    }

    /**
     * Unloads in the kernel's order of a skeleton's destroy: every link is destroyed (its map
     * unregistered), the maps registered by an update are unregistered (map delete), then
     * bpf_object__close() closes the map fds in index order and the program fds. What the
     * kernel frees follows from the references.
     */
    public static void unload(BpfObject obj, StructOpsKernel k) {
        for (int i = obj.links.size() - 1; i >= 0; i--) {
            k.links().close(obj.links.get(i).id());
        }
        obj.links.clear();
        for (StructOpsMap m : obj.registeredByUpdate) {
            m.delete(0);
        }
        obj.registeredByUpdate.clear();
        for (BpfMap m : obj.maps.values()) {
            k.maps().close(m.id());
        }
        obj.maps.clear();
        for (BpfProg p : obj.progs.values()) {
            k.progs().progs().free(p.id());
        }
        obj.progs.clear();
        if (obj.btf != null) {
            k.progs().btfs().btfPut(obj.btf); // the object's BTF fd
            obj.btf = null;
        }
    }
}
