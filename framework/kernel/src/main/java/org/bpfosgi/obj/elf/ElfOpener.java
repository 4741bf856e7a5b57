package org.bpfosgi.obj.elf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfException;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.obj.elf.ElfFile.Rel;
import org.bpfosgi.obj.elf.ElfFile.Shdr;
import org.bpfosgi.obj.elf.ElfFile.Sym;
import org.bpfosgi.obj.elf.ElfObject.Extern;
import org.bpfosgi.obj.elf.ElfObject.ExternKind;
import org.bpfosgi.obj.elf.ElfObject.KcfgType;
import org.bpfosgi.obj.elf.ElfObject.MapDef;
import org.bpfosgi.obj.elf.ElfObject.MapKind;
import org.bpfosgi.obj.elf.ElfObject.Program;
import org.bpfosgi.obj.elf.ElfObject.Relo;
import org.bpfosgi.obj.elf.ElfObject.ReloType;

/**
 * libbpf v1.5's open phase over an {@link ElfFile}, step by step in bpf_object_open()'s order
 * (see {@link ElfObject}). Each method names the libbpf function it models; messages are
 * libbpf's, with the offending offset added where libbpf's own text has none.
 */
final class ElfOpener {
    private static final int FORMAT = -ObjOpenException.LIBBPF_ERRNO__FORMAT;
    private static final int RELOC = -ObjOpenException.LIBBPF_ERRNO__RELOC;
    private static final int EINVAL = Errno.EINVAL.negative(), ENOENT = Errno.ENOENT.negative(),
            ENOTSUP = Errno.EOPNOTSUPP.negative(), ESRCH = Errno.ESRCH.negative();
    static final int BPF_MAP_TYPE_ARRAY = 2, BPF_MAP_TYPE_PROG_ARRAY = 3, BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
            BPF_MAP_TYPE_HASH_OF_MAPS = 13, BPF_MAP_TYPE_STRUCT_OPS = 26, BPF_MAP_TYPE_RINGBUF = 27,
            BPF_MAP_TYPE_USER_RINGBUF = 31;
    static final int BPF_F_RDONLY_PROG = 1 << 7, BPF_F_MMAPABLE = 1 << 10, BPF_F_LINK = 1 << 13;
    private static final int VAR_STATIC = 0, VAR_GLOBAL_ALLOCATED = 1, VAR_GLOBAL_EXTERN = 2;
    private static final int FUNC_EXTERN = 2;

    /** enum sec_type of libbpf's elf_sec_desc. */
    private enum SecType { NONE, DATA, RODATA, ST_OPS, RELO, BSS }

    private final ElfObject o;
    private final ElfFile f;
    private final String file;
    private SecType[] secType;
    private byte[][] secData;
    private byte[] symbols;
    private int nrSyms;
    private int symbolsShndx = -1;
    private int strtabIdx;
    private int btfMapsShndx = -1;
    private int btfMapsSecBtfId;
    private boolean hasStOps;
    /** DATASEC id to its VARs with offsets from the ELF symbols, sorted (btf_fixup_datasec). */
    private final Map<Integer, List<BtfType.VarSecInfo>> datasecVars = new LinkedHashMap<>();
    /** VARs whose symbol is hidden: their linkage counts as static. */
    private final Set<Integer> hiddenVars = new HashSet<>();
    /** Map index of each user map's VAR position in .maps (btf_var_idx). */
    private final Map<Integer, Integer> btfVarIdx = new LinkedHashMap<>();

    private ElfOpener(ElfObject o, ElfFile f) {
        this.o = o;
        this.f = f;
        this.file = o.file();
    }

    static void open(ElfObject o, byte[] bytes) {
        ElfFile f = ElfFile.parse(o.file(), bytes);
        ElfOpener op = new ElfOpener(o, f);
        o.nativeEndian = f.nativeEndian(); // obj->byteorder
        try {
            op.elfCollect();
            op.collectExterns();
            op.fixupBtf();
            op.initMaps();
            op.collectRelos();
            o.kernBtf = op.kernBtf();
        } catch (BtfException e) {
            // a BTF query on types that parsed but do not hang together (an id out of range,
            // a string offset outside the strings): libbpf's btf__type_by_id() returns NULL there
            throw op.fail(EINVAL, "BTF of " + o.file() + " (section .BTF): " + e.getMessage());
        }
    }

    private ObjOpenException fail(int err, String line) {
        return new ObjOpenException(file, err, line);
    }

    // ------------------------------------------------------------------ bpf_object__elf_collect

    /** Models ignore_elf_section(). */
    private static boolean ignore(Shdr sh, String name) {
        if (sh.type() == ElfFile.SHT_STRTAB || sh.type() == ElfFile.SHT_LLVM_ADDRSIG) {
            return true;
        }
        if (sh.type() == ElfFile.SHT_PROGBITS && sh.size() == 0 && name.equals(".text")) {
            return true;
        }
        if (name.startsWith(".debug_")) {
            return true;
        }
        if (name.startsWith(".rel")) {
            String t = name.substring(4);
            return t.startsWith(".debug_") || t.equals(".BTF") || t.equals(".BTF.ext");
        }
        return false;
    }

