package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The struct_ops bodies of the kernel selftests of spec §6.6 (progs/pro_epilogue.c,
 * epilogue_exit.c, pro_epilogue_goto_start.c) as plain programs — before any prologue or
 * epilogue, which come with the next issue — load, and their xlated dumps equal the
 * main-program lines of §6.6 (re-indexed from 0; a jump over an inserted epilogue keeps its
 * unpatched offset).
 */
class ProEpilogueBodiesTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
    }

    @AfterEach
    void noLeaks() {
        k.progs.list().forEach(p -> k.progs.free(p.id()));
        k.assertNoReferencesLeft();
    }

    static final String SUBPROG = """
            subprog:
                r2 = *(u64 *)(r1 +0)
                r2 += 1
                *(u64 *)(r1 +0) = r2
                r0 = r2
                exit
            """;

    static String body(String member) {
        return """
                .license "GPL"
                SEC("struct_ops/%s")
                %s:
                    r1 = *(u64 *)(r1 +0)
                    r6 = r1
                    call bpf_kfunc_st_ops_inc10
                    r1 = r6
                    call subprog
                    exit
                """.formatted(member, member) + SUBPROG;
    }

    private List<String> xlated(ProgLoadResult r) {
        assertTrue(r.ok(), r.log());
        return Disassembler.dump(r.prog().prepareDump(), Disassembler.Style.SELFTEST, Disassembler.NONE);
    }

    private static void assertMain(List<String> expected, List<String> actual) {
        for (int i = 0; i < expected.size(); i++) {
            String e = expected.get(i);
            if (e.endsWith("+")) {
                assertTrue(actual.get(i).startsWith(i + ": " + e), actual.get(i) + " vs " + e);
            } else {
                assertEquals(i + ": " + e, actual.get(i));
            }
        }
    }

    @Test
    void proEpilogueBodies() {
        for (String member : List.of("test_prologue", "test_epilogue", "test_pro_epilogue")) {
            ProgLoadResult r = k.load(body(member));
            List<String> x = xlated(r);
            // §6.6.1 test_prologue 4-9 (test_epilogue 1-5, test_pro_epilogue 5-9)
            assertMain(List.of("r1 = *(u64 *)(r1 +0)", "r6 = r1", "call kernel-function", "r1 = r6", "call pc+1", "exit"), x);
            assertTrue(r.log().contains("processed "), r.log());
            assertEquals("bpf_testmod_st_ops." + member, r.prog().attach());
        }
    }

    @Test
    void epilogueExitBody() {
        String text = """
                .license "GPL"
                SEC("struct_ops/test_epilogue")
                test_epilogue_exit:
                    r1 = *(u64 *)(r1 +0)
                    r2 = *(u64 *)(r1 +0)
                    r3 = 0
                    r4 = 1
                    if r2 == 0 goto l0
                    r0 = 0
                    *(u64 *)(r1 +0) = r3
                    exit
                l0:
                    *(u64 *)(r1 +0) = r4
                    r0 = 1
                    r1 = 0
                    exit
                """;
        List<String> x = xlated(k.load(text));
        // §6.6.3: 1-7 and 16-18 of the patched program
        assertMain(List.of("r1 = *(u64 *)(r1 +0)", "r2 = *(u64 *)(r1 +0)", "r3 = 0", "r4 = 1",
                "if r2 == 0x0 goto pc+3", "r0 = 0", "*(u64 *)(r1 +0) = r3", "exit", "*(u64 *)(r1 +0) = r4", "r0 = 1",
                "r1 = 0", "exit"), x);
    }

    @Test
    void gotoStartBodies() {
        for (String member : List.of("test_prologue", "test_epilogue", "test_pro_epilogue")) {
            String text = """
                    .license "GPL"
                    SEC("struct_ops/%s")
                    goto_start:
                        if r1 == 0 goto +5
                        if r1 == 1 goto +2
                        r1 = 1
                        goto -3
                        r1 = 0
                        goto -6
                        r0 = 0
                        exit
                    """.formatted(member);
            List<String> x = xlated(k.load(text));
            // §6.6.4 test_prologue_goto_start 4-11
            assertMain(List.of("if r1 == 0x0 goto pc+5", "if r1 == 0x1 goto pc+2", "r1 = 1", "goto pc-3", "r1 = 0",
                    "goto pc-6", "r0 = 0", "exit"), x);
        }
    }

    @Test
    void dumpShowsKfuncAndSubprog() {
        ProgLoadResult r = k.load(body("test_prologue"));
        List<Insn> insns = r.prog().insns();
        assertTrue(insns.get(2).isKfuncCall());
        assertTrue(insns.get(4).isPseudoCall());
        assertEquals(1, r.prog().aux().kfuncTab().size());
        assertEquals(1, r.prog().aux().kfuncBtfTab().size());
    }
}
