package org.bpfosgi.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.bpfosgi.errno.Errno;

/**
 * A parsed {@code .BTF.ext} ELF section: the func_info, line_info and core_relo sub-sections,
 * each a list of per-ELF-section blocks. Models libbpf v1.5 {@code btf_ext__new()} →
 * {@code btf_ext_parse()} / {@code btf_ext_parse_info()} / {@code btf_ext_parse_sec_info()}
 * (src/btf.c) and the block-to-section-name mapping of {@code bpf_object__init_btf()}
 * (src/libbpf.c); spec libbpf-object-loading.md §9.1.
 *
 * <p>Checks, in libbpf's order, with libbpf's debug texts (plus where): header shorter than 8
 * bytes, bad magic, version ≠ 1 ({@code -ENOTSUP}), flags ≠ 0 ({@code -ENOTSUP}), header not
 * found, no data, header missing func_info/line_info; then per sub-section (func_info, line_info,
 * core_relo when {@code hdr_len ≥ 32}): 4-byte aligned, inside the data, a record size that is at
 * least the minimum (exactly it for byte-swapped data) and a multiple of 4, at least one block,
 * every block with {@code num_info > 0} and in bounds. Any failure makes libbpf drop the whole
 * section ("Error loading ELF section .BTF.ext: %d. Ignored and continue."); here it is a
 * {@link ParseError} carrying the negative errno, for the ELF loader to report and carry on.
 *
 * <p>Byte-swapped (big-endian) {@code .BTF.ext} is accepted, as libbpf 1.5 does, and read in
 * its byte order. A block whose name offset is not a valid {@code .BTF} string is kept under the
 * name "" (libbpf maps it to section index 0, which no program has). Instruction offsets stay as
 * clang wrote them: bytes from the start of the named ELF section.
 *
 * <p>Records longer than the minimum (a newer producer's) keep only the fields this model knows;
 * {@link #funcInfoRecSize()} / {@link #lineInfoRecSize()} say how long they were.
 */
public final class BtfExt {
    /** sizeof(struct btf_ext_header) up to line_info_len: func_info and line_info are mandatory. */
    public static final int HDR_MIN = 24;
    /** offsetofend(struct btf_ext_header, core_relo_len). */
    public static final int HDR_CORE_RELO = 32;
    /** sizeof(struct bpf_func_info_min). */
    public static final int FUNC_INFO_MIN = 8;
    /** sizeof(struct bpf_line_info_min). */
    public static final int LINE_INFO_MIN = 16;
    /** sizeof(struct bpf_core_relo). */
    public static final int CORE_RELO_MIN = 16;

    /** {@code struct bpf_func_info}: {@code insnOff} in bytes within the section; {@code typeId} a FUNC. */
    public record FuncInfo(int insnOff, int typeId) {
    }

    /**
     * {@code struct bpf_line_info}; {@code lineCol} = line &lt;&lt; 10 | column. The strings are
     * offsets into {@code .BTF} (what the kernel receives); {@link BtfExt#fileName} /
     * {@link BtfExt#lineText} read them.
     */
    public record LineInfo(int insnOff, int fileNameOff, int lineOff, int lineCol) {
        /** BPF_LINE_INFO_LINE_NUM(). */
        public int line() {
            return lineCol >>> 10;
        }

        /** BPF_LINE_INFO_LINE_COL(). */
        public int column() {
            return lineCol & 0x3ff;
        }
    }

    /** {@code enum bpf_core_relo_kind} (include/uapi/linux/bpf.h), with libbpf's short names. */
    public enum CoreReloKind {
        BPF_CORE_FIELD_BYTE_OFFSET("byte_off"),
        BPF_CORE_FIELD_BYTE_SIZE("byte_sz"),
        BPF_CORE_FIELD_EXISTS("field_exists"),
        BPF_CORE_FIELD_SIGNED("signed"),
        BPF_CORE_FIELD_LSHIFT_U64("lshift_u64"),
        BPF_CORE_FIELD_RSHIFT_U64("rshift_u64"),
        BPF_CORE_TYPE_ID_LOCAL("local_type_id"),
        BPF_CORE_TYPE_ID_TARGET("target_type_id"),
        BPF_CORE_TYPE_EXISTS("type_exists"),
        BPF_CORE_TYPE_SIZE("type_size"),
        BPF_CORE_ENUMVAL_EXISTS("enumval_exists"),
        BPF_CORE_ENUMVAL_VALUE("enumval_value"),
        BPF_CORE_TYPE_MATCHES("type_matches");

