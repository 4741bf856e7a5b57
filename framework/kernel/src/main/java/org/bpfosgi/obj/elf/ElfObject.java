package org.bpfosgi.obj.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * A BPF ELF object after libbpf's {@code bpf_object__open()} (libbpf v1.5): what clang wrote,
 * read and checked in libbpf's order, nothing created in the kernel yet.
 *
 * <p>{@link #open(Path)} runs bpf_object__elf_init (header), bpf_object__elf_collect (sections,
 * one program per FUNC symbol, the license, BTF), bpf_object__collect_externs ({@code .kconfig}
 * and {@code .ksyms}), bpf_object_fixup_btf (DATASEC offsets from the symbols),
 * bpf_object__init_maps ({@code .maps}, then {@code .data}/{@code .rodata}/{@code .bss}, then
 * {@code .kconfig}, then the struct_ops variables), bpf_object_init_progs (program types from
 * SEC() names, {@link SecDef}) and bpf_object__collect_relos (program, {@code .maps} and
 * struct_ops relocations). Any failure is an {@link ObjOpenException} with libbpf's message
 * naming the file, the section and the offset; no exception of another type escapes for any
 * input bytes.
 *
 * <p>Loading: {@link #toOpened()} gives the {@link org.bpfosgi.obj.OpenedObject} that
 * {@link org.bpfosgi.obj.ObjLoader#load(org.bpfosgi.obj.OpenedObject, String, java.util.Set,
 * org.bpfosgi.structops.StructOpsKernel)} loads, the same path as the project's object text;
 * each program is linked ({@link ElfLinker}: subprograms appended, data relocated) when it is
 * loaded.
 */
public final class ElfObject {
    /** libbpf's relocation kinds (enum reloc_type) that the open phase records. */
    public enum ReloType { LD64, CALL, DATA, EXTERN_LD64, EXTERN_CALL, SUBPROG_ADDR }

    /**
     * A recorded program relocation (struct reloc_desc).
     *
     * @param type    what it is
     * @param insnIdx the instruction, relative to the program
     * @param mapIdx  the map (LD64, DATA), else -1
     * @param extIdx  the extern (EXTERN_*), index after libbpf's sort, else -1
     * @param symOff  sym_off: the symbol's st_value (CALL, DATA, SUBPROG_ADDR)
     * @param symName the symbol's name (the section's for an unnamed section symbol)
     */
    public record Relo(ReloType type, int insnIdx, int mapIdx, int extIdx, long symOff, String symName) {
    }

    /**
     * A program (struct bpf_program after open).
     *
     * @param name       the function's symbol name
     * @param secName    its section without a leading '?'
     * @param secIdx     the ELF section index
     * @param secInsnOff first instruction in the section
     * @param insns      its own instructions (subprograms are appended at load)
     * @param autoload   false for a '?' section
     * @param secDef     the section_defs[] row, empty for UNSPEC (every .text function)
     * @param relos      its relocations, sorted by instruction
     * @param subprog    whether it is in .text (never loaded on its own)
     */
    public record Program(String name, String secName, int secIdx, int secInsnOff, List<Insn> insns, boolean autoload,
                          Optional<SecDef> secDef, List<Relo> relos, boolean subprog) {
        public Program {
            insns = List.copyOf(insns);
            relos = List.copyOf(relos);
        }

        /** The program type's name (UNSPEC when the section matched no row). */
        public String typeName() {
            return secDef.map(SecDef::progType).orElse("UNSPEC");
        }

        Program withRelos(List<Relo> r) {
            return new Program(name, secName, secIdx, secInsnOff, insns, autoload, secDef, r, subprog);
        }
    }

    /** Which libbpf_map_type a map is (plus struct_ops). */
    public enum MapKind { USER, DATA, RODATA, BSS, KCONFIG, STRUCT_OPS }

    /**
     * A map (struct bpf_map after open).
     *
     * @param name           libbpf's name (internal maps: internal_map_name())
     * @param realName       the variable or section name
     * @param kind           how it was defined
     * @param type           BPF_MAP_TYPE_* number
     * @param keySize        key_size
     * @param valueSize      value_size (struct_ops: the local struct's size, replaced at load)
     * @param maxEntries     max_entries
     * @param flags          map_flags
     * @param secIdx         the ELF section it comes from
     * @param secOffset      the variable's offset in that section
     * @param btfKeyTypeId   btf_key_type_id (0 when none)
     * @param btfValueTypeId btf_value_type_id (the DATASEC for internal maps, the struct for struct_ops)
     * @param initial        the initial value: section bytes for internal maps, the variable's bytes for struct_ops
     * @param autocreate     false for a '?.struct_ops' variable
     * @param slots          prog-array / map-in-map initial slots from {@code .rel.maps}: index to name
     * @param stOps          the struct_ops part, or null
     */
    public record MapDef(String name, String realName, MapKind kind, int type, int keySize, int valueSize, int maxEntries,
                       int flags, int secIdx, long secOffset, int btfKeyTypeId, int btfValueTypeId, byte[] initial,
                       boolean autocreate, Map<Integer, String> slots, StructOps stOps) {
        public MapDef {
            slots = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(slots));
        }

