package org.bpfosgi.obj.elf;

import java.util.function.BiFunction;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;

/**
 * A BTF-defined map's definition (libbpf's struct btf_map_def), read by {@link #parse} as
 * parse_btf_map_def() reads the {@code __uint}/{@code __type}/{@code __array} members of
 * bpf_helpers.h.
 */
record BtfMapDef(int type, int keySize, int valueSize, int maxEntries, int mapFlags, int numaNode, int pinning,
                 long mapExtra, int keyTypeId, int valueTypeId, BtfMapDef inner) {
    private static final int EINVAL = Errno.EINVAL.negative(), ENOTSUP = Errno.EOPNOTSUPP.negative();

    /** Models bpf_map_type__is_map_in_map(). */
    static boolean isMapInMap(int t) {
        return t == ElfOpener.BPF_MAP_TYPE_ARRAY_OF_MAPS || t == ElfOpener.BPF_MAP_TYPE_HASH_OF_MAPS;
    }

    /**
     * Models parse_btf_map_def().
     *
     * @param strict  unknown members are an error (libbpf's default; relaxed_maps turns it off)
     * @param isInner parsing the inner definition of a map of maps
     * @param fail    makes the exception for (errno, libbpf message)
     */
    static BtfMapDef parse(String mapName, Btf b, BtfType.Composite def, boolean strict, boolean isInner,
                           BiFunction<Integer, String, ObjOpenException> fail) {
        int type = 0, keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, numa = 0, pinning = 0, keyType = 0, valueType = 0;
        long extra = 0;
        BtfMapDef inner = null;
        int vlen = def.members().size();
        for (int i = 0; i < vlen; i++) {
            BtfType.Member m = def.members().get(i);
            String name = b.str(m.nameOff());
            switch (name) {
                case "type" -> type = intField(mapName, b, m, fail);
                case "max_entries" -> maxEntries = intField(mapName, b, m, fail);
                case "map_flags" -> flags = intField(mapName, b, m, fail);
                case "numa_node" -> numa = intField(mapName, b, m, fail);
                case "key_size" -> {
                    int sz = intField(mapName, b, m, fail);
                    if (keySize != 0 && keySize != sz) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': conflicting key size " + u(keySize) + " != " + u(sz) + ".");
                    }
                    keySize = sz;
                }
                case "key", "value" -> {
                    String what = name;
                    BtfType t = b.type(m.type());
                    if (t.kind() != BtfKind.PTR) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': " + what + " spec is not PTR: " + kind(t) + ".");
                    }
                    int target = ((BtfType.Ref) t).type();
                    long sz;
                    try {
                        sz = b.resolveSize(target);
                    } catch (IllegalArgumentException e) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': can't determine " + what + " size for type [" + target
                                + "]: " + EINVAL + ".");
                    }
                    int cur = what.equals("key") ? keySize : valueSize;
                    if (cur != 0 && Integer.toUnsignedLong(cur) != sz) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': conflicting " + what + " size " + u(cur) + " != " + sz + ".");
                    }
                    if (what.equals("key")) {
                        keySize = (int) sz;
                        keyType = target;
                    } else {
                        valueSize = (int) sz;
                        valueType = target;
                    }
                }
                case "value_size" -> {
                    int sz = intField(mapName, b, m, fail);
                    if (valueSize != 0 && valueSize != sz) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': conflicting value size " + u(valueSize) + " != " + u(sz) + ".");
                    }
                    valueSize = sz;
                }
                case "values" -> {
                    boolean mapInMap = isMapInMap(type);
                    boolean progArray = type == ElfOpener.BPF_MAP_TYPE_PROG_ARRAY;
                    String desc = mapInMap ? "map-in-map inner" : "prog-array value";
                    if (isInner) {
                        throw fail.apply(ENOTSUP, "map '" + mapName + "': multi-level inner maps not supported.");
                    }
                    if (i != vlen - 1) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': '" + name + "' member should be last.");
                    }
                    if (!mapInMap && !progArray) {
                        throw fail.apply(ENOTSUP, "map '" + mapName + "': should be map-in-map or prog-array.");
                    }
                    if (valueSize != 0 && valueSize != 4) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': conflicting value size " + u(valueSize) + " != 4.");
                    }
                    valueSize = 4;
                    BtfType t = b.type(m.type());
                    if (!(t instanceof BtfType.Array a) || a.nelems() != 0) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': " + desc + " spec is not a zero-sized array.");
                    }
                    int pt = b.resolve(a.type());
                    if (b.kind(pt) != BtfKind.PTR) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': " + desc + " def is of unexpected kind " + kind(b, pt) + ".");
                    }
                    int target = b.resolve(((BtfType.Ref) b.type(pt)).type());
                    if (progArray) {
                        if (b.kind(target) != BtfKind.FUNC_PROTO) {
                            throw fail.apply(EINVAL, "map '" + mapName + "': prog-array value def is of unexpected kind "
                                    + kind(b, target) + ".");
                        }
                        continue;
                    }
                    if (b.kind(target) != BtfKind.STRUCT) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': map-in-map inner def is of unexpected kind "
                                + kind(b, target) + ".");
                    }
                    inner = parse(mapName + ".inner", b, (BtfType.Composite) b.type(target), strict, true, fail);
                }
                case "pinning" -> {
                    if (isInner) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': inner def can't be pinned.");
                    }
                    int v = intField(mapName, b, m, fail);
                    if (v != 0 && v != 1) {
                        throw fail.apply(EINVAL, "map '" + mapName + "': invalid pinning value " + u(v) + ".");
                    }
                    pinning = v;
                }
                case "map_extra" -> extra = longField(mapName, b, m, fail);
                default -> {
                    if (strict) {
                        throw fail.apply(ENOTSUP, "map '" + mapName + "': unknown field '" + name + "'.");
                    }
                }
            }
        }
        if (type == 0) {
            throw fail.apply(EINVAL, "map '" + mapName + "': map type isn't specified.");
        }
        return new BtfMapDef(type, keySize, valueSize, maxEntries, flags, numa, pinning, extra, keyType, valueType, inner);
    }

    private static String u(int v) {
        return Integer.toUnsignedString(v);
    }

    private static String kind(BtfType t) {
        return t.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String kind(Btf b, int id) {
        return b.kind(id).name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Models get_map_field_int(): {@code int (*name)[value]}. */
    private static int intField(String mapName, Btf b, BtfType.Member m, BiFunction<Integer, String, ObjOpenException> fail) {
        String name = b.str(m.nameOff());
        int t = b.resolve(m.type());
        if (b.kind(t) != BtfKind.PTR) {
            throw fail.apply(EINVAL, "map '" + mapName + "': attr '" + name + "': expected PTR, got " + kind(b, t) + ".");
        }
        int arr = ((BtfType.Ref) b.type(t)).type();
        if (arr <= 0 || arr >= b.nrTypes()) {
            throw fail.apply(EINVAL, "map '" + mapName + "': attr '" + name + "': type [" + arr + "] not found.");
        }
        if (!(b.type(arr) instanceof BtfType.Array a)) {
            throw fail.apply(EINVAL, "map '" + mapName + "': attr '" + name + "': expected ARRAY, got " + kind(b, arr) + ".");
        }
        return a.nelems();
    }

    /** Models get_map_field_long(): {@code __uint} or {@code __ulong} (a one-value enum). */
    private static long longField(String mapName, Btf b, BtfType.Member m, BiFunction<Integer, String, ObjOpenException> fail) {
        String name = b.str(m.nameOff());
        int t = b.resolve(m.type());
        if (b.kind(t) == BtfKind.PTR) {
            return Integer.toUnsignedLong(intField(mapName, b, m, fail));
        }
        BtfType ty = b.type(t);
        if (ty instanceof BtfType.Enum e) {
            if (e.values().size() != 1) {
                throw fail.apply(EINVAL, "map '" + mapName + "': attr '" + name + "': invalid __ulong");
            }
            return e.values().get(0).val();
        }
        if (ty instanceof BtfType.Enum64 e) {
            if (e.values().size() != 1) {
                throw fail.apply(EINVAL, "map '" + mapName + "': attr '" + name + "': invalid __ulong");
            }
            return e.values().get(0).val();
        }
        throw fail.apply(EINVAL, "map '" + mapName + "': attr '" + name + "': expected ENUM or ENUM64, got " + kind(ty) + ".");
    }
}
