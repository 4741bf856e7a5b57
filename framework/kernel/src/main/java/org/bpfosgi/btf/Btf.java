package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.api.BtfMember;
import org.bpfosgi.btf.api.BtfTypes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.bpfosgi.errno.Errno;

/**
 * A parsed BTF object (kernel/bpf/btf.c {@code struct btf}): the raw bytes, the offset of every
 * type record, and a name index. Types are decoded lazily, on first access, so that parsing the
 * real vmlinux BTF (over 120,000 types) costs one pass over the bytes.
 *
 * <p>Split BTF (§10.4): a module's BTF has a {@link #base()}; its own types are numbered from
 * {@link #startId()} = the base's {@link #nrTypes()}, and its string offsets continue after the
 * base's string section. Any id or string offset below the split point is answered by the base.
 *
 * <p>Instances are immutable once parsed (the decode cache only memoises immutable records), and
 * safe to share between threads.
 */
public final class Btf implements BtfTypes {
    /** BTF_MAGIC. */
    public static final int MAGIC = 0xeB9F;
    /** BTF_VERSION. */
    public static final int VERSION = 1;
    /** sizeof(struct btf_header). */
    public static final int HEADER_SIZE = 24;
    /** BTF_MAX_TYPE: type ids are at most 20 bits wide. */
    public static final int MAX_TYPE = 0x000fffff;
    /** BTF_MAX_NAME_OFFSET. */
    public static final int MAX_NAME_OFFSET = 0x00ffffff;

    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final Btf base;
    private final byte[] data;
    final int hdrLen;
    final int flags;
    final int typeStart; // absolute offset of the type section in data
    final int typeLen;
    final int strStart; // absolute offset of the string section in data
    final int strLen;
    private final int startId;
    private final int startStrOff;
    private final int count;
    private final int[] offsets; // absolute offset of own type i (id = startId + i)
    private final BtfType[] cache;
    /** Each own type's name, decoded once (the verifier names types in every BTF access). */
    private final String[] names;
    private final int[] nameTable; // open addressing: own index + 1, 0 = empty
    private final int nameMask;
    /** Alignments the binary format cannot carry, known when the C-declaration compiler built this. */
    private volatile Map<Integer, Integer> alignHints = Map.of();

    Btf(Btf base, byte[] data, int hdrLen, int flags, int typeStart, int typeLen, int strStart, int strLen,
        int count, int[] offsets) {
        this.base = base;
        this.data = data;
        this.hdrLen = hdrLen;
        this.flags = flags;
        this.typeStart = typeStart;
        this.typeLen = typeLen;
        this.strStart = strStart;
        this.strLen = strLen;
        this.startId = base == null ? 1 : base.nrTypes();
        this.startStrOff = base == null ? 0 : base.strTotal();
        this.count = count;
        this.offsets = offsets;
        this.cache = new BtfType[count];
        this.names = new String[count];
        int size = Integer.highestOneBit(Math.max(4, count * 2 - 1)) << 1;
        this.nameTable = new int[size];
        this.nameMask = size - 1;
    }

    /** The constructor for {@link #concat}: offsets and name table already built. */
    private Btf(byte[] data, int typeLen, int strLen, int count, int[] offsets, int[] nameTable) {
        this.base = null;
        this.data = data;
        this.hdrLen = HEADER_SIZE;
        this.flags = 0;
        this.typeStart = HEADER_SIZE;
        this.typeLen = typeLen;
        this.strStart = HEADER_SIZE + typeLen;
        this.strLen = strLen;
        this.startId = 1;
        this.startStrOff = 0;
        this.count = count;
        this.offsets = offsets;
        this.cache = new BtfType[count];
        this.names = new String[count];
        this.nameTable = nameTable;
        this.nameMask = nameTable.length - 1;
    }

