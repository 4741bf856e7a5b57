package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.bpfosgi.obj.elf.ElfObject;
import org.junit.jupiter.api.Test;

/**
 * An ELF object with no program and no map (src/test/bpf/elf-loader/empty.c): libbpf 1.5's
 * bpf_object__load() has nothing to refuse it for and returns 0 (the object's BTF is all it
 * gives the kernel), as bpftool prog loadall then succeeds; bpftool prog load, which pins the
 * first program, fails after the load with "object file doesn't contain any bpf program". The
 * live answers: live/empty.live.txt (libbpf) and live/empty.bpftool.txt (bpftool), recorded by
 * record-live.sh.
 */
class EmptyObjectTest {
    private static List<String> golden(String f) {
        try (InputStream in = EmptyObjectTest.class.getResourceAsStream("/org/bpfosgi/obj/elf/live/" + f)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void objLoadSucceedsWithNothingCreatedButTheObjectsBtf() {
        assertEquals(List.of("load: ok"), golden("empty.live.txt"));
        assertTrue(golden("empty.bpftool.txt").contains("bpftool prog loadall: rc 0"));
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("obj", "load", ElfObjLoadTest.obj("empty.o").toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.out() + r.err(), "no program, no map, no warning");
        BpfObject o = k.cli.object("empty").orElseThrow();
        assertEquals(List.of(), o.created());
        assertTrue(o.btf().isPresent(), "bpf_object__sanitize_and_load_btf() loaded the object's .BTF");
        assertEquals(List.of(), k.sk.maps().list());
        assertEquals(0, k.run("obj", "unload", "empty").status());
        assertTrue(k.btfRegistry.list().stream().noneMatch(b -> b.name().equals("empty")), "the BTF goes with the object");
    }

    @Test
    void objectLoadDirectlyIsAnEmptyObject() {
        ObjKernel k = new ObjKernel();
        ElfObject e = ElfObject.open(ElfObjLoadTest.obj("empty.o"));
        BpfObject o = ObjLoader.load(e.toOpened(), e.name(), null, k.sk);
        assertEquals(List.of(), o.created());
        assertEquals(List.of(), o.log());
        ObjLoader.unload(o, k.sk);
        assertTrue(k.btfRegistry.list().stream().noneMatch(b -> b.name().equals("empty")), "nothing left behind");
    }

    @Test
    void progLoadSaysTheObjectHasNoProgramAsBpftool() {
        List<String> g = golden("empty.bpftool.txt");
        int i = g.indexOf("bpftool prog load: rc 255");
        assertTrue(i >= 0, g.toString());
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("prog", "load", ElfObjLoadTest.obj("empty.o").toString());
        assertEquals(1, r.status());
        assertEquals(g.get(i + 1) + "\n", r.err());
        assertTrue(k.btfRegistry.list().stream().noneMatch(b -> b.name().equals("empty")), "nothing left behind");
    }
}