        MapDef withSlot(int slot, String target) {
            Map<Integer, String> s = new LinkedHashMap<>(slots);
            s.put(slot, target);
            return new MapDef(name, realName, kind, type, keySize, valueSize, maxEntries, flags, secIdx, secOffset,
                    btfKeyTypeId, btfValueTypeId, initial, autocreate, s, stOps);
        }

        MapDef withStOps(StructOps st) {
            return new MapDef(name, realName, kind, type, keySize, valueSize, maxEntries, flags, secIdx, secOffset,
                    btfKeyTypeId, btfValueTypeId, initial, autocreate, slots, st);
        }
    }

    /**
     * A struct_ops variable (struct bpf_struct_ops): the local struct, the section, and the
     * program each function-pointer member names (collected from the struct_ops relocations).
     *
     * @param sectionName the ELF section ({@code .struct_ops}, {@code .struct_ops.link}, with '?')
     * @param typeName    the local struct's name (may carry a ___flavour)
     * @param typeId      its id in the object's BTF
     * @param progs       member index to program name
     */
    public record StructOps(String sectionName, String typeName, int typeId, Map<Integer, String> progs) {
        public StructOps {
            progs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(progs));
        }

        public boolean link() {
            return sectionName.replaceFirst("^\\?", "").equals(".struct_ops.link");
        }
    }

    /** enum extern_type. */
    public enum ExternKind { KCFG, KSYM }

    /** enum kcfg_type. */
    public enum KcfgType { UNKNOWN, CHAR, BOOL, INT, TRISTATE, CHAR_ARR }

    /**
     * An extern (struct extern_desc).
     *
     * @param name        the BTF name
     * @param essentName  the name without a ___flavour suffix
     * @param kind        KCFG or KSYM
     * @param weak        STB_WEAK
     * @param btfId       the VAR or FUNC in the object's BTF
     * @param symIdx      the ELF symbol
     * @param func        a FUNC (kfunc) rather than a VAR
     * @param typeId      KSYM: the VAR's type / the FUNC's proto, modifiers skipped (0: typeless)
     * @param kcfgType    KCFG: the value's type
     * @param kcfgSize    KCFG: size
     * @param kcfgAlign   KCFG: alignment
     * @param kcfgSigned  KCFG: a signed integer
     * @param kcfgDataOff KCFG: offset in the .kconfig map
     */
    public record Extern(String name, String essentName, ExternKind kind, boolean weak, int btfId, int symIdx,
                         boolean func, int typeId, KcfgType kcfgType, int kcfgSize, int kcfgAlign, boolean kcfgSigned,
                         int kcfgDataOff) {
        Extern withDataOff(int off) {
            return new Extern(name, essentName, kind, weak, btfId, symIdx, func, typeId, kcfgType, kcfgSize, kcfgAlign,
                    kcfgSigned, off);
        }
    }

    /** A section as {@code obj show} lists it. */
    public record Section(int index, String name, String type, long size, String role) {
    }

    /** One ELF relocation as {@code llvm-objdump -r} prints it, with the section it applies to. */
    public record ElfReloc(String relSection, String target, long offset, String type, String symbol, long addend) {
    }

    private final String file;
    private final String name;
    String license = "";
    int kernVersion;
    Btf btf;
    /** The BTF bpf_object__load() uploads: {@link #btf} with the open phase's DATASEC fix-ups. */
    Btf kernBtf;
    byte[] btfExt;
    org.bpfosgi.btf.BtfExt btfExtParsed;
    final List<String> warnings = new ArrayList<>();
    final List<Program> programs = new ArrayList<>();
    final List<MapDef> maps = new ArrayList<>();
    final List<Extern> externs = new ArrayList<>();
    final List<Section> sections = new ArrayList<>();
    final List<ElfReloc> elfRelocs = new ArrayList<>();
    int textShndx = -1;
    /** is_native_endianness(): EI_DATA is the host's (little-endian) order. */
    boolean nativeEndian = true;

    ElfObject(String file, String name) {
        this.file = file;
        this.name = name;
    }

    // ------------------------------------------------------------------ entry points

    /**
     * bpf_object__open_file(): reads and opens an object. The object name is the file name up to
     * its first '.', at most 15 characters (bpf_object__new()).
     *
     * @throws ObjOpenException for an unreadable file or any refused content
     */
    public static ElfObject open(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw ElfFile.fail(path.toString(), Errno.ENOENT.negative(), "elf: failed to open " + path + ": No such file or directory");
        } catch (IOException e) {
            throw ElfFile.fail(path.toString(), Errno.EIO.negative(), "elf: failed to open " + path + ": " + e.getMessage());
        }
        return open(bytes, path.toString());
    }

    /** bpf_object__open_mem() with {@code file} as the path libbpf would print. */
    public static ElfObject open(byte[] bytes, String file) {
        ElfObject o = new ElfObject(file, objName(file));
        ElfOpener.open(o, bytes);
        return o;
    }

    /** Whether the bytes start with the ELF magic (how {@code obj load} tells ELF from text). */
    public static boolean isElf(byte[] head) {
        return head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }

    /** Whether the file starts with the ELF magic. */
    public static boolean isElf(Path p) {
        try (var in = Files.newInputStream(p)) {
            return isElf(in.readNBytes(4));
        } catch (IOException e) {
            return false;
        }
    }

    /** bpf_object__new(): basename, at most 15 characters, cut at the first '.'. */
    static String objName(String path) {
        String base = path.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        if (base.length() > 15) {
            base = base.substring(0, 15);
        }
        int dot = base.indexOf('.');
        return dot >= 0 ? base.substring(0, dot) : base;
    }

    // ------------------------------------------------------------------ the opened object

    public String file() {
        return file;
    }

    /** The object's name (bpf_object__name()). */
    public String name() {
        return name;
    }

    /**
     * libbpf's is_native_endianness(): false for a big-endian object, which opens (byte-swapped
     * for inspection) but does not load.
     */
    public boolean nativeEndian() {
        return nativeEndian;
    }

    public String license() {
        return license;
    }

    /** The {@code version} section's value, 0 when absent. */
    public int kernVersion() {
        return kernVersion;
    }

    /** The object's {@code .BTF}, or empty when it has none. */
    public Optional<Btf> btf() {
        return Optional.ofNullable(btf);
    }

    /**
     * The BTF as bpf_object__sanitize_and_load_btf() hands it to BPF_BTF_LOAD (DATASEC sizes
     * and offsets fixed up at open), or empty when the object has none.
     */
    public Optional<Btf> kernBtf() {
        return Optional.ofNullable(kernBtf);
    }

    /** The raw {@code .BTF.ext} bytes (func/line info and CO-RE records), or empty. */
    public Optional<byte[]> btfExt() {
        return Optional.ofNullable(btfExt == null ? null : btfExt.clone());
    }

    /** {@code .BTF.ext} as parsed at open (func_info, line_info, CO-RE records), empty when absent or refused. */
    public Optional<org.bpfosgi.btf.BtfExt> btfExtInfo() {
        return Optional.ofNullable(btfExtParsed);
    }

    /** libbpf's warnings during open (a refused .BTF.ext), without the "libbpf: " prefix. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** All programs, subprograms included, in libbpf's order (section index, then offset). */
    public List<Program> programs() {
        return List.copyOf(programs);
    }

    /** A program (not a subprogram) by name, as bpf_object__find_program_by_name(). */
    public Optional<Program> program(String n) {
        return programs.stream().filter(p -> !p.subprog() && p.name().equals(n)).findFirst();
    }

    /** Maps in libbpf's index order. */
    public List<MapDef> maps() {
        return List.copyOf(maps);
    }

    /** Externs in libbpf's sorted order (ext_idx). */
    public List<Extern> externs() {
        return List.copyOf(externs);
    }

    /** Every section with what libbpf made of it. */
    public List<Section> sections() {
        return List.copyOf(sections);
    }

    /** Every relocation of the file (also those libbpf ignores), as llvm-objdump -r lists them. */
    public List<ElfReloc> elfRelocs() {
        return List.copyOf(elfRelocs);
    }

    /** The .text section index, -1 when there is none. */
    int textShndx() {
        return textShndx;
    }

    static final Comparator<Program> CMP_PROGS = Comparator.comparingInt(Program::secIdx).thenComparingInt(Program::secInsnOff);

    /** find_prog_by_sec_insn(). */
    Optional<Program> findProgBySecInsn(int secIdx, long insnIdx) {
        for (Program p : programs) {
            if (p.secIdx() == secIdx && insnIdx >= p.secInsnOff() && insnIdx < p.secInsnOff() + p.insns().size()) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The opened object in the form ObjLoader loads (the one load path of text and ELF objects). */
    public org.bpfosgi.obj.OpenedObject toOpened() {
        return ElfLinker.toOpened(this);
    }

    /** Helpers for BTF queries on the object's BTF. */
    static BtfKind kindOf(Btf b, int id) {
        return b.kind(id);
    }

    static String kindStr(Btf b, int id) {
        return b.kind(id).name().toLowerCase(java.util.Locale.ROOT);
    }

}