    /** Models bpf_object__elf_collect(): two passes over the sections, then programs sorted, then BTF. */
    private void elfCollect() {
        int n = f.sectionCount();
        secType = new SecType[n];
        Arrays.fill(secType, SecType.NONE);
        secData = new byte[n][];
        for (int idx = 1; idx < n; idx++) {
            Shdr sh = f.shdr(idx);
            if (sh.type() == ElfFile.SHT_SYMTAB) {
                if (symbols != null) {
                    throw fail(FORMAT, "elf: multiple symbol tables in " + file + " (sections " + symbolsShndx + " and " + idx + ")");
                }
                symbols = f.secData(idx);
                symbolsShndx = idx;
                strtabIdx = sh.link();
            }
        }
        if (symbols == null) {
            throw fail(ENOENT, "elf: couldn't find symbol table in " + file + ", stripped object file?");
        }
        nrSyms = symbols.length / ElfFile.SYM_SIZE;
        byte[] btfData = null;
        byte[] btfExtData = null;
        int idx = 0;
        for (idx = 1; idx < n; idx++) {
            Shdr sh = f.shdr(idx);
            String name = f.secNameOrFail(idx);
            if (ignore(sh, name)) {
                o.sections.add(new ElfObject.Section(idx, name, shtName(sh.type()), sh.size(), "ignored"));
                continue;
            }
            byte[] data = f.secData(idx);
            String role;
            if (name.equals("license")) {
                initLicense(data);
                role = "license";
            } else if (name.equals("version")) {
                if (data.length != 4) {
                    throw fail(FORMAT, "invalid kver section in " + file + " (section " + idx + " 'version' is " + data.length
                            + " bytes, not 4)");
                }
                o.kernVersion = ElfFile.u32(data, 0);
                role = "kern_version";
            } else if (name.equals("maps")) {
                throw fail(ENOTSUP, "elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+");
            } else if (name.equals(".maps")) {
                btfMapsShndx = idx;
                role = "BTF-defined maps";
            } else if (name.equals(".BTF")) {
                if (sh.type() != ElfFile.SHT_PROGBITS) {
                    throw fail(FORMAT, "elf: section(" + idx + ") .BTF is not SHT_PROGBITS (sh_type " + sh.type() + ")");
                }
                btfData = data;
                role = "BTF";
            } else if (name.equals(".BTF.ext")) {
                if (sh.type() != ElfFile.SHT_PROGBITS) {
                    throw fail(FORMAT, "elf: section(" + idx + ") .BTF.ext is not SHT_PROGBITS (sh_type " + sh.type() + ")");
                }
                btfExtData = data;
                role = "BTF.ext";
            } else if (sh.type() == ElfFile.SHT_SYMTAB) {
                role = "symbols";
            } else if (sh.type() == ElfFile.SHT_PROGBITS && data.length > 0) {
                if (sh.exec()) {
                    if (name.equals(".text")) {
                        o.textShndx = idx;
                    }
                    addPrograms(data, name, idx);
                    role = name.equals(".text") ? "subprograms" : "programs";
                } else if (name.equals(".data") || name.startsWith(".data.")) {
                    secType[idx] = SecType.DATA;
                    secData[idx] = data;
                    role = "global data";
                } else if (name.equals(".rodata") || name.startsWith(".rodata.")) {
                    secType[idx] = SecType.RODATA;
                    secData[idx] = data;
                    role = "read-only global data";
                } else if (List.of(".struct_ops", ".struct_ops.link", "?.struct_ops", "?.struct_ops.link").contains(name)) {
                    secType[idx] = SecType.ST_OPS;
                    secData[idx] = data;
                    hasStOps = true;
                    role = "struct_ops";
                } else {
                    role = "skipped (unrecognized data section)";
                }
            } else if (sh.type() == ElfFile.SHT_REL) {
                int targ = sh.info();
                if (sh.entsize() != ElfFile.REL_SIZE || targ < 0 || targ >= n) {
                    throw fail(FORMAT, "elf: relo section(" + idx + ") " + name + ": sh_entsize " + sh.entsize()
                            + " (must be 16) or target section sh_info " + Integer.toUnsignedString(targ) + " (there are " + n
                            + " sections) is invalid");
                }
                boolean exec = f.shdr(targ).exec();
                if (!exec && !List.of(".rel.struct_ops", ".rel.struct_ops.link", ".rel?.struct_ops", ".rel?.struct_ops.link",
                        ".rel.maps").contains(name)) {
                    role = "skipped (relocations for " + Optional.ofNullable(f.secName(targ)).orElse("<?>") + ")";
                } else {
                    secType[idx] = SecType.RELO;
                    secData[idx] = data;
                    role = "relocations for " + Optional.ofNullable(f.secName(targ)).orElse("<?>");
                }
            } else if (sh.type() == ElfFile.SHT_NOBITS && (name.equals(".bss") || name.startsWith(".bss."))) {
                secType[idx] = SecType.BSS;
                secData[idx] = data;
                role = "zeroed global data";
            } else {
                role = "skipped";
            }
            o.sections.add(new ElfObject.Section(idx, name, shtName(sh.type()), sh.size(), role));
        }
        if (strtabIdx == 0 || Integer.compareUnsigned(strtabIdx, idx - 1) > 0 || strtabIdx < 0) {
            throw fail(FORMAT, "elf: symbol strings section missing or invalid in " + file + " (the symbol table's sh_link is "
                    + Integer.toUnsignedString(strtabIdx) + ")");
        }
        o.programs.sort(ElfObject.CMP_PROGS);
        initBtf(btfData, btfExtData);
    }

    private static String shtName(int t) {
        return switch (t) {
            case 0 -> "NULL";
            case ElfFile.SHT_PROGBITS -> "PROGBITS";
            case ElfFile.SHT_SYMTAB -> "SYMTAB";
            case ElfFile.SHT_STRTAB -> "STRTAB";
            case ElfFile.SHT_NOBITS -> "NOBITS";
            case ElfFile.SHT_REL -> "REL";
            case ElfFile.SHT_LLVM_ADDRSIG -> "LLVM_ADDRSIG";
            default -> "0x" + Integer.toHexString(t);
        };
    }

