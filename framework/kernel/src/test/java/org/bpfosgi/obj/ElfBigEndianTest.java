package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpfosgi.obj.elf.ElfObject;
import org.bpfosgi.obj.elf.ObjOpenException;
import org.junit.jupiter.api.Test;

/**
 * A big-endian object (clang -target bpfeb, src/test/bpf/bigendian/build.sh) as libbpf 1.5 takes
 * it: bpf_object__open() reads it as libelf converts it (headers, symbols, relocations), swaps
 * its instructions (bpf_object_bswap_progs) and its BTF (btf_parse_hdr/btf_parse_type_sec), so
 * it opens as the same object as its -target bpfel twin; bpf_object_load() refuses it first
 * thing: "object '%s': loading non-native endianness is unsupported", -LIBBPF_ERRNO__ENDIAN.
 * (The machine's libbpf is 1.1, which refused it at open, so there is no live answer to record.)
 */
class ElfBigEndianTest {
    private static Path obj(String n) throws Exception {
        return Path.of(ElfBigEndianTest.class.getResource("/org/bpfosgi/obj/elf/" + n).toURI());
    }

    @Test
    void aBigEndianObjectOpensAsItsLittleEndianTwin() throws Exception {
        ElfObject le = ElfObject.open(obj("maps_data.bpfel.o"));
        ElfObject be = ElfObject.open(obj("maps_data.bpfeb.o"));
        assertTrue(le.nativeEndian());
        assertFalse(be.nativeEndian());
        assertEquals(le.name(), be.name());
        assertEquals(le.license(), be.license());
        assertEquals(le.programs().size(), be.programs().size());
        for (int i = 0; i < le.programs().size(); i++) {
            assertEquals(le.programs().get(i).name(), be.programs().get(i).name());
            assertEquals(le.programs().get(i).insns(), be.programs().get(i).insns(), "instructions of " + le.programs().get(i).name());
        }
        assertEquals(le.btf().orElseThrow().nrTypes(), be.btf().orElseThrow().nrTypes());
        assertTrue(be.btfExtInfo().isPresent(), "the swapped .BTF.ext is read too");
        assertEquals(le.btfExtInfo().orElseThrow().lineInfoBlocks(), be.btfExtInfo().orElseThrow().lineInfoBlocks());
        ObjKernel k = new ObjKernel();
        ObjKernel.Out showLe = k.run("obj", "show", obj("maps_data.bpfel.o").toString());
        ObjKernel.Out showBe = k.run("obj", "show", obj("maps_data.bpfeb.o").toString());
        assertTrue(showLe.ok() && showBe.ok(), showBe.toString());
        List<String> l = showLe.out().lines().toList();
        List<String> b = showBe.out().lines().toList();
        // sections, programs, maps (sizes and types from the swapped BTF), relocations, externs: all the same
        assertEquals(l.subList(1, l.size()), b.subList(1, b.size()));
        assertTrue(b.get(0).endsWith("  big-endian (opens, does not load: non-native endianness)"), b.get(0));
        assertFalse(l.get(0).contains("big-endian"), l.get(0));
    }

    @Test
    void loadingItIsRefusedBeforeAnythingIsCreated() throws Exception {
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("obj", "load", obj("maps_data.bpfeb.o").toString());
        assertEquals(1, r.status());
        assertEquals("libbpf: object 'maps_data': loading non-native endianness is unsupported\n"
                + "Error: failed to load object file: -LIBBPF_ERRNO__ENDIAN (Endian mismatch)\n", r.err());
        assertEquals("", k.run("map", "show").out());
        assertEquals("", k.run("obj", "show").out(), "no object is kept");
        // bpftool prog load goes through bpf_object__load() too
        ObjKernel.Out p = k.run("prog", "load", obj("maps_data.bpfeb.o").toString(), "classify");
        assertEquals(1, p.status());
        assertTrue(p.err().contains("libbpf: object 'maps_data': loading non-native endianness is unsupported\n"), p.err());
        assertTrue(p.err().contains("failed to load object file: -LIBBPF_ERRNO__ENDIAN (Endian mismatch)"), p.err());
        assertTrue(k.pk.progs().get(1).isEmpty(), "no program was loaded");
    }

    @Test
    void swappedBtfWithAnotherHeaderLengthIsNotSupported() throws Exception {
        byte[] b = Files.readAllBytes(obj("maps_data.bpfeb.o"));
        int at = -1;
        for (int i = 0; i + 8 <= b.length && at < 0; i++) {
            // .BTF's header in big-endian order: magic 0xeb9f, version 1, flags 0, hdr_len 24
            if ((b[i] & 0xff) == 0xeb && (b[i + 1] & 0xff) == 0x9f && b[i + 2] == 1 && b[i + 3] == 0 && b[i + 4] == 0
                    && b[i + 5] == 0 && b[i + 6] == 0 && b[i + 7] == 24) {
                at = i;
            }
        }
        assertTrue(at > 0, "no big-endian .BTF header");
        b[at + 7] = 28;
        ObjOpenException e = assertThrows(ObjOpenException.class, () -> ElfObject.open(b, "hdr.o"));
        // btf_parse_hdr(): -ENOTSUP; the object has .maps, so bpf_object__init_btf() fails the open with it
        assertEquals(-95, e.err());
        assertTrue(e.libbpfLine().contains("Can't load BTF with non-native endianness due to unsupported header length 28"),
                e.libbpfLine());
    }

    @Test
    void theOpenChecksStillComeFirst() throws Exception {
        byte[] b = Files.readAllBytes(obj("maps_data.bpfeb.o"));
        // e_shstrndx (big-endian u16 at 0x3e) past the section count: refused at open, as for a little-endian file
        b[0x3e] = 0x7f;
        b[0x3f] = 0x00;
        ObjOpenException e = assertThrows(ObjOpenException.class, () -> ElfObject.open(b, "bad.o"));
        assertEquals(-ObjOpenException.LIBBPF_ERRNO__FORMAT, e.err());
        assertTrue(e.libbpfLine().startsWith("elf: failed to get section names section index for bad.o: e_shstrndx 32512"),
                e.libbpfLine());
    }
}