        private final String shortName;

        CoreReloKind(String shortName) {
            this.shortName = shortName;
        }

        /** Models core_relo_kind_str(): "byte_off", "field_exists", ... */
        public String shortName() {
            return shortName;
        }

        /** The kind with value {@code v}, or null for a value libbpf does not know. */
        public static CoreReloKind of(int v) {
            CoreReloKind[] all = values();
            return v >= 0 && v < all.length ? all[v] : null;
        }

        /** Models core_relo_is_field_based(). */
        public boolean isFieldBased() {
            return ordinal() <= BPF_CORE_FIELD_RSHIFT_U64.ordinal();
        }

        /** Models core_relo_is_type_based(). */
        public boolean isTypeBased() {
            return switch (this) {
                case BPF_CORE_TYPE_ID_LOCAL, BPF_CORE_TYPE_ID_TARGET, BPF_CORE_TYPE_EXISTS, BPF_CORE_TYPE_SIZE,
                     BPF_CORE_TYPE_MATCHES -> true;
                default -> false;
            };
        }

        /** Models core_relo_is_enumval_based(). */
        public boolean isEnumvalBased() {
            return this == BPF_CORE_ENUMVAL_EXISTS || this == BPF_CORE_ENUMVAL_VALUE;
        }
    }

    /**
     * {@code struct bpf_core_relo}: {@code insnOff} in bytes within the section, {@code typeId}
     * the local root type, {@code accessStr} the access string (read from {@code .BTF}).
     * {@code kind} is null when the record's value is not one libbpf 1.5 knows
     * ({@link #rawKind} keeps it; the relocator refuses it as libbpf does, "unrecognized CO-RE
     * relocation").
     */
    public record CoreRelo(int insnOff, int typeId, int accessStrOff, String accessStr, CoreReloKind kind,
                           int rawKind) {
        /** A record as clang writes it. */
        public CoreRelo(int insnOff, int typeId, int accessStrOff, String accessStr, CoreReloKind kind) {
            this(insnOff, typeId, accessStrOff, accessStr, kind, kind.ordinal());
        }

        /** The same record at another instruction offset (a program-relative one, say). */
        public CoreRelo withInsnOff(int off) {
            return new CoreRelo(off, typeId, accessStrOff, accessStr, kind, rawKind);
        }
    }

    /** One {@code struct btf_ext_info_sec}: the section's name and its records, in file order. */
    public record Block<T>(String secName, int secNameOff, List<T> records) {
        public Block {
            records = List.copyOf(records);
        }
    }

    /** A {@code .BTF.ext} libbpf refuses: the libbpf errno (negative) and what was wrong where. */
    public static final class ParseError extends BtfException {
        private static final long serialVersionUID = 1L;
        private final int err;

        ParseError(Errno errno, String message) {
            super(".BTF.ext: " + message);
            this.err = errno.negative();
        }

        /** The negative errno libbpf returns (-EINVAL, -ENOTSUP). */
        public int err() {
            return err;
        }
    }

    private final Btf btf;
    private final boolean swapped;
    private final int funcInfoRecSize;
    private final int lineInfoRecSize;
    private final int coreReloRecSize;
    private final List<Block<FuncInfo>> funcInfo;
    private final List<Block<LineInfo>> lineInfo;
    private final List<Block<CoreRelo>> coreRelos;

    private BtfExt(Btf btf, boolean swapped, int[] recSizes, List<Block<FuncInfo>> funcInfo,
                   List<Block<LineInfo>> lineInfo, List<Block<CoreRelo>> coreRelos) {
        this.btf = btf;
        this.swapped = swapped;
        this.funcInfoRecSize = recSizes[0];
        this.lineInfoRecSize = recSizes[1];
        this.coreReloRecSize = recSizes[2];
        this.funcInfo = List.copyOf(funcInfo);
        this.lineInfo = List.copyOf(lineInfo);
        this.coreRelos = List.copyOf(coreRelos);
    }