    /** Models bpf_object__init_license(): a C string of at most 63 characters. */
    private void initLicense(byte[] data) {
        int end = 0;
        while (end < data.length && end < 63 && data[end] != 0) {
            end++;
        }
        o.license = new String(data, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    Sym sym(long i) {
        return ElfFile.sym(symbols, (int) i);
    }

    String symStr(Sym s) {
        return f.str(strtabIdx, Integer.toUnsignedLong(s.nameOff()));
    }

    /** Models bpf_object__add_programs() and bpf_object__init_prog(). */
    private void addPrograms(byte[] data, String secName, int secIdx) {
        for (int i = 0; i < nrSyms; i++) {
            Sym s = sym(i);
            if (s.shndx() != secIdx || s.type() != ElfFile.STT_FUNC) {
                continue;
            }
            long size = s.size();
            long off = s.value();
            String name = symStr(s);
            if (name == null) {
                throw fail(FORMAT, "sec '" + secName + "': failed to get symbol name for offset " + Long.toUnsignedString(off)
                        + " (symbol #" + i + ", st_name 0x" + Integer.toHexString(s.nameOff()) + ")");
            }
            if (off < 0 || size < 0 || off + size < 0 || off + size > data.length) {
                throw fail(FORMAT, "sec '" + secName + "': program at offset " + Long.toUnsignedString(off)
                        + " crosses section boundary (size " + Long.toUnsignedString(size) + ", section " + data.length + " bytes)");
            }
            if (secIdx != o.textShndx && s.bind() == ElfFile.STB_LOCAL) {
                throw fail(ENOTSUP, "sec '" + secName + "': program '" + name + "' is static and not supported");
            }
            if (size == 0 || size % Insn.SIZE != 0 || off % Insn.SIZE != 0) {
                throw fail(EINVAL, "sec '" + secName + "': corrupted program '" + name + "', offset " + off + ", size " + size);
            }
            byte[] raw = Arrays.copyOfRange(data, (int) off, (int) (off + size));
            if (!f.nativeEndian()) {
                // bpf_object_bswap_progs() (after every section is collected; nothing between reads
                // the instructions, so swapping each program as it is collected is the same)
                bswapInsns(raw);
            }
            List<Insn> insns = Insn.decodeAll(raw);
            boolean autoload = !secName.startsWith("?");
            String sec = autoload ? secName : secName.substring(1);
            // bpf_object_init_progs(): find_sec_def() on the name without '?'
            o.programs.add(new Program(name, sec, secIdx, (int) (off / Insn.SIZE), insns, autoload, SecDef.find(sec),
                    List.of(), secIdx == o.textShndx));
        }
    }

    /**
     * bpf_insn_bswap() on each instruction: dst_reg and src_reg trade places, off and imm are
     * byte-swapped; the opcode is a byte.
     */
    static void bswapInsns(byte[] raw) {
        for (int p = 0; p + Insn.SIZE <= raw.length; p += Insn.SIZE) {
            raw[p + 1] = (byte) ((raw[p + 1] & 0x0f) << 4 | (raw[p + 1] & 0xf0) >>> 4);
            ElfFile.swap(raw, p + 2, 2);
            ElfFile.swap(raw, p + 4, 4);
        }
    }

    /** Models bpf_object__init_btf(). */
    private void initBtf(byte[] btfData, byte[] btfExtData) {
        int err = ENOENT;
        String why = ".BTF is missing";
        if (btfData != null) {
            try {
                // btf__new(): btf_parse_hdr() takes either byte order (BtfByteSwap), the reader the native one
                o.btf = Btf.parse(BtfByteSwap.toNative(btfData));
                err = 0;
            } catch (BtfByteSwap.UnsupportedHeader e) {
                err = ENOTSUP;
                why = "Error loading ELF section .BTF: " + err + ". (" + e.getMessage() + ")";
                o.btf = null;
            } catch (RuntimeException e) {
                // btf__new() failed: the model's BTF reader says why
                err = EINVAL;
                why = "Error loading ELF section .BTF: " + err + ". (" + e.getMessage() + ")";
                o.btf = null;
            }
        }
        if (o.btf != null && btfExtData != null) {
            o.btfExt = btfExtData;
            try {
                o.btfExtParsed = org.bpfosgi.btf.BtfExt.parse(btfExtData, o.btf);
            } catch (RuntimeException e) {
                // btf_ext__new() failed: the object goes on without .BTF.ext (no CO-RE, no func/line info)
                int code = e instanceof org.bpfosgi.btf.BtfExt.ParseError pe ? pe.err() : EINVAL;
                o.warnings.add("Error loading ELF section .BTF.ext: " + code + ". Ignored and continue. (" + e.getMessage() + ")");
            }
        }
        if (err != 0 && (btfMapsShndx >= 0 || hasStOps)) {
            throw fail(err, "BTF is required, but is missing or corrupted. (" + why + ")");
        }
    }

    // ------------------------------------------------------------------ externs

    /** Models bpf_core_essential_name_len(): the name up to its last X___Y flavour separator. */
    static String essentialName(String n) {
        for (int i = n.length() - 5; i >= 0; i--) {
            if (n.charAt(i) != '_' && n.charAt(i + 1) == '_' && n.charAt(i + 2) == '_' && n.charAt(i + 3) == '_'
                    && n.charAt(i + 4) != '_') {
                return n.substring(0, i + 1);
            }
        }
        return n;
    }

    private static boolean symIsExtern(Sym s) {
        return s.shndx() == ElfFile.SHN_UNDEF && (s.bind() == ElfFile.STB_GLOBAL || s.bind() == ElfFile.STB_WEAK)
                && s.type() == ElfFile.STT_NOTYPE;
    }

    /** Models bpf_object__collect_externs(). */
    private void collectExterns() {
        Shdr sh = f.shdr(symbolsShndx);
        if (sh.entsize() != ElfFile.SYM_SIZE) {
            throw fail(FORMAT, "elf: symbol table (section " + symbolsShndx + ") has sh_entsize " + sh.entsize() + ", not 24");
        }
        Btf b = o.btf;
        List<Extern> exts = new ArrayList<>();
        for (int i = 0; i < nrSyms; i++) {
            Sym s = sym(i);
            if (!symIsExtern(s)) {
                continue;
            }
            String extName = symStr(s);
            if (extName == null || extName.isEmpty()) {
                continue;
            }
            int btfId = findExternBtfId(b, extName);
            if (btfId <= 0) {
                throw fail(btfId, "failed to find BTF for extern '" + extName + "': " + btfId);
            }
            BtfType t = b.type(btfId);
            String name = b.name(btfId);
            boolean weak = s.bind() == ElfFile.STB_WEAK;
            int secId = findExternSecBtfId(b, btfId);
            if (secId <= 0) {
                throw fail(ENOENT, "failed to find BTF for extern '" + extName + "' [" + btfId + "] section: " + ENOENT);
            }
            String secName = b.name(secId);
            boolean func = t instanceof BtfType.Func;
            int type = func ? ((BtfType.Func) t).type() : ((BtfType.Var) t).type();
            if (secName.equals(".kconfig")) {
                if (func) {
                    throw fail(ENOTSUP, "extern function " + name + " is unsupported under .kconfig section");
                }
                long sz;
                try {
                    sz = b.resolveSize(type);
                } catch (BtfException e) {
                    sz = EINVAL;
                }
                if (sz <= 0) {
                    throw fail(sz < 0 ? (int) sz : EINVAL, "failed to resolve size of extern (kcfg) '" + extName + "': " + sz);
                }
                int align = alignOf(b, type, 0);
                if (align <= 0) {
                    throw fail(EINVAL, "failed to determine alignment of extern (kcfg) '" + extName + "': " + align);
                }
                boolean[] signed = {false};
                KcfgType kt = findKcfgType(b, type, signed);
                if (kt == KcfgType.UNKNOWN) {
                    throw fail(ENOTSUP, "extern (kcfg) '" + extName + "': type is unsupported");
                }
                exts.add(new Extern(name, essentialName(name), ExternKind.KCFG, weak, btfId, i, false, 0, kt, (int) sz, align,
                        signed[0], 0));
            } else if (secName.equals(".ksyms")) {
                exts.add(new Extern(name, essentialName(name), ExternKind.KSYM, weak, btfId, i, func, b.resolve(type),
                        KcfgType.UNKNOWN, 0, 0, false, 0));
            } else {
                throw fail(ENOTSUP, "unrecognized extern section '" + secName + "'");
            }
        }
        // cmp_externs(): KCFG before KSYM; KCFG by alignment descending, size ascending; then name
        exts.sort(Comparator.comparing((Extern e) -> e.kind().ordinal())
                .thenComparing((a, c) -> a.kind() == ExternKind.KCFG ? Integer.compare(c.kcfgAlign(), a.kcfgAlign()) : 0)
                .thenComparing((a, c) -> a.kind() == ExternKind.KCFG ? Integer.compare(a.kcfgSize(), c.kcfgSize()) : 0)
                .thenComparing(Extern::name));
        int off = 0;
        for (int i = 0; i < exts.size(); i++) {
            Extern e = exts.get(i);
            if (e.kind() == ExternKind.KCFG) {
                int dataOff = (off + e.kcfgAlign() - 1) / e.kcfgAlign() * e.kcfgAlign();
                exts.set(i, e.withDataOff(dataOff));
                off = dataOff + e.kcfgSize();
            }
        }
        o.externs.addAll(exts);
        // every VAR/FUNC of the .kconfig and .ksyms DATASECs must be an extern of the object
        if (b != null && !exts.isEmpty()) {
            for (int id = 1; id < b.nrTypes(); id++) {
                if (b.type(id) instanceof BtfType.DataSec ds && (b.name(id).equals(".kconfig") || b.name(id).equals(".ksyms"))) {
                    for (BtfType.VarSecInfo v : ds.vars()) {
                        String vn = b.name(v.type());
                        if (exts.stream().noneMatch(e -> e.name().equals(vn))) {
                            throw fail(ESRCH, "failed to find extern definition for BTF " + kindName(b, v.type()) + " '" + vn + "'");
                        }
                    }
                }
            }
        }
    }

    private static String kindName(Btf b, int id) {
        return b.kind(id) == BtfKind.FUNC ? "func" : "var";
    }

    /** Models find_extern_btf_id(). */
    private static int findExternBtfId(Btf b, String name) {
        if (b == null) {
            return Errno.ESRCH.negative();
        }
        for (int i = 1; i < b.nrTypes(); i++) {
            BtfType t = b.type(i);
            if (!(t instanceof BtfType.Var) && !(t instanceof BtfType.Func)) {
                continue;
            }
            if (!b.name(i).equals(name)) {
                continue;
            }
            if (t instanceof BtfType.Var v && v.linkage() != VAR_GLOBAL_EXTERN) {
                return EINVAL;
            }
            if (t instanceof BtfType.Func fn && fn.linkage() != FUNC_EXTERN) {
                return EINVAL;
            }
            return i;
        }
        return ENOENT;
    }

    /** Models find_extern_sec_btf_id(): the first DATASEC listing the id. */
    private static int findExternSecBtfId(Btf b, int id) {
        for (int i = 1; i < b.nrTypes(); i++) {
            if (b.type(i) instanceof BtfType.DataSec ds) {
                for (BtfType.VarSecInfo v : ds.vars()) {
                    if (v.type() == id) {
                        return i;
                    }
                }
            }
        }
        return ENOENT;
    }

    /** Models find_kcfg_type(). */
    private static KcfgType findKcfgType(Btf b, int id, boolean[] signed) {
        int r = b.resolve(id);
        BtfType t = r == 0 ? null : b.type(r);
        if (signed != null) {
            signed[0] = false;
        }
        if (t instanceof BtfType.Int i) {
            if ((i.encoding() & BtfType.INT_BOOL) != 0) {
                return i.size() == 1 ? KcfgType.BOOL : KcfgType.UNKNOWN;
            }
            if (signed != null) {
                signed[0] = (i.encoding() & BtfType.INT_SIGNED) != 0;
            }
            if (i.size() == 1) {
                return KcfgType.CHAR;
            }
            if (i.size() < 1 || i.size() > 8 || (i.size() & (i.size() - 1)) != 0) {
                return KcfgType.UNKNOWN;
            }
            return KcfgType.INT;
        }
        if (t instanceof BtfType.Enum e) {
            return e.size() == 4 && b.name(r).equals("libbpf_tristate") ? KcfgType.TRISTATE : KcfgType.UNKNOWN;
        }
        if (t instanceof BtfType.Enum64) {
            return b.name(r).equals("libbpf_tristate") ? KcfgType.TRISTATE : KcfgType.UNKNOWN;
        }
        if (t instanceof BtfType.Array a) {
            if (a.nelems() == 0 || findKcfgType(b, a.type(), null) != KcfgType.CHAR) {
                return KcfgType.UNKNOWN;
            }
            return KcfgType.CHAR_ARR;
        }
        return KcfgType.UNKNOWN;
    }

    /** Models btf__align_of() for the kinds a kcfg extern can have (and structs, for completeness). */
    private static int alignOf(Btf b, int id, int depth) {
        if (depth > 32) {
            return EINVAL;
        }
        int r = b.resolve(id);
        if (r == 0) {
            return EINVAL;
        }
        BtfType t = b.type(r);
        if (t instanceof BtfType.Int i) {
            return Math.min(i.size(), 8);
        }
        if (t instanceof BtfType.Enum e) {
            return Math.min(e.size(), 8);
        }
        if (t instanceof BtfType.Enum64 e) {
            return Math.min(e.size(), 8);
        }
        if (t instanceof BtfType.Float fl) {
            return Math.min(fl.size(), 8);
        }
        if (t.kind() == BtfKind.PTR) {
            return 8;
        }
        if (t instanceof BtfType.Array a) {
            return alignOf(b, a.type(), depth + 1);
        }
        if (t instanceof BtfType.Composite c) {
            int max = 1;
            for (BtfType.Member m : c.members()) {
                int a = alignOf(b, m.type(), depth + 1);
                if (a <= 0) {
                    return a;
                }
                max = Math.max(max, a);
            }
            return max;
        }
        return EINVAL;
    }

    // ------------------------------------------------------------------ bpf_object_fixup_btf

    /** Models btf_fixup_datasec() for every DATASEC: sizes from the sections, offsets from the symbols. */
    private void fixupBtf() {
        Btf b = o.btf;
        if (b == null) {
            return;
        }
        for (int id = 1; id < b.nrTypes(); id++) {
            if (!(b.type(id) instanceof BtfType.DataSec ds)) {
                continue;
            }
            String secName = b.name(id);
            List<BtfType.VarSecInfo> vars = new ArrayList<>(ds.vars());
            if (!secName.equals(".kconfig") && !secName.equals(".ksyms")) {
                boolean fixupOffsets = false;
                if (ds.size() == 0) {
                    long size = elfSecSize(secName);
                    if (size <= 0) {
                        throw fail(ENOENT, "sec '" + secName + "': failed to determine size from ELF: size "
                                + Math.max(size, 0) + ", err " + (size < 0 ? ENOENT : 0) + " (BTF DATASEC [" + id + "])");
                    }
                    fixupOffsets = true;
                }
                for (int i = 0; i < vars.size(); i++) {
                    BtfType.VarSecInfo vsi = vars.get(i);
                    int vt = vsi.type();
                    if (vt <= 0 || vt >= b.nrTypes() || !(b.type(vt) instanceof BtfType.Var var)) {
                        throw fail(EINVAL, "sec '" + secName + "': unexpected non-VAR type found (BTF DATASEC [" + id + "] entry #" + i + ")");
                    }
                    if (var.linkage() == VAR_STATIC || var.linkage() == VAR_GLOBAL_EXTERN) {
                        continue;
                    }
                    String varName = b.name(vt);
                    Sym s = findElfVarSym(varName);
                    if (s == null) {
                        throw fail(ENOENT, "sec '" + secName + "': failed to find ELF symbol for VAR '" + varName + "'");
                    }
                    if (fixupOffsets) {
                        if (s.value() < 0 || s.value() > Integer.MAX_VALUE) {
                            throw fail(EINVAL, "sec '" + secName + "': VAR '" + varName + "' symbol value 0x"
                                    + Long.toHexString(s.value()) + " is out of range");
                        }
                        vars.set(i, new BtfType.VarSecInfo(vt, (int) s.value(), vsi.size()));
                    }
                    if (s.visibility() == ElfFile.STV_HIDDEN || s.visibility() == ElfFile.STV_INTERNAL) {
                        hiddenVars.add(vt);
                    }
                }
            }
            vars.sort(Comparator.comparingLong(v -> Integer.toUnsignedLong(v.offset())));
            datasecVars.put(id, vars);
        }
    }

    /**
     * The object's BTF as bpf_object__load() uploads it (BPF_BTF_LOAD): the in-memory edits of the
     * open phase written back — every DATASEC with its size from the ELF section and its VARs'
     * offsets from their symbols (btf_fixup_datasec()), a VAR whose symbol is hidden made STATIC,
     * and the {@code .kconfig} DATASEC laid out as bpf_object__collect_externs() lays it out
     * (each KCFG extern GLOBAL_ALLOCATED at its data_off, the size the end of the last). Not
     * rewritten: the {@code .ksyms} DATASEC (libbpf gives its entries 4 bytes each and replaces
     * FUNCs by a {@code dummy_ksym} VAR so that the kernel's BTF checks pass; the model's
     * BPF_BTF_LOAD does not run those checks and no map's value type is {@code .ksyms}).
     */
    private org.bpfosgi.btf.Btf kernBtf() {
        Btf b = o.btf;
        if (b == null) {
            return null;
        }
        Map<Integer, BtfType> replace = new HashMap<>();
        for (Map.Entry<Integer, List<BtfType.VarSecInfo>> e : datasecVars.entrySet()) {
            int id = e.getKey();
            BtfType.DataSec ds = (BtfType.DataSec) b.type(id);
            String name = b.name(id);
            if (name.equals(".ksyms")) {
                continue;
            }
            List<BtfType.VarSecInfo> vars = e.getValue();
            int size = ds.size();
            if (name.equals(".kconfig")) {
                // bpf_object__collect_externs(): size = end of the last KCFG extern, each entry's
                // offset its extern's data_off (size kept), its VAR GLOBAL_ALLOCATED; then sorted
                size = 0;
                for (Extern x : o.externs) {
                    if (x.kind() == ExternKind.KCFG) {
                        size = x.kcfgDataOff() + x.kcfgSize();
                    }
                }
                List<BtfType.VarSecInfo> laid = new ArrayList<>();
                for (BtfType.VarSecInfo vsi : ds.vars()) {
                    Extern x = o.externs.stream().filter(ex -> ex.kind() == ExternKind.KCFG && ex.btfId() == vsi.type())
                            .findFirst().orElse(null);
                    if (x == null) {
                        continue; // collect_externs() refused such an entry already
                    }
                    laid.add(new BtfType.VarSecInfo(vsi.type(), x.kcfgDataOff(), vsi.size()));
                    BtfType.Var v = (BtfType.Var) b.type(x.btfId());
                    replace.put(x.btfId(), new BtfType.Var(v.nameOff(), v.type(), VAR_GLOBAL_ALLOCATED));
                }
                laid.sort(Comparator.comparingLong(v -> Integer.toUnsignedLong(v.offset())));
                vars = laid;
            } else if (size == 0) {
                size = (int) elfSecSize(name);
            }
            replace.put(id, new BtfType.DataSec(ds.nameOff(), size, vars));
        }
        for (int v : hiddenVars) {
            BtfType.Var var = (BtfType.Var) b.type(v);
            replace.put(v, new BtfType.Var(var.nameOff(), var.type(), VAR_STATIC));
        }
        return replace.isEmpty() ? b : Btf.parse(org.bpfosgi.btf.BtfWriter.write(b, replace::get));
    }

    /** find_elf_sec_sz(): the size of the first section of that name, -1 when none. */
    private long elfSecSize(String name) {
        for (int i = 1; i < f.sectionCount(); i++) {
            if (name.equals(f.secName(i))) {
                return f.shdr(i).size();
            }
        }
        return -1;
    }

    /** Models find_elf_var_sym(): an OBJECT symbol, GLOBAL or WEAK, of that name. */
    private Sym findElfVarSym(String name) {
        for (int i = 0; i < nrSyms; i++) {
            Sym s = sym(i);
            if (s.type() != ElfFile.STT_OBJECT || (s.bind() != ElfFile.STB_GLOBAL && s.bind() != ElfFile.STB_WEAK)) {
                continue;
            }
            String sn = symStr(s);
            if (sn == null) {
                throw fail(Errno.EIO.negative(), "failed to get sym name string for var " + name + " (symbol #" + i + ")");
            }
            if (sn.equals(name)) {
                return s;
            }
        }
        return null;
    }

    private List<BtfType.VarSecInfo> vars(int datasecId) {
        return datasecVars.getOrDefault(datasecId, List.of());
    }

    // ------------------------------------------------------------------ maps

    /** Models bpf_object__init_maps(): .maps, global data, .kconfig, struct_ops, in that order. */
    private void initMaps() {
        initUserBtfMaps();
        initGlobalDataMaps();
        initKconfigMap();
        initStructOps();
    }

    private int findDatasec(String name) {
        Btf b = o.btf;
        for (int id = 1; id < b.nrTypes(); id++) {
            if (b.kind(id) == BtfKind.DATASEC && b.name(id).equals(name)) {
                return id;
            }
        }
        return -1;
    }

    /** Models bpf_object__init_user_btf_maps() and bpf_object__init_user_btf_map(). */
    private void initUserBtfMaps() {
        if (btfMapsShndx < 0) {
            return;
        }
        Btf b = o.btf;
        int sec = findDatasec(".maps");
        if (sec < 0) {
            throw fail(ENOENT, "DATASEC '.maps' not found.");
        }
        btfMapsSecBtfId = sec;
        byte[] data = f.secData(btfMapsShndx);
        List<BtfType.VarSecInfo> vs = vars(sec);
        for (int vi = 0; vi < vs.size(); vi++) {
            BtfType.VarSecInfo v = vs.get(vi);
            String mapName = b.name(v.type());
            if (mapName.isEmpty()) {
                throw fail(EINVAL, "map #" + vi + ": empty name.");
            }
            if (Integer.toUnsignedLong(v.offset()) + Integer.toUnsignedLong(v.size()) > data.length) {
                throw fail(EINVAL, "map '" + mapName + "' BTF data is corrupted. (offset " + Integer.toUnsignedString(v.offset())
                        + " size " + Integer.toUnsignedString(v.size()) + " in .maps of " + data.length + " bytes)");
            }
            if (!(b.type(v.type()) instanceof BtfType.Var var)) {
                throw fail(EINVAL, "map '" + mapName + "': unexpected var kind " + ElfObject.kindStr(b, v.type()) + ".");
            }
            if (var.linkage() != VAR_GLOBAL_ALLOCATED) {
                throw fail(ENOTSUP, "map '" + mapName + "': unsupported map linkage " + linkageStr(var.linkage()) + ".");
            }
            int defId = b.resolve(var.type());
            if (b.kind(defId) != BtfKind.STRUCT) {
                throw fail(EINVAL, "map '" + mapName + "': unexpected def kind " + ElfObject.kindStr(b, v.type()) + ".");
            }
            BtfType.Composite def = (BtfType.Composite) b.type(defId);
            if (Integer.toUnsignedLong(def.size()) > Integer.toUnsignedLong(v.size())) {
                throw fail(EINVAL, "map '" + mapName + "': invalid def size.");
            }
            BtfMapDef md = BtfMapDef.parse(mapName, b, def, true, false, (err, line) -> fail(err, line));
            int maxEntries = md.maxEntries();
            if (md.type() == BPF_MAP_TYPE_RINGBUF || md.type() == BPF_MAP_TYPE_USER_RINGBUF) {
                maxEntries = adjustRingbufSz(maxEntries);
            }
            btfVarIdx.put(o.maps.size(), vi);
            o.maps.add(new MapDef(mapName, mapName, MapKind.USER, md.type(), md.keySize(), md.valueSize(), maxEntries,
                    md.mapFlags(), btfMapsShndx, Integer.toUnsignedLong(v.offset()), md.keyTypeId(), md.valueTypeId(),
                    new byte[0], true, Map.of(), null));
        }
    }

    private static String linkageStr(int l) {
        return switch (l) {
            case VAR_STATIC -> "static";
            case VAR_GLOBAL_ALLOCATED -> "global";
            case VAR_GLOBAL_EXTERN -> "extern";
            default -> "unknown";
        };
    }

    /** Models adjust_ringbuf_sz() with 4 KiB pages. */
    private static int adjustRingbufSz(int sz) {
        long page = 4096;
        long u = Integer.toUnsignedLong(sz);
        if (u == 0) {
            return 0;
        }
        if (u % page == 0 && Long.bitCount(u / page) == 1) {
            return sz;
        }
        for (long mul = 1; mul <= 0xffffffffL / page; mul <<= 1) {
            if (mul * page > u) {
                return (int) (mul * page);
            }
        }
        return sz;
    }

    /** Models internal_map_name(). */
    private String internalMapName(String realName) {
        int sfx = Math.min(Math.max(7, realName.length()), 15);
        int pfx = realName.indexOf('.', 1) >= 0 ? 0 : Math.min(16 - sfx - 1, o.name().length());
        String n = o.name().substring(0, pfx) + realName.substring(0, Math.min(sfx, realName.length()));
        StringBuilder sb = new StringBuilder();
        for (char c : n.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) && c < 0x80 || c == '_' || c == '.' ? c : '_');
        }
        return sb.toString();
    }