    /**
     * Split BTF made whole, without walking and hashing the base's types again: the base's
     * offsets and name table are reused (its types keep their place when its header is the
     * 24-byte one with the type section first), only the split's types are added. Both halves
     * were validated, the split on top of this very base, so the result is valid by
     * construction. Null when the base's layout does not allow the shortcut.
     */
    static Btf concat(Btf whole, Btf split) {
        if (whole.base != null || split.base != whole || whole.hdrLen != HEADER_SIZE || whole.typeStart != HEADER_SIZE
                || whole.strStart != HEADER_SIZE + whole.typeLen) {
            return null;
        }
        int count = whole.count + split.count;
        if ((long) count * 2 > whole.nameTable.length) {
            return null; // the table would be too full: let a full parse size it
        }
        int typeLen = whole.typeLen + split.typeLen;
        int strLen = whole.strLen + split.strLen;
        byte[] d = new byte[HEADER_SIZE + typeLen + strLen];
        System.arraycopy(whole.data, 0, d, 0, HEADER_SIZE);
        INT.set(d, 8, 0);
        INT.set(d, 12, typeLen);
        INT.set(d, 16, typeLen);
        INT.set(d, 20, strLen);
        System.arraycopy(whole.data, whole.typeStart, d, HEADER_SIZE, whole.typeLen);
        System.arraycopy(split.data, split.typeStart, d, HEADER_SIZE + whole.typeLen, split.typeLen);
        System.arraycopy(whole.data, whole.strStart, d, HEADER_SIZE + typeLen, whole.strLen);
        System.arraycopy(split.data, split.strStart, d, HEADER_SIZE + typeLen + whole.strLen, split.strLen);
        int[] offsets = java.util.Arrays.copyOf(whole.offsets, count);
        int shift = HEADER_SIZE + whole.typeLen - split.typeStart;
        for (int i = 0; i < split.count; i++) {
            offsets[whole.count + i] = split.offsets[i] + shift;
        }
        Btf m = new Btf(d, typeLen, strLen, count, offsets, whole.nameTable.clone());
        // string offsets of the split already count from the start of the base's strings
        for (int i = whole.count; i < count; i++) {
            int nameOff = BtfTypeHeader.nameOff(d, offsets[i]);
            if (nameOff != 0) {
                m.insert(i, hash(m.strBytes(nameOff)));
            }
        }
        return m;
    }

    /** Parses non-split BTF (vmlinux, or a stand-alone object). Models btf_parse(). */
    public static Btf parse(byte[] data) {
        return BtfReader.parse(data, null);
    }

    /**
     * Parses BTF this reader validated before (see {@link BtfReader#parse(byte[], Btf, boolean)}):
     * the layout is walked, the per-type checks are not repeated.
     */
    static Btf parseValidated(byte[] data, Btf base) {
        return BtfReader.parse(data, base, false);
    }

    /** Parses split BTF on top of {@code base} (null = non-split). Models btf_parse_module(). */
    public static Btf parse(byte[] data, Btf base) {
        return BtfReader.parse(data, base);
    }

    // ------------------------------------------------------------------ structure

    /** The base of split BTF, or null. */
    public Btf base() {
        return base;
    }

    /** The first id that is this object's own: 1, or the base's {@link #nrTypes()}. */
    public int startId() {
        return startId;
    }

    /** Models libbpf btf__type_cnt(): the last id + 1 (void counts), base included. */
    public int nrTypes() {
        return startId + count;
    }

    /** Number of this object's own types (without the base's). */
    public int ownTypeCount() {
        return count;
    }

    /** The raw BTF bytes as loaded (a copy). */
    public byte[] rawData() {
        return data.clone();
    }

    /** Size of the raw BTF, as {@code bpftool btf list} prints it. */
    public int rawSize() {
        return data.length;
    }

    /** Size of all string sections up to and including this object's (the next split's start). */
    int strTotal() {
        return startStrOff + strLen;
    }

    int startStrOff() {
        return startStrOff;
    }

    /**
     * The alignment of a struct or union as its C declaration had it (e.g. {@code aligned(64)}),
     * if this BTF was compiled from C; BTF itself does not record alignment. Base hints included.
     */
    public OptionalInt alignHint(int id) {
        Integer a = alignHints.get(id);
        if (a != null) {
            return OptionalInt.of(a);
        }
        return base != null && id < startId ? base.alignHint(id) : OptionalInt.empty();
    }

