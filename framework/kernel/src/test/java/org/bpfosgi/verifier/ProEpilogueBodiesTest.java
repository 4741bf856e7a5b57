package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden xlated images of the kernel selftests with bpf_testmod's generators: progs/pro_epilogue.c,
 * §6.6.3, §6.6.4, §6.6.5 under the {@code upstream} policy (the selftests' {@code __xlated}
 * lines, then the {@code __retval} by running the image), and §5.4 (dropped v2 8/8) under
 * {@code seed}. Not modelled: §6.6.2 (tail calls).
 */
class ProEpilogueBodiesTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmodWithGenerators();
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

    /** Each line "N: text" (a trailing "+" is a prefix match, as the selftests' "call pc+"). */
    private static void assertXlated(List<String> expected, List<String> actual) {
        for (int i = 0; i < expected.size(); i++) {
            String e = expected.get(i);
            if (e.endsWith("+")) {
                assertTrue(actual.get(i).startsWith(e), actual.get(i) + " vs " + e + "\n" + actual);
            } else {
                assertEquals(e, actual.get(i), actual.toString());
            }
        }
    }

    private ProgLoadResult load(String text, KfuncPolicy policy) {
        ProgLoadResult r = k.load(text, policy, false);
        assertTrue(r.ok(), r.log());
        return r;
    }

    static String named(String name, String member) {
        return body(member).replace(member + ":\n", name + ":\n");
    }

    private static final List<String> LANDED_EPILOGUE = List.of("r1 = *(u64 *)(r10 -8)", "r1 = *(u64 *)(r1 +0)",
            "r6 = *(u64 *)(r1 +0)", "r6 += 10000", "*(u64 *)(r1 +0) = r6", "r0 = r6", "r0 *= 2", "exit");
    private static final List<String> LANDED_PROLOGUE = List.of("r6 = *(u64 *)(r1 +0)", "r7 = *(u64 *)(r6 +0)",
            "r7 += 1000", "*(u64 *)(r6 +0) = r7");
    private static final List<String> BODY = List.of("r1 = *(u64 *)(r1 +0)", "r6 = r1", "call kernel-function", "r1 = r6",
            "call pc+");

    private static List<String> numbered(List<List<String>> parts) {
        List<String> out = new java.util.ArrayList<>();
        for (List<String> p : parts) {
            for (String l : p) {
                out.add(out.size() + ": " + l);
            }
        }
        return out;
    }

    /** §6.6.1 progs/pro_epilogue.c, upstream: xlated and __retval (1011, 20022, 22022). */
    @Test
    void proEpilogueUpstream() {
        assertXlated(numbered(List.of(LANDED_PROLOGUE, BODY, List.of("exit"))),
                xlated(load(body("test_prologue"), KfuncPolicy.UPSTREAM)));
        assertXlated(numbered(List.of(List.of("*(u64 *)(r10 -8) = r1"), BODY, LANDED_EPILOGUE)),
                xlated(load(body("test_epilogue"), KfuncPolicy.UPSTREAM)));
        ProgLoadResult pe = load(body("test_pro_epilogue"), KfuncPolicy.UPSTREAM);
        assertXlated(numbered(List.of(LANDED_PROLOGUE, List.of("*(u64 *)(r10 -8) = r1"), BODY, LANDED_EPILOGUE)),
                xlated(pe));
        assertEquals(8, pe.prog().aux().stackDepths()[0], "subprog 0's stack grew by 8");
        assertEquals(1011, k.run(k.progs.get(1).orElseThrow(), 0).r0());
        assertEquals(20022, k.run(k.progs.get(2).orElseThrow(), 0).r0());
        assertEquals(22022, k.run(pe.prog(), 0).r0());
        // upstream takes no module reference for pro/epilogues: only the body's fd_array kfunc
        assertEquals(3, k.testmod.refcount(), k.testmod.holders().toString());
    }

    /** §6.6.3 progs/epilogue_exit.c: only the first exit gets the epilogue, the second a gotol back. */
    @Test
    void epilogueExitUpstream() {
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
        ProgLoadResult r = load(text, KfuncPolicy.UPSTREAM);
        assertEquals(numbered(List.of(List.of("*(u64 *)(r10 -8) = r1", "r1 = *(u64 *)(r1 +0)", "r2 = *(u64 *)(r1 +0)",
                "r3 = 0", "r4 = 1", "if r2 == 0x0 goto pc+10", "r0 = 0", "*(u64 *)(r1 +0) = r3"), LANDED_EPILOGUE,
                List.of("*(u64 *)(r1 +0) = r4", "r0 = 1", "r1 = 0", "gotol pc-12"))), xlated(r));
        assertEquals(20000, k.run(r.prog(), 1).r0());
        assertEquals(20002, k.run(r.prog(), 0).r0());
    }

    /** §6.6.4 progs/pro_epilogue_goto_start.c: a jump to insn 0 skips the prologue and the ctx save. */
    @Test
    void gotoStartUpstream() {
        long[] retval = {0, 20000, 22000};
        int n = 0;
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
            ProgLoadResult r = load(text, KfuncPolicy.UPSTREAM);
            List<String> jumps = List.of("if r1 == 0x0 goto pc+5", "if r1 == 0x1 goto pc+2", "r1 = 1", "goto pc-3",
                    "r1 = 0", "goto pc-6", "r0 = 0");
            List<List<String>> parts = switch (member) {
                case "test_prologue" -> List.of(LANDED_PROLOGUE, jumps, List.of("exit"));
                case "test_epilogue" -> List.of(List.of("*(u64 *)(r10 -8) = r1"), jumps, LANDED_EPILOGUE);
                default -> List.of(LANDED_PROLOGUE, List.of("*(u64 *)(r10 -8) = r1"), jumps, LANDED_EPILOGUE);
            };
            assertEquals(numbered(parts), xlated(r), member);
            assertEquals(retval[n++], k.run(r.prog(), 0).r0(), member);
        }
    }

    /** §6.6.5 progs/pro_epilogue_with_kfunc.c (Feb 2025): vmlinux kfuncs in the pro/epilogue. */
    @Test
    void proEpilogueWithKfuncUpstream() {
        ProgLoadResult r = load(named("test_kfunc_pro_epilogue", "test_pro_epilogue"), KfuncPolicy.UPSTREAM);
        assertXlated(List.of("0: r8 = r1", "1: r1 = 0", "2: call kernel-function", "3: if r0 != 0x0 goto pc+5",
                "4: r6 = *(u64 *)(r8 +0)", "5: r7 = *(u64 *)(r6 +0)", "6: r7 += 1000", "7: *(u64 *)(r6 +0) = r7",
                "8: goto pc+2", "9: r1 = r0", "10: call kernel-function", "11: r1 = r8", "12: *(u64 *)(r10 -8) = r1",
                "13: r1 = *(u64 *)(r1 +0)", "14: r6 = r1", "15: call kernel-function", "16: r1 = r6", "17: call pc+",
                "18: r1 = 0", "19: r6 = 0", "20: call kernel-function", "21: if r0 != 0x0 goto pc+6",
                "22: r1 = *(u64 *)(r10 -8)", "23: r1 = *(u64 *)(r1 +0)", "24: r6 = *(u64 *)(r1 +0)", "25: r6 += 10000",
                "26: *(u64 *)(r1 +0) = r6", "27: goto pc+2", "28: r1 = r0", "29: call kernel-function", "30: r0 = r6",
                "31: r0 *= 2", "32: exit"), xlated(r));
        assertEquals(22022, k.run(r.prog(), 0).r0());
        // bpf_cgroup_from_id, bpf_cgroup_release (vmlinux, off 0) and inc10 (fd_array off 1)
        assertEquals(3, r.prog().aux().kfuncTab().size());
        assertEquals(1, r.prog().aux().kfuncBtfTab().size());
    }

    private static final List<String> SEED_PROLOGUE = List.of("r6 = *(u64 *)(r1 +0)", "r7 = *(u32 *)(r6 +0)",
            "w7 += 1000", "*(u32 *)(r6 +0) = r7", "r7 = r1", "r1 = r6", "call kernel-function", "r1 = r6",
            "call kernel-function", "r1 = r7");
    private static final List<String> SEED_EPILOGUE = List.of("r1 = *(u64 *)(r10 -8)", "r1 = *(u64 *)(r1 +0)",
            "r6 = *(u32 *)(r1 +0)", "w6 += 10000", "*(u32 *)(r1 +0) = r6", "r6 = r1", "call kernel-function", "r1 = r6",
            "call kernel-function", "w0 *= 2", "exit");

    /** §5.4 (dropped v2 8/8, progs/pro_epilogue_kfunc.c) under seed: xlated and __retval 1121, 20242, 22462. */
    @Test
    void proEpilogueKfuncSeed() {
        ProgLoadResult p = load(named("test_prologue_kfunc", "test_prologue"), KfuncPolicy.SEED);
        assertXlated(numbered(List.of(SEED_PROLOGUE, BODY, List.of("exit"))), xlated(p));
        ProgLoadResult e = load(named("test_epilogue_kfunc", "test_epilogue"), KfuncPolicy.SEED);
        assertXlated(numbered(List.of(List.of("*(u64 *)(r10 -8) = r1"), BODY, SEED_EPILOGUE)), xlated(e));
        ProgLoadResult pe = load(named("test_pro_epilogue_kfunc", "test_pro_epilogue"), KfuncPolicy.SEED);
        assertXlated(numbered(List.of(SEED_PROLOGUE, List.of("*(u64 *)(r10 -8) = r1"), BODY, SEED_EPILOGUE)),
                xlated(pe));
        assertEquals(1121, k.run(p.prog(), 0).r0());
        assertEquals(20242, k.run(e.prog(), 0).r0());
        assertEquals(22462, k.run(pe.prog(), 0).r0());
        // the body's inc10 (fd_array off 1) and the pro/epilogue's share one kfunc_btf_tab entry
        for (ProgLoadResult r : List.of(p, e, pe)) {
            assertEquals(1, r.prog().aux().kfuncBtfTab().size());
            assertEquals(2, r.prog().aux().kfuncTab().size(), "inc10 and inc100");
        }
        assertEquals(3, k.testmod.refcount());
    }

    /** The seed's pro/epilogue under emit-call: refused, the callees are in module text. */
    @Test
    void seedSequencesUnderEmitCallAreRefused() {
        ProgLoadResult r = k.load(body("test_pro_epilogue"), KfuncPolicy.EMIT_CALL, false);
        assertFalse(r.ok());
        assertEquals(org.bpfosgi.errno.Errno.EINVAL, r.errno().orElseThrow());
        assertTrue(r.log().contains("bpf-osgi: gen_epilogue calls bpf_kfunc_st_ops_inc10 in module bpf_testmod text"),
                r.log());
    }

    /** With unsafe-module-calls the emit-call image has the seed's arithmetic: 22462. */
    @Test
    void emitCallWithUnsafeModuleCallsRuns() {
        ProgLoadResult r = k.load(body("test_pro_epilogue"), KfuncPolicy.EMIT_CALL, true);
        assertTrue(r.ok(), r.log());
        Insn call = r.prog().insns().get(6);
        assertTrue(call.isHelperCall(), call.toString());
        assertEquals("bpf_kfunc_st_ops_inc10",
                k.registry.kallsyms().at(Kallsyms.callTarget(call.imm())).orElseThrow().name(), "BPF_EMIT_CALL(inc10)");
        assertEquals(22462, k.run(r.prog(), 0).r0());
        assertEquals(1, r.prog().aux().kfuncTab().size(), "only the body's inc10");
    }

    /** §5.4 pro_epilogue_subprog.c under seed: main is "r1 = ctx[0]; call subprog; exit"; __retval 1111, 20222, 22442. */
    @Test
    void proEpilogueSubprogSeed() {
        String[] members = {"test_prologue", "test_epilogue", "test_pro_epilogue"};
        long[] retval = {1111, 20222, 22442};
        List<String> main = List.of("r1 = *(u64 *)(r1 +0)", "call pc+");
        for (int i = 0; i < 3; i++) {
            String text = """
                    .license "GPL"
                    SEC("struct_ops/%s")
                    subprog_body:
                        r1 = *(u64 *)(r1 +0)
                        call subprog
                        exit
                    """.formatted(members[i]) + SUBPROG;
            ProgLoadResult r = load(text, KfuncPolicy.SEED);
            List<List<String>> parts = switch (i) {
                case 0 -> List.of(SEED_PROLOGUE, main, List.of("exit"));
                case 1 -> List.of(List.of("*(u64 *)(r10 -8) = r1"), main, SEED_EPILOGUE);
                default -> List.of(SEED_PROLOGUE, List.of("*(u64 *)(r10 -8) = r1"), main, SEED_EPILOGUE);
            };
            assertXlated(numbered(parts), xlated(r));
            assertEquals(retval[i], k.run(r.prog(), 0).r0(), members[i]);
            assertEquals(1, k.testmod.refcount() - i, "each program pins bpf_testmod once");
        }
    }
}