    /** Models bpf_object__init_global_data_maps() and bpf_object__init_internal_map(). */
    private void initGlobalDataMaps() {
        for (int idx = 1; idx < f.sectionCount(); idx++) {
            if (secData[idx] == null || secData[idx].length == 0) {
                continue;
            }
            MapKind k = switch (secType[idx]) {
                case DATA -> MapKind.DATA;
                case RODATA -> MapKind.RODATA;
                case BSS -> MapKind.BSS;
                default -> null;
            };
            if (k == null) {
                continue;
            }
            String real = f.secName(idx);
            addInternalMap(k, real, idx, k == MapKind.BSS ? new byte[secData[idx].length] : secData[idx].clone());
        }
    }

    private void addInternalMap(MapKind k, String real, int secIdx, byte[] image) {
        int flags = k == MapKind.RODATA || k == MapKind.KCONFIG ? BPF_F_RDONLY_PROG : 0;
        // map_fill_btf_type_info(): the type named like the section ("failures are fine")
        int valueType = 0;
        if (o.btf != null) {
            List<Integer> ids = o.btf.findAllByName(real);
            valueType = ids.isEmpty() ? 0 : ids.get(0);
        }
        // map_is_mmapable(): a DATASEC with at least one non-static VAR
        if (valueType > 0 && o.btf.kind(valueType) == BtfKind.DATASEC) {
            for (BtfType.VarSecInfo v : ((BtfType.DataSec) o.btf.type(valueType)).vars()) {
                if (v.type() > 0 && v.type() < o.btf.nrTypes() && o.btf.type(v.type()) instanceof BtfType.Var var
                        && var.linkage() != VAR_STATIC && !hiddenVars.contains(v.type())) {
                    flags |= BPF_F_MMAPABLE;
                    break;
                }
            }
        }
        o.maps.add(new MapDef(internalMapName(real), real, k, BPF_MAP_TYPE_ARRAY, 4, image.length, 1, flags, secIdx, 0, 0,
                valueType, image, true, Map.of(), null));
    }