    /** All hints of this object and its base chain. */
    Map<Integer, Integer> alignHints() {
        Map<Integer, Integer> all = new java.util.HashMap<>(base == null ? Map.of() : base.alignHints());
        all.putAll(alignHints);
        return all;
    }

    Btf withAlignHints(Map<Integer, Integer> hints) {
        this.alignHints = Map.copyOf(hints);
        return this;
    }

    // ------------------------------------------------------------------ strings and types

    /** The string at {@code off} (base strings below the split point). Models btf_name_by_offset(). */
    public String str(int off) {
        if (off < startStrOff) {
            return base.str(off);
        }
        int rel = off - startStrOff;
        if (off < 0 || rel >= strLen) {
            throw new BtfException("string offset " + off + " is outside the string section");
        }
        int p = strStart + rel;
        int end = p;
        while (data[end] != 0) {
            end++;
        }
        return new String(data, p, end - p, StandardCharsets.ISO_8859_1);
    }

    /** The name of type {@code id}; "" when anonymous and for void. */
    public String name(int id) {
        if (id == 0) {
            return "";
        }
        if (id < startId) {
            return base.name(id);
        }
        int i = id - startId;
        String n = i < count ? names[i] : null;
        if (n == null) {
            n = str(rawNameOff(id));
            names[i] = n;
        }
        return n;
    }

    /** The kind of {@code id} (UNKN for void, id 0). */
    public BtfKind kind(int id) {
        if (id == 0) {
            return BtfKind.UNKN;
        }
        if (id < startId) {
            return base.kind(id);
        }
        return BtfTypeHeader.kind(rawInfo(id));
    }

    /** Models btf_type_by_id(): the decoded type; a BtfException for void or an id out of range. */
    public BtfType type(int id) {
        if (id < startId) {
            if (id <= 0) {
                throw new BtfException(id == 0 ? "type id 0 is void" : "type id " + id + " is out of range");
            }
            return base.type(id);
        }
        int i = id - startId;
        if (i >= count) {
            throw new BtfException("type id " + id + " is out of range (nr_types " + nrTypes() + ")");
        }
        BtfType t = cache[i];
        if (t == null) {
            t = BtfReader.decode(data, offsets[i]);
            cache[i] = t;
        }
        return t;
    }

    private int own(int id) {
        int i = id - startId;
        if (i < 0 || i >= count) {
            throw new BtfException("type id " + id + " is out of range (nr_types " + nrTypes() + ")");
        }
        return offsets[i];
    }

    int rawNameOff(int id) {
        return BtfTypeHeader.nameOff(data, own(id));
    }

    int rawInfo(int id) {
        return BtfTypeHeader.info(data, own(id));
    }

    int rawSizeOrType(int id) {
        return BtfTypeHeader.sizeOrType(data, own(id));
    }

    // ------------------------------------------------------------------ name index

    /** Builds the name index; called once the string offsets have been validated. */
    void indexNames() {
        for (int i = 0; i < count; i++) {
            int nameOff = BtfTypeHeader.nameOff(data, offsets[i]);
            if (nameOff == 0 || nameOff < startStrOff) {
                if (nameOff != 0) {
                    // a module type named by a base string: hash the base's bytes
                    insert(i, hash(base.strBytes(nameOff)));
                }
                continue;
            }
            int p = strStart + nameOff - startStrOff;
            int h = 0x811c9dc5;
            byte b;
            while ((b = data[p++]) != 0) {
                h = (h ^ (b & 0xff)) * 0x01000193;
            }
            insert(i, h);
        }
    }

