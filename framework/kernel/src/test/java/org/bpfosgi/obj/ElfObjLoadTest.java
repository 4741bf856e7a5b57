package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Clang-built objects (src/test/bpf/elf-loader/*.c, prebuilt into the test resources) through
 * {@code obj load} / {@code prog load}: the same load path as the object text.
 */
class ElfObjLoadTest {
    static Path obj(String n) {
        try {
            return Path.of(ElfObjLoadTest.class.getResource("/org/bpfosgi/obj/elf/" + n).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void proEpilogueObjectLoadsRegistersAndRuns() {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out r = k.run("obj", "load", obj("pro_epilogue.o").toString());
        assertTrue(r.ok(), r.toString());
        // libbpf's order: the struct_ops map, the programs in (section, offset) order, the link
        assertTrue(r.out().startsWith("map "), r.out());
        assertTrue(r.out().contains("link "), r.out());
        // the same __retval's as the text object (upstream policy): 1000 + 10 + 1; (10 + 1 + 10000) * 2; ...
        Map<String, Long> expected = Map.of("syscall_prologue", 1011L, "syscall_epilogue", 20022L,
                "syscall_pro_epilogue", 22022L);
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), k.retval(ObjKernel.id(r, "prog", e.getKey())), e.getKey());
        }
        assertTrue(k.run("obj", "unload").ok());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
    }

    @Test
    void progLoadOneProgramOfTheObject() {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out r = k.run("prog", "load", obj("pro_epilogue.o").toString(), "test_epilogue");
        assertTrue(r.ok(), r.toString());
        ObjKernel.Out shown = k.run("prog", "show");
        assertTrue(shown.out().contains("name test_epilogue"), shown.toString());
        assertTrue(shown.out().contains("attach bpf_testmod_st_ops.test_epilogue"), shown.toString());
        ObjKernel.Out missing = k.run("prog", "load", obj("pro_epilogue.o").toString(), "nope");
        assertFalse(missing.ok());
        assertTrue(missing.err().contains("no program 'nope'"), missing.toString());
    }

    @Test
    void withoutTheModuleTheKfuncIsNotFound() {
        ObjKernel k = new ObjKernel();
        ObjKernel.Out r = k.run("obj", "load", obj("pro_epilogue.o").toString());
        assertFalse(r.ok());
        // find_struct_ops_kern_types() runs before any program: the type is bpf_testmod's
        assertTrue(r.err().contains("libbpf: struct_ops init_kern: struct bpf_testmod_st_ops is not found in kernel BTF"),
                r.toString());
    }
}