    /** Models bpf_object__init_kconfig_map(): one map for all KCFG externs. */
    private void initKconfigMap() {
        Extern last = null;
        for (Extern e : o.externs) {
            if (e.kind() == ExternKind.KCFG) {
                last = e;
            }
        }
        if (last == null) {
            return;
        }
        addInternalMap(MapKind.KCONFIG, ".kconfig", symbolsShndx, new byte[last.kcfgDataOff() + last.kcfgSize()]);
    }

    /** Models bpf_object_init_struct_ops() / init_struct_ops_maps(). */
    private void initStructOps() {
        for (int idx = 1; idx < f.sectionCount(); idx++) {
            if (secType[idx] != SecType.ST_OPS) {
                continue;
            }
            String secName = f.secName(idx);
            byte[] data = secData[idx];
            Btf b = o.btf;
            int ds = findDatasec(secName);
            if (ds < 0) {
                throw fail(EINVAL, "struct_ops init: DATASEC " + secName + " not found");
            }
            String sn = secName;
            for (BtfType.VarSecInfo v : vars(ds)) {
                String varName = b.name(v.type());
                int typeId = b.resolve(v.type());
                if (b.type(v.type()) instanceof BtfType.Var var) {
                    typeId = b.resolve(var.type());
                }
                String tname = b.name(typeId);
                if (tname.isEmpty()) {
                    throw fail(ENOTSUP, "struct_ops init: anonymous type is not supported");
                }
                if (b.kind(typeId) != BtfKind.STRUCT) {
                    throw fail(EINVAL, "struct_ops init: " + tname + " is not a struct");
                }
                boolean autocreate = true;
                if (sn.startsWith("?")) {
                    autocreate = false; // libbpf's quirk: only the first variable of a '?' section
                    sn = sn.substring(1);
                }
                int size = ((BtfType.Composite) b.type(typeId)).size();
                long voff = Integer.toUnsignedLong(v.offset());
                if (voff + Integer.toUnsignedLong(size) > data.length) {
                    throw fail(EINVAL, "struct_ops init: var " + varName + " is beyond the end of DATASEC " + sn
                            + " (offset " + voff + " size " + size + ", section " + data.length + " bytes)");
                }
                byte[] image = Arrays.copyOfRange(data, (int) voff, (int) voff + size);
                o.maps.add(new MapDef(varName, varName, MapKind.STRUCT_OPS, BPF_MAP_TYPE_STRUCT_OPS, 4, size, 1,
                        sn.equals(".struct_ops.link") ? BPF_F_LINK : 0, idx, voff, 0, typeId, image, autocreate, Map.of(),
                        new ElfObject.StructOps(secName, tname, typeId, Map.of())));
            }
        }
    }