    private void insert(int i, int h) {
        int slot = mix(h) & nameMask;
        while (nameTable[slot] != 0) {
            slot = (slot + 1) & nameMask;
        }
        nameTable[slot] = i + 1;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    private static int hash(byte[] bytes) {
        int h = 0x811c9dc5;
        for (byte b : bytes) {
            h = (h ^ (b & 0xff)) * 0x01000193;
        }
        return h;
    }

    byte[] strBytes(int off) {
        if (off < startStrOff) {
            return base.strBytes(off);
        }
        return str(off).getBytes(StandardCharsets.ISO_8859_1);
    }

    private boolean nameEquals(int i, byte[] name) {
        int nameOff = BtfTypeHeader.nameOff(data, offsets[i]);
        if (nameOff < startStrOff) {
            return java.util.Arrays.equals(base.strBytes(nameOff), name);
        }
        int p = strStart + nameOff - startStrOff;
        for (byte b : name) {
            if (data[p++] != b) {
                return false;
            }
        }
        return data[p] == 0;
    }

    /** All ids named {@code name}, base first, ascending. */
    public List<Integer> findAllByName(String name) {
        List<Integer> out = new ArrayList<>();
        collect(name.getBytes(StandardCharsets.ISO_8859_1), null, out);
        out.sort(null);
        return out;
    }

    private void collect(byte[] name, BtfKind kind, List<Integer> out) {
        if (base != null) {
            base.collect(name, kind, out);
        }
        if (name.length == 0) {
            return;
        }
        int slot = mix(hash(name)) & nameMask;
        int e;
        while ((e = nameTable[slot]) != 0) {
            int i = e - 1;
            if (nameEquals(i, name) && (kind == null || kind(startId + i) == kind)) {
                out.add(startId + i);
            }
            slot = (slot + 1) & nameMask;
        }
    }

    /**
     * Models btf_find_by_name_kind(): the lowest id with this name and kind (base first), or
     * {@code -ENOENT}.
     */
    public int findByNameKind(String name, BtfKind kind) {
        List<Integer> out = new ArrayList<>(2);
        collect(name.getBytes(StandardCharsets.ISO_8859_1), kind, out);
        if (out.isEmpty()) {
            return Errno.ENOENT.negative();
        }
        int min = out.get(0);
        for (int id : out) {
            min = Math.min(min, id);
        }
        return min;
    }

    /** {@link #findByNameKind} as an OptionalInt. */
    public OptionalInt find(String name, BtfKind kind) {
        int id = findByNameKind(name, kind);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    // ------------------------------------------------------------------ queries

    /** Bound on modifier/typedef chains; validated BTF has no loops, this guards the rest. */
    private static final int MAX_CHAIN = 64;

    /**
     * Models btf_type_skip_modifiers() (kernel/bpf/btf.c v6.12): follows every type for which
     * btf_type_is_modifier() is true, TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG, to the
     * type underneath. libbpf's skip_mods_and_typedefs() is the same walk. Same as
     * {@link #resolve}.
     */
    @Override
    public int skipModifiers(int id) {
        return skip(id, true);
    }

    /**
     * Follows modifiers and typedefs to the underlying type: {@link #skipModifiers}, the
     * kernel's btf_type_skip_modifiers() and libbpf's skip_mods_and_typedefs().
     */
    @Override
    public int resolve(int id) {
        return skip(id, true);
    }

    /**
     * Follows CONST, VOLATILE, RESTRICT and TYPE_TAG (libbpf's btf_is_mod()) but stops at a
     * TYPEDEF: how C sees a declaration whose type is a typedef name, for printing C (libbpf's
     * btf_dump.c keeps typedef names, so {@code const arr_t} of {@code typedef int arr_t[2]} is
     * still a const of a typedef, not an array). Nothing the kernel or libbpf decides about a
     * type's meaning stops at a typedef: for that use {@link #skipModifiers}.
     */
    public int skipQualifiers(int id) {
        return skip(id, false);
    }

    private int skip(int id, boolean typedefs) {
        for (int n = 0; n < MAX_CHAIN; n++) {
            BtfKind k = kind(id);
            if (k.isModifier() || (typedefs && k == BtfKind.TYPEDEF)) {
                id = ((BtfType.Ref) type(id)).type();
            } else {
                return id;
            }
        }
        throw new BtfException("type id " + id + ": modifier chain too long (loop?)");
    }

    /** Models btf_resolve_size(): the size in bytes of a sized type (arrays multiply out). */
    public long resolveSize(int id) {
        long mult = 1;
        for (int n = 0; n < MAX_CHAIN; n++) {
            id = resolve(id);
            BtfType t = id == 0 ? null : type(id);
            if (t instanceof BtfType.Array a) {
                mult *= Integer.toUnsignedLong(a.nelems());
                if (mult > 0xffffffffL) {
                    return checkU32(mult, id);
                }
                id = a.type();
                continue;
            }
            long size;
            if (t == null) {
                throw new BtfException("void has no size");
            } else if (t instanceof BtfType.Int i) {
                size = i.size();
            } else if (t instanceof BtfType.Composite c) {
                size = Integer.toUnsignedLong(c.size());
            } else if (t instanceof BtfType.Enum e) {
                size = e.size();
            } else if (t instanceof BtfType.Enum64 e) {
                size = e.size();
            } else if (t instanceof BtfType.Float f) {
                size = f.size();
            } else if (t instanceof BtfType.DataSec d) {
                size = Integer.toUnsignedLong(d.size());
            } else if (t.kind() == BtfKind.PTR) {
                size = 8;
            } else {
                throw new BtfException(describe(id) + " has no size");
            }
            return checkU32(mult * size, id);
        }
        throw new BtfException("type id " + id + ": array nesting too deep");
    }

    private static long checkU32(long v, int id) {
        if (v > 0xffffffffL) {
            throw new BtfException("type id " + id + ": size overflows U32_MAX");
        }
        return v;
    }

    /**
     * offsetof() with a member path ("q.qlen"): each component is a member name, found also
     * inside anonymous struct/union members, as C allows.
     */
    public BtfMember memberPath(int typeId, String path) {
        long bits = 0;
        int cur = typeId;
        BtfMember last = null;
        for (String comp : path.split("\\.", -1)) {
            int sid = resolve(cur);
            if (!(sid != 0 && type(sid) instanceof BtfType.Composite)) {
                throw new BtfException("'" + path + "': " + describe(cur) + " is not a struct or union");
            }
            BtfMember m = findMember(sid, comp, 0);
            if (m == null) {
                throw new BtfException("'" + path + "': " + describe(sid) + " has no member '" + comp + "'");
            }
            bits += m.bitOffset();
            cur = m.type();
            last = new BtfMember(path, bits, m.type(), m.bitfieldSize());
        }
        return last;
    }

    /** The byte offset of a member path (see {@link #memberPath}). */
    @Override
    public int offsetOf(int typeId, String path) {
        BtfMember m = memberPath(typeId, path);
        if (m.bitOffset() % 8 != 0 || m.bitfieldSize() != 0) {
            throw new BtfException("member " + path + " is a bitfield (bit offset " + m.bitOffset() + ")");
        }
        return m.byteOffset();
    }

    /** {@link #offsetOf(int, String)} on the struct or union named {@code typeName}. */
    public int offsetOf(String typeName, String path) {
        int id = findByNameKind(typeName, BtfKind.STRUCT);
        if (id < 0) {
            id = findByNameKind(typeName, BtfKind.UNION);
        }
        if (id < 0) {
            throw new BtfException("no struct or union named '" + typeName + "'");
        }
        return offsetOf(id, path);
    }

    private BtfMember findMember(int sid, String name, int depth) {
        if (depth > MAX_CHAIN) {
            throw new BtfException(describe(sid) + ": anonymous members nested too deep");
        }
        BtfType.Composite c = (BtfType.Composite) type(sid);
        for (BtfType.Member m : c.members()) {
            long off = m.bitOffset(c.kindFlag());
            if (m.nameOff() != 0) {
                if (str(m.nameOff()).equals(name)) {
                    return new BtfMember(name, off, m.type(), m.bitfieldSize(c.kindFlag()));
                }
            } else {
                int inner = resolve(m.type());
                if (inner != 0 && type(inner) instanceof BtfType.Composite) {
                    BtfMember found = findMember(inner, name, depth + 1);
                    if (found != null) {
                        return new BtfMember(name, off + found.bitOffset(), found.type(), found.bitfieldSize());
                    }
                }
            }
        }
        return null;
    }

    /**
     * The member containing byte {@code byteOffset} of a struct or union, descending into
     * nested structs and unions (first matching union member wins, as btf_struct_walk() tries
     * them in order). The path names the innermost member; arrays are not entered.
     */
    public Optional<BtfMember> memberAt(int typeId, int byteOffset) {
        // the verifier asks this for every load and store through a BTF pointer: remembered in a
        // small direct-mapped table (the types never change once parsed; entries are immutable,
        // so a racing reader sees a whole entry or none)
        long key = ((long) typeId << 32) | (byteOffset & 0xffffffffL);
        int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> 56);
        MemberAtEntry e = memberAtCache[slot];
        if (e != null && e.key == key) {
            return e.member;
        }
        Optional<BtfMember> m = walkMemberAt(typeId, byteOffset);
        memberAtCache[slot] = new MemberAtEntry(key, m);
        return m;
    }

    private record MemberAtEntry(long key, Optional<BtfMember> member) {
    }

    private final MemberAtEntry[] memberAtCache = new MemberAtEntry[256];

    private Optional<BtfMember> walkMemberAt(int typeId, int byteOffset) {
        StringBuilder path = new StringBuilder();
        long bits = (long) byteOffset * 8;
        long base0 = 0;
        int cur = resolve(typeId);
        BtfMember found = null;
        for (int depth = 0; depth < MAX_CHAIN; depth++) {
            if (cur == 0 || !(type(cur) instanceof BtfType.Composite c)) {
                break;
            }
            BtfMember hit = null;
            for (BtfType.Member m : c.members()) {
                long off = base0 + m.bitOffset(c.kindFlag());
                int bf = m.bitfieldSize(c.kindFlag());
                long sizeBits = bf != 0 ? bf : sizeOrZero(m.type()) * 8;
                if (bits >= off && bits < off + Math.max(sizeBits, 1) && (sizeBits > 0 || bits == off)) {
                    String n = m.nameOff() == 0 ? "" : str(m.nameOff());
                    hit = new BtfMember(n, off, m.type(), bf);
                    break;
                }
            }
            if (hit == null) {
                break;
            }
            if (!hit.path().isEmpty()) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(hit.path());
            }
            found = new BtfMember(path.toString(), hit.bitOffset(), hit.type(), hit.bitfieldSize());
            base0 = hit.bitOffset();
            cur = resolve(hit.type());
        }
        return Optional.ofNullable(found);
    }

