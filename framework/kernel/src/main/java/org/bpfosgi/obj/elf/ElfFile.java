package org.bpfosgi.obj.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ELF64 relocatable file as libbpf sees it through libelf: the header checks of
 * bpf_object__elf_init() in libbpf's order, the section header table, section names and data,
 * symbols and REL entries. Nothing here trusts an offset: every read is bounds-checked, and a bad
 * one is an {@link ObjOpenException} naming the file, the section and the offset (where libbpf
 * prints libelf's terse elf_errmsg(), the model says which bytes were wrong).
 *
 * <p>A big-endian (ELFDATA2MSB) file is read as libelf reads it: the header, the section headers,
 * and the entries of SHT_SYMTAB and SHT_REL sections (elf_getdata()'s ELF_T_SYM and ELF_T_REL
 * translation) are converted to native order; other section data are bytes, left as they are.
 */
public final class ElfFile {
    static final int EI_NIDENT = 16, EHDR_SIZE = 64, SHDR_SIZE = 64, SYM_SIZE = 24, REL_SIZE = 16;
    static final int ELFCLASS64 = 2, ELFDATA2LSB = 1, ELFDATA2MSB = 2, ET_REL = 1, EM_BPF = 247;
    static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_REL = 9, SHT_NOBITS = 8,
            SHT_LLVM_ADDRSIG = 0x6fff4c03;
    static final long SHF_EXECINSTR = 4;
    static final int SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2, SHN_XINDEX = 0xffff;
    static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    static final int STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3;
    static final int STV_DEFAULT = 0, STV_INTERNAL = 1, STV_HIDDEN = 2;

    /** One section header (Elf64_Shdr). */
    public record Shdr(int index, int nameOff, int type, long flags, long offset, long size, int link, int info,
                       long entsize) {
        public boolean exec() {
            return (flags & SHF_EXECINSTR) != 0;
        }
    }

    /** One symbol (Elf64_Sym). {@code shndx} is the 16-bit st_shndx. */
    public record Sym(int index, int nameOff, int info, int other, int shndx, long value, long size) {
        public int bind() {
            return info >>> 4;
        }

        public int type() {
            return info & 0xf;
        }

        public int visibility() {
            return other & 0x3;
        }
    }

    /** One relocation (Elf64_Rel): r_offset, ELF64_R_SYM and ELF64_R_TYPE of r_info. */
    public record Rel(long offset, long sym, int type) {
    }

    private final String file;
    private final byte[] b;
    private final int type;
    private final int machine;
    private final List<Shdr> shdrs;
    private final int shstrndx;
    private final boolean msb;

    private ElfFile(String file, byte[] b, int type, int machine, List<Shdr> shdrs, int shstrndx, boolean msb) {
        this.file = file;
        this.b = b;
        this.type = type;
        this.machine = machine;
        this.shdrs = shdrs;
        this.shstrndx = shstrndx;
        this.msb = msb;
    }

    /**
     * Whether the file's byte order is the host's (ELFDATA2LSB: the model runs as an x86-64
     * libbpf); libbpf 1.5 records EI_DATA at open (obj->byteorder) for is_native_endianness().
     */
    public boolean nativeEndian() {
        return !msb;
    }

    ObjOpenException fail(int err, String line) {
        return new ObjOpenException(file, err, line);
    }

    static ObjOpenException fail(String file, int err, String line) {
        return new ObjOpenException(file, err, line);
    }

    /**
     * Models bpf_object__elf_init() (with what libelf's elf_memory, elf64_getehdr,
     * elf_getshdrstrndx and elf_rawdata check): ELF magic, ELFCLASS64, the whole header, the
     * byte order, the section header table inside the file, the section-name string table, then
     * ET_REL and EM_BPF (or EM_NONE, as old LLVM wrote).
     */
    static ElfFile parse(String file, byte[] b) {
        final int fmt = -ObjOpenException.LIBBPF_ERRNO__FORMAT;
        if (b.length < 4 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
            throw fail(file, fmt, "elf: '" + file + "' is not a proper ELF object");
        }
        if (b.length <= 4 || b[4] != ELFCLASS64) {
            throw fail(file, fmt, "elf: '" + file + "' is not a 64-bit ELF object");
        }
        if (b.length < EHDR_SIZE) {
            throw fail(file, fmt, "elf: failed to get ELF header from " + file + ": the file ends at byte " + b.length
                    + ", inside the 64-byte ELF header at offset 0");
        }
        int data = b[5];
        if (data != ELFDATA2LSB && data != ELFDATA2MSB) {
            throw fail(file, -ObjOpenException.LIBBPF_ERRNO__ENDIAN, "elf: '" + file + "' has unknown byte order");
        }
        // libbpf 1.5 opens either byte order (it saves EI_DATA as obj->byteorder; libelf converts
        // the headers, symbols and relocations); bpf_object_load() refuses a non-native object
        // first thing (see ElfLinker.toOpened)
        boolean msb = data == ELFDATA2MSB;
        int type = u16(b, 16, msb);
        int machine = u16(b, 18, msb);
        long shoff = u64(b, 40, msb);
        int shentsize = u16(b, 58, msb);
        long shnum = u16(b, 60, msb);
        int shstrndx = u16(b, 62, msb);
        String idxMsg = "elf: failed to get section names section index for " + file + ": ";
        if (shoff == 0 || shoff < 0) {
            throw fail(file, fmt, idxMsg + "no section header table (e_shoff 0x" + Long.toHexString(shoff) + " at offset 0x28)");
        }
        if (shentsize != SHDR_SIZE) {
            throw fail(file, fmt, idxMsg + "e_shentsize " + shentsize + " at offset 0x3a is not " + SHDR_SIZE);
        }
        if (shoff > b.length - SHDR_SIZE || shoff % 8 != 0) {
            throw fail(file, fmt, idxMsg + "section header table at offset 0x" + Long.toHexString(shoff)
                    + " (e_shoff) is " + (shoff % 8 != 0 ? "not 8-byte aligned" : "beyond the end of the file (" + b.length + " bytes)"));
        }
        if (shnum == 0) {
            shnum = u64(b, (int) shoff + 32, msb); // extended numbering: sh_size of section 0
        }
        if (shstrndx == SHN_XINDEX) {
            shstrndx = u32(b, (int) shoff + 40, msb); // sh_link of section 0
        }
        if (shnum <= 0 || shnum > (b.length - shoff) / SHDR_SIZE) {
            throw fail(file, fmt, idxMsg + "section header table at offset 0x" + Long.toHexString(shoff) + " with " + shnum
                    + " entries does not fit in the file (" + b.length + " bytes)");
        }
        List<Shdr> shdrs = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int p = (int) (shoff + (long) i * SHDR_SIZE);
            shdrs.add(new Shdr(i, u32(b, p, msb), u32(b, p + 4, msb), u64(b, p + 8, msb), u64(b, p + 24, msb),
                    u64(b, p + 32, msb), u32(b, p + 40, msb), u32(b, p + 44, msb), u64(b, p + 56, msb)));
        }
        if (shstrndx < 0 || shstrndx >= shnum || shstrndx == 0) {
            throw fail(file, fmt, idxMsg + "e_shstrndx " + Integer.toUnsignedString(shstrndx) + " at offset 0x3e is not a section (there are "
                    + shnum + ")");
        }
        ElfFile f = new ElfFile(file, b, type, machine, List.copyOf(shdrs), shstrndx, msb);
        Shdr str = shdrs.get(shstrndx);
        if (str.type() == SHT_NOBITS || !f.inFile(str)) {
            throw fail(file, fmt, "elf: failed to get section names strings from " + file + ": section(" + shstrndx
                    + ") data at offset 0x" + Long.toHexString(str.offset()) + " size 0x" + Long.toHexString(str.size())
                    + " is beyond the end of the file (" + b.length + " bytes)");
        }
        if (type != ET_REL || (machine != 0 && machine != EM_BPF)) {
            throw fail(file, fmt, "elf: " + file + " is not a valid eBPF object file");
        }
        return f;
    }

    private boolean inFile(Shdr s) {
        return s.offset() >= 0 && s.size() >= 0 && s.offset() <= b.length && s.size() <= b.length - s.offset();
    }

    public String file() {
        return file;
    }

    /** Number of sections, section 0 included (elf_getshdrnum). */
    public int sectionCount() {
        return shdrs.size();
    }

    public Shdr shdr(int idx) {
        return shdrs.get(idx);
    }

    public List<Shdr> shdrs() {
        return shdrs;
    }

    /** A NUL-terminated string in section {@code strSec} at {@code off}, or null (elf_strptr's NULL). */
    String str(int strSec, long off) {
        if (strSec <= 0 || strSec >= shdrs.size()) {
            return null;
        }
        Shdr s = shdrs.get(strSec);
        if (s.type() != SHT_STRTAB || !inFile(s) || off < 0 || off >= s.size()) {
            return null;
        }
        int start = (int) (s.offset() + off);
        int end = (int) (s.offset() + s.size());
        for (int p = start; p < end; p++) {
            if (b[p] == 0) {
                return new String(b, start, p - start, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** elf_sec_name(): the section's name, or null when its sh_name is outside the names. */
    public String secName(int idx) {
        if (idx < 0 || idx >= shdrs.size()) {
            return null;
        }
        return str(shstrndx, Integer.toUnsignedLong(shdrs.get(idx).nameOff()));
    }

    /** elf_sec_name(), or the failure libbpf prints ("failed to get section(%zu) name"). */
    String secNameOrFail(int idx) {
        String n = secName(idx);
        if (n == null) {
            Shdr s = shdrs.get(idx);
            throw fail(-ObjOpenException.LIBBPF_ERRNO__FORMAT, "elf: failed to get section(" + idx + ") name from " + file
                    + ": sh_name 0x" + Integer.toHexString(s.nameOff()) + " (section header at offset 0x"
                    + Long.toHexString(shoffOf(idx) + 0) + ") is outside the section names (section " + shstrndx + ", "
                    + shdrs.get(shstrndx).size() + " bytes)");
        }
        return n;
    }

    private long shoffOf(int idx) {
        return u64(b, 40, msb) + (long) idx * SHDR_SIZE;
    }

    /**
     * elf_sec_data(): the section's bytes (zeros for NOBITS), or libbpf's "failed to get
     * section(%zu) %s data" when they lie outside the file.
     */
    byte[] secData(int idx) {
        Shdr s = shdrs.get(idx);
        if (s.type() == SHT_NOBITS) {
            if (s.size() < 0 || s.size() > Integer.MAX_VALUE - 8) {
                throw fail(-ObjOpenException.LIBBPF_ERRNO__FORMAT, "elf: failed to get section(" + idx + ") "
                        + nameOr(idx) + " data from " + file + ": NOBITS size 0x" + Long.toHexString(s.size()) + " is too large");
            }
            return new byte[(int) s.size()];
        }
        if (!inFile(s)) {
            throw fail(-ObjOpenException.LIBBPF_ERRNO__FORMAT, "elf: failed to get section(" + idx + ") " + nameOr(idx)
                    + " data from " + file + ": data at offset 0x" + Long.toHexString(s.offset()) + " size 0x"
                    + Long.toHexString(s.size()) + " is beyond the end of the file (" + b.length + " bytes)");
        }
        byte[] d = java.util.Arrays.copyOfRange(b, (int) s.offset(), (int) (s.offset() + s.size()));
        if (msb && s.type() == SHT_SYMTAB) {
            // libelf's ELF_T_SYM translation: st_name, st_shndx, st_value, st_size (st_info and st_other are bytes)
            for (int p = 0; p + SYM_SIZE <= d.length; p += SYM_SIZE) {
                swap(d, p, 4);
                swap(d, p + 6, 2);
                swap(d, p + 8, 8);
                swap(d, p + 16, 8);
            }
        } else if (msb && s.type() == SHT_REL) {
            // ELF_T_REL: r_offset and r_info, each 64 bits
            for (int p = 0; p + REL_SIZE <= d.length; p += REL_SIZE) {
                swap(d, p, 8);
                swap(d, p + 8, 8);
            }
        }
        return d;
    }

    /** Reverses {@code n} bytes at {@code p}. */
    static void swap(byte[] d, int p, int n) {
        for (int i = 0; i < n / 2; i++) {
            byte t = d[p + i];
            d[p + i] = d[p + n - 1 - i];
            d[p + n - 1 - i] = t;
        }
    }

    private String nameOr(int idx) {
        String n = secName(idx);
        return n == null ? "<?>" : n;
    }

    /** Symbol {@code i} of the symbol table's data {@code symtab}. */
    static Sym sym(byte[] symtab, int i) {
        int p = i * SYM_SIZE;
        return new Sym(i, u32(symtab, p), symtab[p + 4] & 0xff, symtab[p + 5] & 0xff, u16(symtab, p + 6), u64(symtab, p + 8),
                u64(symtab, p + 16));
    }

    /** Relocation {@code i} of a REL section's data. */
    static Rel rel(byte[] data, int i) {
        int p = i * REL_SIZE;
        long info = u64(data, p + 8);
        return new Rel(u64(data, p), info >>> 32, (int) (info & 0xffffffffL));
    }

    static int u16(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
    }

    static int u32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    static long u64(byte[] b, int p) {
        return (u32(b, p) & 0xffffffffL) | ((long) u32(b, p + 4)) << 32;
    }

    private static int u16(byte[] b, int p, boolean msb) {
        return msb ? (b[p] & 0xff) << 8 | (b[p + 1] & 0xff) : u16(b, p);
    }

    private static int u32(byte[] b, int p, boolean msb) {
        return msb ? (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff) : u32(b, p);
    }

    private static long u64(byte[] b, int p, boolean msb) {
        return msb ? ((long) u32(b, p, true)) << 32 | (u32(b, p + 4, true) & 0xffffffffL) : u64(b, p);
    }
}