    // ------------------------------------------------------------------ relocations

    /** Models bpf_object__collect_relos(), then bpf_object__sort_relos(). */
    private void collectRelos() {
        for (int idx = 1; idx < f.sectionCount(); idx++) {
            Shdr sh = f.shdr(idx);
            if (sh.type() == ElfFile.SHT_REL && sh.info() >= 0 && sh.info() < f.sectionCount()) {
                listElfRelocs(idx, sh.info());
            }
        }
        for (int idx = 1; idx < f.sectionCount(); idx++) {
            if (secType[idx] != SecType.RELO) {
                continue;
            }
            Shdr sh = f.shdr(idx);
            int targ = sh.info();
            if (secType[targ] == SecType.ST_OPS) {
                collectStOpsRelos(idx, targ);
            } else if (targ == btfMapsShndx) {
                collectMapRelos(idx);
            } else {
                collectProgRelos(idx, targ);
            }
        }
        for (int i = 0; i < o.programs.size(); i++) {
            Program p = o.programs.get(i);
            List<Relo> r = new ArrayList<>(p.relos());
            r.sort(Comparator.comparingInt(Relo::insnIdx));
            o.programs.set(i, p.withRelos(r));
        }
    }

    private static String relTypeName(int t) {
        return switch (t) {
            case 0 -> "R_BPF_NONE";
            case 1 -> "R_BPF_64_64";
            case 2 -> "R_BPF_64_ABS64";
            case 3 -> "R_BPF_64_ABS32";
            case 4 -> "R_BPF_64_NODYLD32";
            case 10 -> "R_BPF_64_32";
            default -> "R_BPF_" + t;
        };
    }

    /** What {@code obj show} prints (llvm-objdump -r): only entries whose symbol exists. */
    private void listElfRelocs(int relIdx, int targ) {
        byte[] data;
        try {
            data = f.secData(relIdx);
        } catch (ObjOpenException e) {
            return; // a section libbpf never reads (debug info): not listed
        }
        String tname = Optional.ofNullable(f.secName(targ)).orElse("<?>");
        for (int i = 0; i < data.length / ElfFile.REL_SIZE; i++) {
            Rel r = ElfFile.rel(data, i);
            String sname = "<?>";
            long value = 0;
            if (r.sym() < nrSyms) {
                Sym s = sym(r.sym());
                value = s.value();
                sname = s.type() == ElfFile.STT_SECTION && s.nameOff() == 0
                        ? Optional.ofNullable(f.secName(s.shndx())).orElse("<?>")
                        : Optional.ofNullable(symStr(s)).orElse("<?>");
            }
            o.elfRelocs.add(new ElfObject.ElfReloc(f.secName(relIdx), tname, r.offset(), relTypeName(r.type()), sname, value));
        }
    }

    private String symName(Sym s) {
        String n;
        if (s.type() == ElfFile.STT_SECTION && s.nameOff() == 0) {
            n = f.secName(s.shndx());
        } else {
            n = symStr(s);
        }
        return n == null ? "<?" : n;
    }