    /** One sub-section's parameters: {@code struct btf_ext_sec_info_param}. */
    private record SecParam(String desc, long off, long len, int minRecSize) {
    }

    /**
     * Parses {@code .BTF.ext}. Models btf_ext__new() → btf_ext_parse().
     *
     * @param btfExt the section's bytes
     * @param btf    the object's parsed {@code .BTF} (block names, access strings)
     * @throws ParseError with libbpf's errno when libbpf would refuse the section
     */
    public static BtfExt parse(byte[] btfExt, Btf btf) {
        byte[] d = btfExt == null ? new byte[0] : btfExt;
        // offsetofend(struct btf_ext_header, hdr_len)
        if (d.length < 8) {
            throw new ParseError(Errno.EINVAL, "BTF.ext header too short (" + d.length + " bytes, need 8)");
        }
        int magic = (d[0] & 0xff) | (d[1] & 0xff) << 8;
        boolean swapped;
        if (magic == 0x9feb) {
            swapped = true;
        } else if (magic == Btf.MAGIC) {
            swapped = false;
        } else {
            throw new ParseError(Errno.EINVAL, String.format("Invalid BTF.ext magic:%x (at offset 0)", magic));
        }
        ByteBuffer b = ByteBuffer.wrap(d).order(swapped ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int version = d[2] & 0xff;
        if (version != 1) {
            // libbpf: -ENOTSUP, which is EOPNOTSUPP in user space
            throw new ParseError(Errno.EOPNOTSUPP, "Unsupported BTF.ext version:" + version + " (at offset 2)");
        }
        int flags = d[3] & 0xff;
        if (flags != 0) {
            throw new ParseError(Errno.EOPNOTSUPP, String.format("Unsupported BTF.ext flags:%x (at offset 3)", flags));
        }
        long hdrLen = Integer.toUnsignedLong(b.getInt(4));
        if (d.length < hdrLen) {
            throw new ParseError(Errno.EINVAL, "BTF.ext header not found (hdr_len " + hdrLen + ", section " + d.length
                    + " bytes)");
        } else if (d.length == hdrLen) {
            throw new ParseError(Errno.EINVAL, "BTF.ext has no data (hdr_len " + hdrLen + " = section size)");
        }
        if (hdrLen < HDR_MIN) {
            throw new ParseError(Errno.EINVAL, "BTF.ext header missing func_info, line_info (hdr_len " + hdrLen
                    + ", need " + HDR_MIN + ")");
        }
        int[] recSizes = new int[3];
        List<Block<FuncInfo>> fi = new ArrayList<>();
        List<Block<LineInfo>> li = new ArrayList<>();
        List<Block<CoreRelo>> cr = new ArrayList<>();
        // btf_ext_parse_info(): func_info, line_info, then core_relo if the header has it
        SecParam[] params = new SecParam[hdrLen >= HDR_CORE_RELO ? 3 : 2];
        params[0] = new SecParam("func_info", u32(b, 8), u32(b, 12), FUNC_INFO_MIN);
        params[1] = new SecParam("line_info", u32(b, 16), u32(b, 20), LINE_INFO_MIN);
        if (params.length == 3) {
            params[2] = new SecParam("core_relo", u32(b, 24), u32(b, 28), CORE_RELO_MIN);
        }
        for (int i = 0; i < params.length; i++) {
            recSizes[i] = parseSecInfo(b, d.length, hdrLen, params[i], !swapped, i, btf, fi, li, cr);
        }
        return new BtfExt(btf, swapped, recSizes, fi, li, cr);
    }

    private static long u32(ByteBuffer b, int off) {
        return Integer.toUnsignedLong(b.getInt(off));
    }

    /** Models btf_ext_parse_sec_info(), decoding the records once they are validated. */
    private static int parseSecInfo(ByteBuffer b, int dataSize, long hdrLen, SecParam p, boolean native_, int which,
                                    Btf btf, List<Block<FuncInfo>> fi, List<Block<LineInfo>> li,
                                    List<Block<CoreRelo>> cr) {
        if (p.len == 0) {
            return 0;
        }
        if ((p.off & 3) != 0) {
            throw new ParseError(Errno.EINVAL, ".BTF.ext " + p.desc + " section is not aligned to 4 bytes (off "
                    + p.off + ")");
        }
        long start = hdrLen + p.off; // the record_size word
        if (start + p.len > dataSize) {
            throw new ParseError(Errno.EINVAL, p.desc + " section (off:" + p.off + " len:" + p.len
                    + ") is beyond the end of the ELF section .BTF.ext (" + dataSize + " bytes)");
        }
        if (p.len < 4) {
            throw new ParseError(Errno.EINVAL, ".BTF.ext " + p.desc + " record size not found (at offset " + start + ")");
        }
        int pos = (int) start;
        long recordSize = u32(b, pos);
        if (recordSize < p.minRecSize || (!native_ && recordSize != p.minRecSize) || (recordSize & 3) != 0) {
            throw new ParseError(Errno.EINVAL, p.desc + " section in .BTF.ext has invalid record size " + recordSize
                    + " (at offset " + pos + ")");
        }
        int rs = (int) recordSize;
        pos += 4;
        long left = p.len - 4;
        if (left == 0) {
            throw new ParseError(Errno.EINVAL, p.desc + " section in .BTF.ext has no records (at offset " + pos + ")");
        }
        while (left > 0) {
            if (left < 8) {
                throw new ParseError(Errno.EINVAL, p.desc + " section header is not found in .BTF.ext (at offset "
                        + pos + ", " + left + " bytes left)");
            }
            int nameOff = b.getInt(pos);
            long num = u32(b, pos + 4);
            if (num == 0) {
                throw new ParseError(Errno.EINVAL, p.desc + " section has incorrect num_records in .BTF.ext (0, at offset "
                        + (pos + 4) + ")");
            }
            // __u64 total_record_size = sec_hdrlen + (__u64)num_records * record_size: the product
            // of two u32s fits a u64, not a signed long, so it is compared unsigned
            long total = 8 + num * Integer.toUnsignedLong(rs);
            if (Long.compareUnsigned(left, total) < 0) {
                throw new ParseError(Errno.EINVAL, p.desc + " section has incorrect num_records in .BTF.ext (" + num
                        + " records of " + Integer.toUnsignedString(rs) + " bytes at offset " + (pos + 8) + ", only " + (left - 8)
                        + " bytes left)");
            }
            String secName = strOrEmpty(btf, nameOff);
            int r = pos + 8;
            int n = (int) num;
            switch (which) {
                case 0 -> {
                    List<FuncInfo> recs = new ArrayList<>(n);
                    for (int k = 0; k < n; k++, r += rs) {
                        recs.add(new FuncInfo(b.getInt(r), b.getInt(r + 4)));
                    }
                    fi.add(new Block<>(secName, nameOff, recs));
                }
                case 1 -> {
                    List<LineInfo> recs = new ArrayList<>(n);
                    for (int k = 0; k < n; k++, r += rs) {
                        recs.add(new LineInfo(b.getInt(r), b.getInt(r + 4), b.getInt(r + 8), b.getInt(r + 12)));
                    }
                    li.add(new Block<>(secName, nameOff, recs));
                }
                default -> {
                    List<CoreRelo> recs = new ArrayList<>(n);
                    for (int k = 0; k < n; k++, r += rs) {
                        int strOff = b.getInt(r + 8);
                        int raw = b.getInt(r + 12);
                        // an access string that is not a .BTF string stays null here; the relocator
                        // refuses it as bpf_core_parse_spec() refuses a NULL/empty spec (-EINVAL)
                        String acc = strOrNull(btf, strOff);
                        recs.add(new CoreRelo(b.getInt(r), b.getInt(r + 4), strOff, acc, CoreReloKind.of(raw), raw));
                    }
                    cr.add(new Block<>(secName, nameOff, recs));
                }
            }
            left -= total;
            pos += (int) total;
        }
        return rs;
    }

    /** btf__name_by_offset() then str_is_empty(): an invalid offset names no section. */
    private static String strOrEmpty(Btf btf, int off) {
        String s = strOrNull(btf, off);
        return s == null ? "" : s;
    }

    /**
     * The string at {@code off} of {@code btf}'s string section, null when there is none (no BTF, an
     * offset outside the section): the validity test both libbpf's .BTF.ext parser and the kernel's
     * check_btf_line() (btf_name_by_offset() of a bad offset) apply; shared with CheckBtfInfo and the
     * level-2 log's source lines.
     */
    public static String strOrNull(Btf btf, int off) {
        if (btf == null || off < 0) {
            return null;
        }
        try {
            return btf.str(off);
        } catch (BtfException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ queries

    /** The object's {@code .BTF} these records point into. */
    public Btf btf() {
        return btf;
    }

    /** Whether the section was byte-swapped (big-endian) data. */
    public boolean swappedEndian() {
        return swapped;
    }

    /** The func_info record size as written (0 when there is no func_info sub-section). */
    public int funcInfoRecSize() {
        return funcInfoRecSize;
    }

    /** The line_info record size as written (0 when absent). */
    public int lineInfoRecSize() {
        return lineInfoRecSize;
    }

    /** The core_relo record size as written (0 when absent). */
    public int coreReloRecSize() {
        return coreReloRecSize;
    }

    public List<Block<FuncInfo>> funcInfoBlocks() {
        return funcInfo;
    }

    public List<Block<LineInfo>> lineInfoBlocks() {
        return lineInfo;
    }

    public List<Block<CoreRelo>> coreReloBlocks() {
        return coreRelos;
    }

    /**
     * The func_info records of ELF section {@code sec}: the first block with that name, as
     * adjust_prog_btf_ext_info() uses the first matching block; empty when there is none.
     */
    public List<FuncInfo> funcInfo(String sec) {
        return first(funcInfo, sec);
    }

    /** The line_info records of ELF section {@code sec} (first block with that name). */
    public List<LineInfo> lineInfo(String sec) {
        return first(lineInfo, sec);
    }

    /**
     * The CO-RE relocations of ELF section {@code sec}: every block with that name, in order, as
     * bpf_object__relocate_core() walks all blocks (a relocation's index "relo #N" counts within
     * its block: use {@link #coreReloBlocks()} when that matters).
     */
    public List<CoreRelo> coreRelos(String sec) {
        List<CoreRelo> out = new ArrayList<>();
        for (Block<CoreRelo> bl : coreRelos) {
            if (!sec.isEmpty() && bl.secName().equals(sec)) {
                out.addAll(bl.records());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The names of the sections that have at least one block, in first-seen order, any sub-section. */
    public List<String> sectionNames() {
        List<String> out = new ArrayList<>();
        for (List<? extends Block<?>> l : List.of(funcInfo, lineInfo, coreRelos)) {
            for (Block<?> bl : l) {
                if (!bl.secName().isEmpty() && !out.contains(bl.secName())) {
                    out.add(bl.secName());
                }
            }
        }
        return out;
    }

    private static <T> List<T> first(List<Block<T>> blocks, String sec) {
        if (sec.isEmpty()) {
            return List.of();
        }
        for (Block<T> bl : blocks) {
            if (bl.secName().equals(sec)) {
                return bl.records();
            }
        }
        return List.of();
    }

    /** A line_info record's file name, or null when the offset is not a {@code .BTF} string. */
    public String fileName(LineInfo li) {
        return strOrNull(btf, li.fileNameOff());
    }

    /** A line_info record's source line text, or null when the offset is not a {@code .BTF} string. */
    public String lineText(LineInfo li) {
        return strOrNull(btf, li.lineOff());
    }

    @Override
    public String toString() {
        return "BtfExt[func_info " + funcInfo.size() + " blocks, line_info " + lineInfo.size() + " blocks, core_relo "
                + coreRelos.size() + " blocks]";
    }
}