    private long sizeOrZero(int id) {
        try {
            return resolveSize(id);
        } catch (BtfException e) {
            return 0;
        }
    }

    /** The FUNC_PROTO of a FUNC (or of a pointer to a function prototype). */
    public BtfType.FuncProto funcProto(int funcId) {
        int id = resolve(funcId);
        if (kind(id) == BtfKind.FUNC) {
            id = ((BtfType.Func) type(id)).type();
        } else if (kind(id) == BtfKind.PTR) {
            id = resolve(((BtfType.Ref) type(id)).type());
        }
        if (kind(id) != BtfKind.FUNC_PROTO) {
            throw new BtfException(describe(funcId) + " is not a function");
        }
        return (BtfType.FuncProto) type(id);
    }

    /** The struct or union a pointer type points to (modifiers and typedefs skipped). */
    public OptionalInt pointedStruct(int ptrId) {
        int id = resolve(ptrId);
        if (kind(id) != BtfKind.PTR) {
            return OptionalInt.empty();
        }
        int target = resolve(((BtfType.Ref) type(id)).type());
        BtfKind k = kind(target);
        return k == BtfKind.STRUCT || k == BtfKind.UNION ? OptionalInt.of(target) : OptionalInt.empty();
    }

    /** "STRUCT 'sk_buff' [id]": for messages. */
    public String describe(int id) {
        if (id == 0) {
            return "void";
        }
        if (id < 0 || id >= nrTypes()) {
            return "type id " + id;
        }
        String n = name(id);
        return kind(id) + " '" + (n.isEmpty() ? "(anon)" : n) + "' [" + id + "]";
    }

    @Override
    public String toString() {
        return "Btf[" + (base == null ? "" : "split at " + startId + ", ") + count + " types, "
                + data.length + " bytes]";
    }
}