    /** Models bpf_object__collect_prog_relos(). */
    private void collectProgRelos(int relIdx, int secIdx) {
        byte[] scnData = f.secData(secIdx);
        String relName = f.secName(relIdx);
        String secName = f.secName(secIdx);
        if (relName == null || secName == null) {
            throw fail(EINVAL, "elf: relo section(" + relIdx + "): no name for it or its section(" + secIdx + ")");
        }
        byte[] data = secData[relIdx];
        int nrels = data.length / ElfFile.REL_SIZE;
        for (int i = 0; i < nrels; i++) {
            Rel rel = ElfFile.rel(data, i);
            if (rel.sym() >= nrSyms) {
                throw fail(FORMAT, "sec '" + relName + "': symbol #" + rel.sym() + " not found for relo #" + i
                        + " (at offset 0x" + Long.toHexString((long) i * ElfFile.REL_SIZE) + ")");
            }
            Sym s = sym(rel.sym());
            if (s.shndx() >= f.sectionCount()) {
                throw fail(FORMAT, "sec '" + relName + "': corrupted symbol #" + rel.sym() + " pointing to invalid section #"
                        + s.shndx() + " for relo #" + i);
            }
            if (rel.offset() % Insn.SIZE != 0 || rel.offset() < 0 || rel.offset() >= scnData.length) {
                throw fail(FORMAT, "sec '" + relName + "': invalid offset 0x" + Long.toHexString(rel.offset()) + " for relo #" + i);
            }
            long insnIdx = rel.offset() / Insn.SIZE;
            String symName = symName(s);
            int pi = -1;
            for (int k = 0; k < o.programs.size(); k++) {
                Program c = o.programs.get(k);
                if (c.secIdx() == secIdx && insnIdx >= c.secInsnOff() && insnIdx < c.secInsnOff() + c.insns().size()) {
                    pi = k;
                    break;
                }
            }
            if (pi < 0) {
                continue; // "couldn't find program in section ..., probably overridden weak function, skipping..."
            }
            Program p = o.programs.get(pi);
            int local = (int) (insnIdx - p.secInsnOff());
            Relo r = recordReloc(p, local, symName, s, rel);
            List<Relo> rs = new ArrayList<>(p.relos());
            rs.add(r);
            o.programs.set(pi, p.withRelos(rs));
        }
    }

    private static boolean symIsSubprog(Sym s, int textShndx) {
        if (s.shndx() != textShndx) {
            return false;
        }
        if (s.bind() == ElfFile.STB_LOCAL && s.type() == ElfFile.STT_SECTION) {
            return true;
        }
        return (s.bind() == ElfFile.STB_GLOBAL || s.bind() == ElfFile.STB_WEAK) && s.type() == ElfFile.STT_FUNC;
    }

    /** Models bpf_program__record_reloc(). */
    private Relo recordReloc(Program p, int insnIdx, String symName, Sym s, Rel rel) {
        Insn insn = p.insns().get(insnIdx);
        boolean call = insn.isCall();
        if (!call && !insn.isLdImm64()) {
            throw fail(RELOC, "prog '" + p.name() + "': invalid relo against '" + symName + "' for insns[" + insnIdx
                    + "].code 0x" + Integer.toHexString(insn.code()));
        }
        int shndx = s.shndx();
        if (symIsExtern(s)) {
            for (int i = 0; i < o.externs.size(); i++) {
                if (o.externs.get(i).symIdx() == rel.sym()) {
                    return new Relo(call ? ReloType.EXTERN_CALL : ReloType.EXTERN_LD64, insnIdx, -1, i, 0, symName);
                }
            }
            throw fail(RELOC, "prog '" + p.name() + "': extern relo failed to find extern for '" + symName + "' (" + rel.sym() + ")");
        }
        if (call) {
            if (insn.src() != org.bpfosgi.isa.Bpf.BPF_PSEUDO_CALL) {
                throw fail(RELOC, "prog '" + p.name() + "': incorrect bpf_call opcode (insn " + insnIdx + ", src_reg " + insn.src() + ")");
            }
            if (shndx == 0 || shndx != o.textShndx) {
                throw fail(RELOC, "prog '" + p.name() + "': bad call relo against '" + symName + "' in section '"
                        + Optional.ofNullable(f.secName(shndx)).orElse("(null)") + "'");
            }
            if (s.value() % Insn.SIZE != 0) {
                throw fail(RELOC, "prog '" + p.name() + "': bad call relo against '" + symName + "' at offset " + s.value());
            }
            return new Relo(ReloType.CALL, insnIdx, -1, -1, s.value(), symName);
        }
        if (shndx == 0 || shndx >= ElfFile.SHN_LORESERVE) {
            throw fail(RELOC, "prog '" + p.name() + "': invalid relo against '" + symName + "' in special section 0x"
                    + Integer.toHexString(shndx) + "; forgot to initialize global var?..");
        }
        if (symIsSubprog(s, o.textShndx)) {
            if (s.value() % Insn.SIZE != 0 || insn.imm() % Insn.SIZE != 0) {
                throw fail(RELOC, "prog '" + p.name() + "': bad subprog addr relo against '" + symName + "' at offset "
                        + s.value() + "+" + insn.imm());
            }
            return new Relo(ReloType.SUBPROG_ADDR, insnIdx, -1, -1, s.value(), symName);
        }
        MapKind type = shndx == symbolsShndx ? MapKind.KCONFIG : switch (secType[shndx]) {
            case BSS -> MapKind.BSS;
            case DATA -> MapKind.DATA;
            case RODATA -> MapKind.RODATA;
            default -> MapKind.USER;
        };
        String symSecName = Optional.ofNullable(f.secName(shndx)).orElse("(null)");
        if (type == MapKind.USER) {
            if (shndx != btfMapsShndx) {
                throw fail(RELOC, "prog '" + p.name() + "': bad map relo against '" + symName + "' in section '" + symSecName + "'");
            }
            for (int m = 0; m < o.maps.size(); m++) {
                MapDef md = o.maps.get(m);
                if (md.kind() == MapKind.USER && md.secIdx() == shndx && md.secOffset() == s.value()) {
                    return new Relo(ReloType.LD64, insnIdx, m, -1, 0, symName);
                }
            }
            throw fail(RELOC, "prog '" + p.name() + "': map relo failed to find map for section '" + symSecName + "', off "
                    + Long.toUnsignedString(s.value()));
        }
        if (type == MapKind.KCONFIG) {
            throw fail(RELOC, "prog '" + p.name() + "': bad data relo against section '" + symSecName + "'");
        }
        for (int m = 0; m < o.maps.size(); m++) {
            MapDef md = o.maps.get(m);
            if (md.kind() == type && md.secIdx() == shndx) {
                return new Relo(ReloType.DATA, insnIdx, m, -1, s.value(), symName);
            }
        }
        throw fail(RELOC, "prog '" + p.name() + "': data relo failed to find map for section '" + symSecName + "'");
    }

