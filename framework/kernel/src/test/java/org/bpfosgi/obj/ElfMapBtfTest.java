package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.obj.elf.ElfObject;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.verifier.BtfField;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * libbpf 1.5's bpf_object__sanitize_and_load_btf() and bpf_object__create_map() for ELF objects:
 * the object's BTF is loaded (BPF_BTF_LOAD) and every map is created with btf_fd and its key and
 * value type ids, so map_create()'s map_check_btf() / btf_parse_fields() see a kptr in a
 * {@code .maps} value and walk the DATASEC value types of global-data maps. Compared with the live
 * kernel's answers for the same objects (src/test/resources/org/bpfosgi/obj/elf/live/OBJ.live.txt,
 * recorded by record-live.sh with obj_load.c): which maps have BTF and with which type ids, the
 * load verdict, the programs' test-run results (a prog array with key and value types keeps its
 * BTF: prog_array_btf.o); the refused-BTF path (kptr_ref.o) with libbpf's lines and the
 * verifier's error; a map created again without BTF after the kernel refused its BTF
 * (kptr_rdonly.o); the re-mmap() that fails for a kptr in .bss (kptr_bss.o).
 */
class ElfMapBtfTest {
    private static List<String> golden(String n) {
        try (InputStream in = ElfMapBtfTest.class.getResourceAsStream("/org/bpfosgi/obj/elf/live/" + n + ".live.txt")) {
            List<String> out = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.startsWith("#")) {
                    out.add(l);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines(List<String> golden, String prefix) {
        return golden.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    private static BpfObject load(ObjKernel k, String n) {
        ElfObject e = ElfObject.open(ElfObjLoadTest.obj(n + ".o"));
        return ObjLoader.load(e.toOpened(), e.name(), null, k.sk);
    }

    /** The "map", "run" lines obj_load.c prints, from the model's loaded object. */
    private static List<String> modelLines(ObjKernel k, BpfObject o) {
        List<String> out = new ArrayList<>();
        out.add("load: ok");
        for (BpfObject.Created c : o.created()) {
            if (c.kind().equals("map")) {
                BpfMap m = o.map(c.name());
                out.add("map " + c.name() + ": btf " + (m.btf() != null ? "yes" : "no") + " key_type "
                        + m.attr().btfKeyTypeId() + " value_type " + m.attr().btfValueTypeId());
            }
        }
        for (BpfObject.Created c : o.created()) {
            if (c.kind().equals("prog")) {
                out.add("run " + c.name() + ": retval " + k.retval(c.id()));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kptr_map", "globals", "prog_array_btf"})
    void mapsGetTheObjectsBtfAsOnTheLiveKernel(String n) {
        ObjKernel k = new ObjKernel();
        BpfObject o = load(k, n);
        List<String> g = golden(n);
        assertTrue(lines(g, "mmap ").stream().allMatch(l -> l.endsWith(": ok")), "every re-mmap() worked live: " + g);
        List<String> want = new ArrayList<>(lines(g, "load: "));
        want.addAll(lines(g, "map "));
        want.addAll(lines(g, "run "));
        assertEquals(want, modelLines(k, o));
        assertEquals(List.of(), o.log(), "no libbpf warning, as live");
    }

    @Test
    void aKptrInAMapValueIsTheMapsRecord() {
        ObjKernel k = new ObjKernel();
        BpfObject o = load(k, "kptr_map");
        BpfMap slots = o.map("slots");
        assertNotNull(slots.record(), "btf_parse_fields() found the kptr");
        assertEquals(0, slots.record().err());
        assertEquals(1, slots.record().fields().size());
        BtfField f = slots.record().fields().get(0);
        assertEquals(BtfField.Type.KPTR_UNREF, f.type());
        assertEquals(8, f.offset());
        // the DATASEC values hold no special field: no record, plain memory
        for (String m : List.of("kptr_map.data", "kptr_map.rodata", "kptr_map.bss")) {
            assertNull(o.map(m).record(), m);
            assertNotNull(o.map(m).btf(), m);
        }
        // the object's BTF stays referenced until the object is unloaded, each map holds its own
        org.bpfosgi.btf.BtfObject btf = o.btf().orElseThrow();
        String show = k.run("map", "show").out();
        assertTrue(show.contains("name slots  flags 0x0\n\tkey 4B  value 16B  max_entries 2\n\tbtf_id " + btf.id() + "\n"), show);
        assertTrue(show.contains("name kptr_map.rodata  flags 0x480\n\tkey 4B  value 4B  max_entries 1\n\tbtf_id " + btf.id()
                + "  frozen\n"), show);
        assertTrue(k.btfRegistry.getById(btf.id()).isPresent());
        k.btfRegistry.btfPut(btf); // the reference getById() took
        ObjLoader.unload(o, k.sk);
        assertTrue(k.btfRegistry.getById(btf.id()).isEmpty(), "BTF freed with the object and its maps");
    }

    @Test
    void aRefusedBtfIsOptionalAndTheMapHasNoKptr() {
        ObjKernel k = new ObjKernel();
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class, () -> load(k, "kptr_ref"));
        List<String> g = golden("kptr_ref");
        assertEquals(lines(g, "load: ").get(0), "load: " + e.err());
        List<String> libbpf = lines(g, "libbpf: ").stream().map(l -> l.substring("libbpf: ".length())).toList();
        // libbpf's BTF lines, in order, around the kernel's BTF log the model does not have
        assertEquals(libbpf.get(0), e.lines().get(0));
        assertEquals(libbpf.stream().filter(l -> l.startsWith("Error loading .BTF")).findFirst().orElseThrow(), e.lines().get(1));
        // the verifier's error: the line before "processed ..."
        int processed = g.indexOf(g.stream().filter(l -> l.startsWith("processed ")).findFirst().orElseThrow());
        assertTrue(e.lines().contains(g.get(processed - 1)), g.get(processed - 1) + " in " + e.lines());
        assertTrue(e.lines().contains("prog 'peek': failed to load: -13"), e.lines().toString());
        assertTrue(k.btfRegistry.list().stream().noneMatch(b -> b.name().equals("kptr_ref")), "nothing left behind");
        assertEquals(List.of(), k.sk.maps().list(), "nothing left behind");
    }

    @Test
    void aMapTheKernelRefusesWithBtfIsRetriedWithout() {
        // BPF_F_RDONLY_PROG and a kptr: map_check_btf() -EACCES, then libbpf's retry without BTF
        ObjKernel k = new ObjKernel();
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class, () -> load(k, "kptr_rdonly"));
        List<String> g = golden("kptr_rdonly");
        assertEquals(lines(g, "load: ").get(0), "load: " + e.err());
        assertEquals(lines(g, "libbpf: Error in bpf_create_map_xattr").get(0).substring("libbpf: ".length()), e.lines().get(0));
        int processed = g.indexOf(g.stream().filter(l -> l.startsWith("processed ")).findFirst().orElseThrow());
        assertTrue(e.lines().contains(g.get(processed - 1)), g.get(processed - 1) + " in " + e.lines());
        assertTrue(e.lines().contains("prog 'peek': failed to load: -13"), e.lines().toString());
        assertEquals(List.of(), k.sk.maps().list(), "nothing left behind");
    }

    @Test
    void aKptrInBssFailsTheReMmap() {
        ObjKernel k = new ObjKernel();
        List<String> g = golden("kptr_bss");
        String mmap = lines(g, "mmap kptr_bss.bss: ").get(0);
        int err = Integer.parseInt(mmap.substring(mmap.lastIndexOf(' ') + 1));
        ObjLoader.ObjLoadException e = assertThrows(ObjLoader.ObjLoadException.class, () -> load(k, "kptr_bss"));
        assertEquals(err, e.err());
        assertEquals(List.of("map 'kptr_bss.bss': failed to re-mmap() contents: " + err,
                "map 'kptr_bss.bss': failed to create: Unknown error 524(" + err + ")"), e.lines());
        assertEquals(List.of(), k.sk.maps().list(), "nothing left behind");
    }
}
