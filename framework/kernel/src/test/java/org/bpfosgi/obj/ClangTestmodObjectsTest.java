package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The bpf_testmod objects written in C: the C bodies are examples/clang-object/st_ops.c (its
 * prebuilt st_ops.o, which examples/clang-object.gosh also loads), the naked-asm bodies
 * src/test/bpf/objects/st_ops_asm.c (the live kernel has no
 * bpf_testmod, so no golden data) in the model under the upstream kfunc policy (the landed
 * generators): loaded, registered through their .struct_ops.link map, run by their syscall
 * programs. The expected values are the ones their C files state, from bpf_testmod's landed
 * gen_prologue (+1000) and gen_epilogue (+10000, then a * 2).
 */
class ClangTestmodObjectsTest {
    private static void runs(java.nio.file.Path file, String obj, Map<String, Long> expected) {
        ObjKernel k = new ObjKernel().withTestmod();
        ObjKernel.Out r = k.run("obj", "load", file.toString());
        assertTrue(r.ok(), r.toString());
        assertTrue(r.out().contains("link 1 " + obj), r.out());
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), k.retval(ObjKernel.id(r, "prog", e.getKey())), obj + " " + e.getKey());
        }
        assertTrue(k.run("obj", "unload").ok());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
    }

    @Test
    void cBodies() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("run_prologue", 1011L);       // 1000 + 10 + 1
        m.put("run_epilogue", 20022L);      // (10 + 1 + 10000) * 2
        m.put("run_pro_epilogue", 22022L);  // (1000 + 10 + 1 + 10000) * 2
        runs(java.nio.file.Path.of("../../examples/clang-object/st_ops.o"), "st_ops_c", m);
    }

    @Test
    void nakedAsmBodies() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("run_prologue", 1013L);       // 1000 + 10 + 3 (asm subprogram)
        m.put("run_two_exits", 20014L);     // a == 0: a = 7, then the one epilogue: (7 + 10000) * 2
        m.put("run_loop_to_start", 22000L); // the jump back to insn 0 skips the prologue: (1000 + 10000) * 2
        runs(ClangObjects.path("st_ops_asm"), "st_ops_asm", m);
    }
}