    /** Models bpf_object__collect_st_ops_relos(). */
    private void collectStOpsRelos(int relIdx, int secIdx) {
        Btf b = o.btf;
        byte[] data = secData[relIdx];
        int nrels = data.length / ElfFile.REL_SIZE;
        for (int i = 0; i < nrels; i++) {
            Rel rel = ElfFile.rel(data, i);
            if (rel.sym() >= nrSyms) {
                throw fail(FORMAT, "struct_ops reloc: symbol " + Long.toHexString(rel.sym()) + " not found (relo #" + i + " of "
                        + f.secName(relIdx) + ")");
            }
            Sym s = sym(rel.sym());
            String name = Optional.ofNullable(symStr(s)).orElse("<?>");
            int mi = -1;
            for (int m = 0; m < o.maps.size(); m++) {
                MapDef md = o.maps.get(m);
                if (md.stOps() != null && md.secIdx() == secIdx && rel.offset() >= md.secOffset()
                        && rel.offset() < md.secOffset() + md.valueSize()) {
                    mi = m;
                    break;
                }
            }
            if (mi < 0) {
                throw fail(EINVAL, "struct_ops reloc: cannot find map at rel->r_offset " + Long.toUnsignedString(rel.offset())
                        + " (section " + f.secName(relIdx) + ")");
            }
            MapDef map = o.maps.get(mi);
            long moff = rel.offset() - map.secOffset();
            int shdrIdx = s.shndx();
            if (shdrIdx >= ElfFile.SHN_LORESERVE) {
                throw fail(RELOC, "struct_ops reloc " + map.name() + ": rel->r_offset " + rel.offset() + " shdr_idx " + shdrIdx
                        + " unsupported non-static function");
            }
            if (s.value() % Insn.SIZE != 0) {
                throw fail(FORMAT, "struct_ops reloc " + map.name() + ": invalid target program offset " + Long.toUnsignedString(s.value()));
            }
            long insnIdx = s.value() / Insn.SIZE;
            BtfType.Composite type = (BtfType.Composite) b.type(map.stOps().typeId());
            int member = -1;
            for (int k = 0; k < type.members().size(); k++) {
                if (type.members().get(k).bitOffset(type.kindFlag()) == moff * 8) {
                    member = k;
                    break;
                }
            }
            if (member < 0) {
                throw fail(EINVAL, "struct_ops reloc " + map.name() + ": cannot find member at moff " + moff);
            }
            String mname = b.str(type.members().get(member).nameOff());
            if (!org.bpfosgi.obj.ObjLoader.isFuncPtr(b, type.members().get(member).type())) {
                throw fail(EINVAL, "struct_ops reloc " + map.name() + ": cannot relocate non func ptr " + mname);
            }
            Optional<Program> prog = o.findProgBySecInsn(shdrIdx, insnIdx);
            if (prog.isEmpty()) {
                throw fail(EINVAL, "struct_ops reloc " + map.name() + ": cannot find prog at shdr_idx " + shdrIdx
                        + " to relocate func ptr " + mname);
            }
            if (!prog.get().typeName().equals("STRUCT_OPS")) {
                throw fail(EINVAL, "struct_ops reloc " + map.name() + ": prog " + prog.get().name() + " is not struct_ops BPF program");
            }
            Map<Integer, String> progs = new LinkedHashMap<>(map.stOps().progs());
            progs.put(member, prog.get().name());
            ElfObject.StructOps st = map.stOps();
            o.maps.set(mi, map.withStOps(new ElfObject.StructOps(st.sectionName(), st.typeName(), st.typeId(), progs)));
        }
    }

    /** Models bpf_object__collect_map_relos(): the initial slots of prog arrays and maps of maps. */
    private void collectMapRelos(int relIdx) {
        Btf b = o.btf;
        if (btfMapsSecBtfId == 0 || b == null) {
            throw fail(EINVAL, ".maps relo: no BTF DATASEC .maps for the relocations of " + f.secName(relIdx));
        }
        byte[] data = secData[relIdx];
        List<BtfType.VarSecInfo> vs = vars(btfMapsSecBtfId);
        int nrels = data.length / ElfFile.REL_SIZE;
        for (int i = 0; i < nrels; i++) {
            Rel rel = ElfFile.rel(data, i);
            if (rel.sym() >= nrSyms) {
                throw fail(FORMAT, ".maps relo #" + i + ": symbol " + Long.toHexString(rel.sym()) + " not found");
            }
            Sym s = sym(rel.sym());
            String name = Optional.ofNullable(symStr(s)).orElse("<?>");
            int mi = -1;
            BtfType.VarSecInfo vi = null;
            for (int j = 0; j < o.maps.size(); j++) {
                MapDef m = o.maps.get(j);
                if (m.secIdx() != btfMapsShndx || m.kind() != MapKind.USER) {
                    continue;
                }
                vi = vs.get(btfVarIdx.get(j));
                long vo = Integer.toUnsignedLong(vi.offset());
                if (vo <= rel.offset() && rel.offset() + 8 <= vo + Integer.toUnsignedLong(vi.size())) {
                    mi = j;
                    break;
                }
            }
            if (mi < 0) {
                throw fail(EINVAL, ".maps relo #" + i + ": cannot find map '" + name + "' at rel->r_offset " + Long.toUnsignedString(rel.offset()));
            }
            MapDef map = o.maps.get(mi);
            boolean mapInMap = map.type() == BPF_MAP_TYPE_ARRAY_OF_MAPS || map.type() == BPF_MAP_TYPE_HASH_OF_MAPS;
            if (mapInMap) {
                if (s.shndx() != btfMapsShndx) {
                    throw fail(RELOC, ".maps relo #" + i + ": '" + name + "' isn't a BTF-defined map");
                }
                if (map.type() == BPF_MAP_TYPE_HASH_OF_MAPS && map.keySize() != 4) {
                    throw fail(EINVAL, ".maps relo #" + i + ": hash-of-maps '" + map.name() + "' should have key size 4.");
                }
                if (o.maps.stream().noneMatch(m -> m.name().equals(name))) {
                    throw fail(ESRCH, ".maps relo #" + i + ": '" + name + "' isn't a valid map reference");
                }
            } else if (map.type() == BPF_MAP_TYPE_PROG_ARRAY) {
                Optional<Program> tp = o.program(name);
                if (tp.isEmpty()) {
                    throw fail(ESRCH, ".maps relo #" + i + ": '" + name + "' isn't a valid program reference");
                }
                if (tp.get().secIdx() != s.shndx() || (long) tp.get().secInsnOff() * 8 != s.value() || tp.get().subprog()) {
                    throw fail(RELOC, ".maps relo #" + i + ": '" + name + "' isn't an entry-point program");
                }
            } else {
                throw fail(EINVAL, ".maps relo #" + i + ": map '" + map.name() + "' is neither a map of maps nor a prog array");
            }
            BtfType.Var var = (BtfType.Var) b.type(vi.type());
            BtfType.Composite def = (BtfType.Composite) b.type(b.resolve(var.type()));
            if (def.members().isEmpty()) {
                throw fail(EINVAL, ".maps relo #" + i + ": map '" + map.name() + "' definition has no members");
            }
            BtfType.Member last = def.members().get(def.members().size() - 1);
            if (!b.str(last.nameOff()).equals("values")) {
                throw fail(EINVAL, ".maps relo #" + i + ": map '" + map.name() + "': the last member is not 'values'");
            }
            long moff = last.bitOffset(def.kindFlag()) / 8;
            long rel0 = rel.offset() - Integer.toUnsignedLong(vi.offset());
            if (rel0 < moff || (rel0 - moff) % 8 != 0) {
                throw fail(EINVAL, ".maps relo #" + i + ": map '" + map.name() + "': offset " + rel.offset()
                        + " is not a slot of 'values'");
            }
            o.maps.set(mi, map.withSlot((int) ((rel0 - moff) / 8), name));
        }
    }
}
