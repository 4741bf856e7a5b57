package org.bpfosgi.obj.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.isa.Insn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The open phase against what libbpf itself made of the same clang objects (bpftool -d gen
 * skeleton, recorded by src/test/bpf/elf-loader/build.sh with libbpf 1.1's open phase) and what
 * llvm-objdump -r lists; linking against the call layout libbpf produces; malformed objects
 * against libbpf's messages.
 */
class ElfObjectTest {
    static byte[] bytes(String n) {
        try (InputStream in = ElfObjectTest.class.getResourceAsStream("/org/bpfosgi/obj/elf/" + n)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    static ElfObject open(String n) {
        return ElfObject.open(bytes(n), n);
    }

    private static final Pattern FOUND_PROG = Pattern.compile(
            "libbpf: sec '([^']*)': found program '(\\w+)' at insn offset (\\d+) \\(\\d+ bytes\\), code size (\\d+) insns");
    private static final Pattern USER_MAP = Pattern.compile("libbpf: map '([^']*)': at sec_idx (\\d+), offset (\\d+)\\.");
    private static final Pattern DATA_MAP = Pattern.compile(
            "libbpf: map '([^']*)' \\(global data\\): at sec_idx (\\d+), offset 0, flags ([0-9a-f]+)\\.");
    private static final Pattern EXTERN = Pattern.compile("libbpf: extern \\((kcfg|ksym)\\) #(\\d+): symbol (\\d+), (?:off (\\d+), )?name (\\w+)");
    private static final Pattern FOUND_MAP = Pattern.compile("libbpf: prog '(\\w+)': found (data )?map (\\d+) \\(.*\\) for insn #?(\\d+)");
    private static final Pattern FOUND_EXT = Pattern.compile("libbpf: prog '(\\w+)': found extern #(\\d+) '(\\w+)' \\(sym \\d+\\) for insn #(\\d+)");

    @ParameterizedTest
    @ValueSource(strings = {"maps_data", "pro_epilogue", "globals"})
    void programsMapsExternsAndRelocationsAsLibbpfOpensThem(String n) {
        ElfObject o = open(n + ".o");
        List<String> want = new ArrayList<>();
        List<String> wantMaps = new ArrayList<>();
        List<String> wantExt = new ArrayList<>();
        List<String> wantRelo = new ArrayList<>();
        for (String l : text(n + ".libbpf-open.txt").split("\n")) {
            Matcher m;
            if ((m = FOUND_PROG.matcher(l)).lookingAt()) {
                want.add(m.group(2) + " " + m.group(1) + " " + m.group(3) + " " + m.group(4));
            } else if ((m = USER_MAP.matcher(l)).lookingAt()) {
                wantMaps.add(m.group(1) + " " + m.group(2) + " " + m.group(3));
            } else if ((m = DATA_MAP.matcher(l)).lookingAt()) {
                wantMaps.add(m.group(1) + " " + m.group(2) + " 0 flags " + m.group(3));
            } else if ((m = EXTERN.matcher(l)).lookingAt()) {
                wantExt.add("#" + m.group(2) + " " + m.group(1) + " " + m.group(5) + (m.group(4) == null ? "" : " off " + m.group(4)));
            } else if ((m = FOUND_MAP.matcher(l)).lookingAt()) {
                wantRelo.add(m.group(1) + " insn " + m.group(4) + (m.group(2) != null ? " DATA" : " LD64") + " map " + m.group(3));
            } else if ((m = FOUND_EXT.matcher(l)).lookingAt()) {
                wantRelo.add(m.group(1) + " insn " + m.group(4) + " extern " + m.group(2));
            }
        }
        List<String> got = new ArrayList<>();
        List<String> gotRelo = new ArrayList<>();
        for (ElfObject.Program p : o.programs()) {
            // libbpf prints programs as it finds them, section by section: same order as sorted
            got.add(p.name() + " " + p.secName() + " " + p.secInsnOff() + " " + p.insns().size());
            for (ElfObject.Relo r : p.relos()) {
                switch (r.type()) {
                    case LD64, DATA -> gotRelo.add(p.name() + " insn " + r.insnIdx() + " " + r.type() + " map " + r.mapIdx());
                    case EXTERN_CALL, EXTERN_LD64 -> gotRelo.add(p.name() + " insn " + r.insnIdx() + " extern " + r.extIdx());
                    default -> {
                    }
                }
            }
        }
        List<String> gotMaps = new ArrayList<>();
        for (ElfObject.MapDef m : o.maps()) {
            if (m.kind() == ElfObject.MapKind.USER) {
                gotMaps.add(m.name() + " " + m.secIdx() + " " + m.secOffset());
            } else if (m.kind() != ElfObject.MapKind.STRUCT_OPS) {
                gotMaps.add(m.name() + " " + m.secIdx() + " 0 flags " + Integer.toHexString(m.flags()));
            }
        }
        List<String> gotExt = new ArrayList<>();
        for (int i = 0; i < o.externs().size(); i++) {
            ElfObject.Extern e = o.externs().get(i);
            gotExt.add("#" + i + " " + e.kind().name().toLowerCase() + " " + e.name()
                    + (e.kind() == ElfObject.ExternKind.KCFG ? " off " + e.kcfgDataOff() : ""));
        }
        want.sort(null); // libbpf prints them in symbol order, then sorts them as got is
        got.sort(null);
        wantExt.sort(null);
        gotExt.sort(null);
        wantRelo.sort(null);
        gotRelo.sort(null);
        assertEquals(want, got);
        assertEquals(wantMaps, gotMaps);
        assertEquals(wantExt, gotExt);
        assertEquals(wantRelo, gotRelo);
        assertTrue(!want.isEmpty() && !wantRelo.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"maps_data", "pro_epilogue", "globals"})
    void relocationListingIsLlvmObjdumps(String n) {
        List<String> lines = ElfShow.lines(open(n + ".o"));
        int from = lines.indexOf("relocations:") + 1;
        int to = lines.indexOf("externs:");
        assertEquals(text(n + ".relocs.txt").strip(), String.join("\n", lines.subList(from, to)).strip());
    }

    @Test
    void licenseMapsAndTypes() {
        ElfObject o = open("maps_data.o");
        assertEquals("maps_data", o.name());
        assertEquals("GPL", o.license());
        ElfObject.MapDef table = o.maps().stream().filter(m -> m.name().equals("table")).findFirst().orElseThrow();
        assertEquals(List.of(1, 8, 16, 128, 1), List.of(table.type(), table.keySize(), table.valueSize(), table.maxEntries(), table.flags()));
        ElfObject.MapDef bss = o.maps().stream().filter(m -> m.realName().equals(".bss")).findFirst().orElseThrow();
        assertEquals(36, bss.valueSize()); // __u64 scratch[4] + static int sticky
        ElfObject.MapDef data = o.maps().stream().filter(m -> m.realName().equals(".data")).findFirst().orElseThrow();
        assertEquals(3, data.initial()[0]); // int hits = 3
        assertEquals("SYSCALL", o.program("classify").orElseThrow().typeName());
        assertEquals("SOCKET_FILTER", o.program("sock_filter").orElseThrow().typeName());
        assertEquals("SCHED_CLS", o.program("tc_prog").orElseThrow().typeName());
        ElfObject s = open("pro_epilogue.o");
        ElfObject.MapDef st = s.maps().get(0);
        assertEquals("pro_epilogue", st.name());
        assertEquals(ElfOpener.BPF_F_LINK, st.flags());
        assertEquals("{0=test_prologue, 1=test_epilogue, 2=test_pro_epilogue}", st.stOps().progs().toString());
    }

    @Test
    void subprogramsAreAppendedDepthFirstInFirstCallOrder() {
        ElfObject o = open("maps_data.o");
        ElfObject.Program classify = o.program("classify").orElseThrow();
        ElfLinker.Linked l = ElfLinker.relocateCalls(o, classify);
        // classify calls global_helper first, which calls static_helper: both appended once
        assertEquals(47 + 3 + 6, l.insns().size());
        assertEquals(47, l.subprogOffsets().get("global_helper"));
        assertEquals(50, l.subprogOffsets().get("static_helper"));
        for (int i = 0; i < l.insns().size(); i++) {
            Insn in = l.insns().get(i);
            final int at = i;
            boolean kfunc = l.relos().stream().anyMatch(r -> r.insnIdx() == at && r.type() == ElfObject.ReloType.EXTERN_CALL);
            if (in.isPseudoCall() && !kfunc) {
                int target = i + in.imm() + 1;
                assertTrue(target == 47 || target == 50, "call at " + i + " lands at " + target);
            }
        }
        // the subprogram's own relocation (.rodata 'limit') moves with it
        assertTrue(l.relos().stream().anyMatch(r -> r.type() == ElfObject.ReloType.DATA && r.insnIdx() == 50 + 1),
                l.relos().toString());
        // subprograms' own instructions are not modified
        assertEquals(o.programs().stream().filter(p -> p.name().equals("static_helper")).findFirst().orElseThrow().insns(),
                l.insns().subList(50, 56));
    }

    @Test
    void secDefMatchesAsLibbpf() {
        assertEquals("SCHED_CLS", SecDef.find("tc").orElseThrow().progType());
        assertTrue(SecDef.find("tc/foo").isEmpty()); // exact match only
        assertEquals("KPROBE", SecDef.find("kprobe/do_sys_open").orElseThrow().progType());
        assertTrue(SecDef.find("kprobex").isEmpty());
        assertEquals("STRUCT_OPS", SecDef.find("struct_ops.s/test").orElseThrow().progType());
        assertTrue(SecDef.find("struct_ops.s/test").orElseThrow().sleepable());
        assertEquals("TCX_INGRESS", SecDef.find("tc/ingress").orElseThrow().attachType());
    }

    // ------------------------------------------------------------------ malformed objects

    private static ObjOpenException refused(byte[] b) {
        return assertThrows(ObjOpenException.class, () -> ElfObject.open(b, "bad.o"));
    }

    private static void putU16(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >> 8);
    }

    private static void putU32(byte[] b, int p, long v) {
        for (int i = 0; i < 4; i++) {
            b[p + i] = (byte) (v >> (8 * i));
        }
    }

    private static void putU64(byte[] b, int p, long v) {
        for (int i = 0; i < 8; i++) {
            b[p + i] = (byte) (v >> (8 * i));
        }
    }

    private static int shdr(byte[] b, int idx) {
        return (int) (ElfFile.u64(b, 40) + (long) idx * 64);
    }

    @Test
    void headerChecksInLibbpfsOrder() {
        byte[] ok = bytes("maps_data.o");
        ObjOpenException e = refused("hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals("elf: 'bad.o' is not a proper ELF object", e.libbpfLine());
        assertEquals(-4001, e.err());
        byte[] c = ok.clone();
        c[4] = 1;
        assertEquals("elf: 'bad.o' is not a 64-bit ELF object", refused(c).libbpfLine());
        e = refused(java.util.Arrays.copyOf(ok, 40));
        assertTrue(e.getMessage().startsWith("bad.o: elf: failed to get ELF header from bad.o"), e.getMessage());
        c = ok.clone();
        c[5] = 3;
        assertEquals(-4003, refused(c).err());
        c = ok.clone();
        putU16(c, 16, 2); // ET_EXEC
        assertEquals("elf: bad.o is not a valid eBPF object file", refused(c).libbpfLine());
        c = ok.clone();
        putU16(c, 18, 62); // EM_X86_64
        assertEquals("elf: bad.o is not a valid eBPF object file", refused(c).libbpfLine());
        c = ok.clone();
        putU16(c, 18, 0); // EM_NONE, as old LLVM wrote: accepted
        assertEquals(3, ElfObject.open(c, "ok.o").programs().stream().filter(p -> !p.subprog()).count());
        c = ok.clone();
        putU64(c, 40, ok.length - 10L); // e_shoff beyond the file
        e = refused(c);
        assertTrue(e.libbpfLine().contains("section header table at offset 0x"), e.getMessage());
        c = ok.clone();
        putU16(c, 62, 200); // e_shstrndx
        e = refused(c);
        assertTrue(e.libbpfLine().contains("e_shstrndx 200 at offset 0x3e"), e.getMessage());
    }

    @Test
    void sectionSymbolAndRelocationChecks() {
        byte[] ok = bytes("maps_data.o");
        ElfObject o = open("maps_data.o");
        int syscall = o.programs().stream().filter(p -> p.name().equals("classify")).findFirst().orElseThrow().secIdx();
        // section data beyond the file
        byte[] c = ok.clone();
        putU64(c, shdr(c, syscall) + 24, ok.length + 100L);
        ObjOpenException e = refused(c);
        assertTrue(e.libbpfLine().startsWith("elf: failed to get section(" + syscall + ") syscall data from bad.o: data at offset 0x"),
                e.getMessage());
        // a section name outside .strtab
        c = ok.clone();
        putU32(c, shdr(c, syscall), 0x7fff0000L);
        e = refused(c);
        assertTrue(e.libbpfLine().startsWith("elf: failed to get section(" + syscall + ") name from bad.o: sh_name 0x7fff0000"),
                e.getMessage());
        // the relocation section's r_offset outside its target
        int rel = syscall + 1;
        c = ok.clone();
        int relOff = (int) ElfFile.u64(c, shdr(c, rel) + 24);
        putU64(c, relOff, 0x10000);
        e = refused(c);
        assertEquals("sec '.relsyscall': invalid offset 0x10000 for relo #0", e.libbpfLine());
        // a relocation naming a symbol beyond the symbol table
        c = ok.clone();
        putU64(c, relOff + 8, (9999L << 32) | 1);
        e = refused(c);
        assertTrue(e.libbpfLine().startsWith("sec '.relsyscall': symbol #9999 not found for relo #0"), e.getMessage());
        // the symbol table's string table index
        int symtab = o.sections().stream().filter(s -> s.type().equals("SYMTAB")).findFirst().orElseThrow().index();
        c = ok.clone();
        putU32(c, shdr(c, symtab) + 40, 999);
        e = refused(c);
        assertTrue(e.libbpfLine().startsWith("sec '.text': failed to get symbol name for offset"), e.getMessage());
        // a relocation on an instruction that is neither a call nor an ld_imm64
        c = ok.clone();
        putU64(c, relOff, 8);
        e = refused(c);
        assertEquals(-4005, e.err());
        assertTrue(e.libbpfLine().startsWith("prog 'classify': invalid relo against 'counters' for insns[1].code 0x"), e.getMessage());
    }

    @Test
    void staticProgramAndLegacyMapsAreRefused() {
        byte[] ok = bytes("maps_data.o");
        ElfObject o = open("maps_data.o");
        int symtab = o.sections().stream().filter(s -> s.type().equals("SYMTAB")).findFirst().orElseThrow().index();
        byte[] c = ok.clone();
        // make classify's symbol STB_LOCAL: "is static and not supported"
        int symOff = (int) ElfFile.u64(c, shdr(c, symtab) + 24);
        int n = (int) (ElfFile.u64(c, shdr(c, symtab) + 32) / 24);
        for (int i = 0; i < n; i++) {
            int p = symOff + i * 24;
            int strtab = ElfFile.u32(c, shdr(c, symtab) + 40);
            int name = (int) (ElfFile.u64(c, shdr(c, strtab) + 24) + ElfFile.u32(c, p));
            if (new String(c, name, 8, StandardCharsets.US_ASCII).equals("classify")) {
                c[p + 4] = (byte) (c[p + 4] & 0xf); // STB_LOCAL
            }
        }
        ObjOpenException e = refused(c);
        assertEquals("sec 'syscall': program 'classify' is static and not supported", e.libbpfLine());
        assertEquals(-95, e.err());
    }
}
