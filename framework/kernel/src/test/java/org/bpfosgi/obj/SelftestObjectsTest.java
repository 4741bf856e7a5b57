package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kernel selftests progs/pro_epilogue*.c and epilogue_*.c as objects (examples/progs): each loaded with {@code obj load},
 * its syscall programs run with {@code prog run}, and the return values compared with the
 * selftests' {@code __retval}s — computed by running the programs, bpf_testmod's kfuncs calling
 * the registered struct_ops programs through their trampolines.
 *
 * <p>Each runs under both kfunc policies of the machine ({@code --kfunc-policy}): upstream is
 * the landed selftest (bpf_testmod's Aug 2024 generators); seed is the dropped v2 8/8, whose
 * prologue nets a += 1110 (1000, inc10, inc100) and whose epilogue nets a += 10110 and returns
 * 2·a. The seed values of goto_start and epilogue_exit are derived that way (the series never
 * had them): the body of goto_start never touches a, so its epilogue gives 2·10110 = 20220 and
 * its pro_epilogue 2·(1110 + 10110) = 22440; epilogue_exit stores 0 or 1 into a before the
 * epilogue, so 2·10110 = 20220 and 2·10111 = 20222.
 */
class SelftestObjectsTest {
    private ObjKernel k;
    private KfuncPolicy policy;

    private void boot(KfuncPolicy p) {
        policy = p;
        k = new ObjKernel(p).withTestmod();
    }

    private boolean seed() {
        return policy == KfuncPolicy.SEED;
    }

    private ObjKernel.Out load(String file, String... extra) throws Exception {
        ObjKernel.Out r = k.load(file.replace(".bpf", ""), ObjKernel.example(file), extra);
        assertTrue(r.ok(), r.toString());
        return r;
    }

    private void unload() {
        assertTrue(k.run("obj", "unload").ok());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
    }

    @ParameterizedTest
    @EnumSource(value = KfuncPolicy.class, names = {"UPSTREAM", "SEED"})
    void proEpilogue(KfuncPolicy p) throws Exception {
        boot(p);
        ObjKernel.Out r = load("pro_epilogue.bpf");
        // 1000 + 10 + 1; (10 + 1 + 10000) * 2; (1000 + 10 + 1 + 10000) * 2
        Map<String, Long> expected = seed()
                ? Map.of("syscall_prologue", 1121L, "syscall_epilogue", 20242L, "syscall_pro_epilogue", 22462L)
                : Map.of("syscall_prologue", 1011L, "syscall_epilogue", 20022L, "syscall_pro_epilogue", 22022L);
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), k.retval(ObjKernel.id(r, "prog", e.getKey())), e.getKey());
        }
        if (!seed()) {
            // progs/pro_epilogue.c, the landed listings
            assertXlated(r, "test_prologue", List.of("r6 = *(u64 *)(r1 +0)", "r7 = *(u64 *)(r6 +0)", "r7 += 1000",
                    "*(u64 *)(r6 +0) = r7", "r1 = *(u64 *)(r1 +0)", "r6 = r1", "call kernel-function", "r1 = r6",
                    "call pc+1", "exit"));
            assertXlated(r, "test_epilogue", List.of("*(u64 *)(r10 -8) = r1", "r1 = *(u64 *)(r1 +0)", "r6 = r1",
                    "call kernel-function", "r1 = r6", "call pc+", "r1 = *(u64 *)(r10 -8)", "r1 = *(u64 *)(r1 +0)",
                    "r6 = *(u64 *)(r1 +0)", "r6 += 10000", "*(u64 *)(r1 +0) = r6", "r0 = r6", "r0 *= 2", "exit"));
            assertXlated(r, "test_pro_epilogue", List.of("r6 = *(u64 *)(r1 +0)", "r7 = *(u64 *)(r6 +0)", "r7 += 1000",
                    "*(u64 *)(r6 +0) = r7", "*(u64 *)(r10 -8) = r1", "r1 = *(u64 *)(r1 +0)", "r6 = r1",
                    "call kernel-function", "r1 = r6", "call pc+", "r1 = *(u64 *)(r10 -8)", "r1 = *(u64 *)(r1 +0)",
                    "r6 = *(u64 *)(r1 +0)", "r6 += 10000", "*(u64 *)(r1 +0) = r6", "r0 = r6", "r0 *= 2", "exit"));
        }
        unload();
    }

    private void assertXlated(ObjKernel.Out r, String prog, List<String> expected) {
        BpfProg p = k.pk.progs().get(ObjKernel.id(r, "prog", prog)).orElseThrow();
        List<String> x = Disassembler.dump(p.prepareDump(), Disassembler.Style.SELFTEST, Disassembler.NONE);
        for (int i = 0; i < expected.size(); i++) {
            String e = i + ": " + expected.get(i);
            assertTrue(e.endsWith("+") ? x.get(i).startsWith(e) : x.get(i).equals(e), prog + ": " + x.get(i) + " vs " + e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = KfuncPolicy.class, names = {"UPSTREAM", "SEED"})
    void epilogueTailcall(KfuncPolicy p) throws Exception {
        boot(p);
        ObjKernel.Out r = load("epilogue_tailcall.bpf", "autoattach", "epilogue_tailcall");
        ObjKernel.Out run = k.run("prog", "run", "id", Integer.toString(ObjKernel.id(r, "prog", "syscall_epilogue_tailcall")),
                "ctx_in", "0000000000000000");
        assertTrue(run.ok(), run.toString());
        // only the tail-called program's epilogue runs: a = 1 + 10000 (seed: + 10110)
        long a = seed() ? 10111 : 10001;
        assertEquals("ctx_out: " + hexU64(a) + "\nReturn value: " + 2 * a + ", duration: 0ns\n", run.out());
        unload();
    }

    static String hexU64(long v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", (v >>> (8 * i)) & 0xff));
        }
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(value = KfuncPolicy.class, names = {"UPSTREAM", "SEED"})
    void epilogueExit(KfuncPolicy p) throws Exception {
        boot(p);
        ObjKernel.Out r = load("epilogue_exit.bpf");
        // exit0: a = 1 → the first exit stores 0, the epilogue adds 10000 (seed 10110): 2·a
        // exit1: a = 0 → the second exit stores 1, the JA reaches the epilogue: 2·(1 + 10000)
        assertEquals(seed() ? 20220 : 20000, k.retval(ObjKernel.id(r, "prog", "syscall_epilogue_exit0")));
        assertEquals(seed() ? 20222 : 20002, k.retval(ObjKernel.id(r, "prog", "syscall_epilogue_exit1")));
        if (!seed()) {
            // progs/epilogue_exit.c: the second exit is a JMP32 JA to the epilogue (r1 = 0 before it)
            assertXlated(r, "test_epilogue_exit", List.of("*(u64 *)(r10 -8) = r1", "r1 = *(u64 *)(r1 +0)",
                    "r2 = *(u64 *)(r1 +0)", "r3 = 0", "r4 = 1", "if r2 == 0x0 goto pc+10", "r0 = 0", "*(u64 *)(r1 +0) = r3",
                    "r1 = *(u64 *)(r10 -8)", "r1 = *(u64 *)(r1 +0)", "r6 = *(u64 *)(r1 +0)", "r6 += 10000",
                    "*(u64 *)(r1 +0) = r6", "r0 = r6", "r0 *= 2", "exit", "*(u64 *)(r1 +0) = r4", "r0 = 1", "r1 = 0",
                    "gotol pc-12"));
        }
        unload();
    }

    @ParameterizedTest
    @EnumSource(value = KfuncPolicy.class, names = {"UPSTREAM", "SEED"})
    void proEpilogueGotoStart(KfuncPolicy p) throws Exception {
        boot(p);
        ObjKernel.Out r = load("pro_epilogue_goto_start.bpf");
        // the body returns 0 and never touches a; the prologue runs once (the goto -6 lands after it)
        assertEquals(0, k.retval(ObjKernel.id(r, "prog", "syscall_prologue_goto_start")));
        assertEquals(seed() ? 20220 : 20000, k.retval(ObjKernel.id(r, "prog", "syscall_epilogue_goto_start")));
        assertEquals(seed() ? 22440 : 22000, k.retval(ObjKernel.id(r, "prog", "syscall_pro_epilogue_goto_start")));
        // progs/pro_epilogue_goto_start.c: the jumps to insn 0 land after the prologue and the ctx save
        if (!seed()) {
            assertXlated(r, "test_prologue_goto_start", List.of("r6 = *(u64 *)(r1 +0)", "r7 = *(u64 *)(r6 +0)",
                    "r7 += 1000", "*(u64 *)(r6 +0) = r7", "if r1 == 0x0 goto pc+5", "if r1 == 0x1 goto pc+2", "r1 = 1",
                    "goto pc-3", "r1 = 0", "goto pc-6", "r0 = 0", "exit"));
            assertXlated(r, "test_epilogue_goto_start", List.of("*(u64 *)(r10 -8) = r1", "if r1 == 0x0 goto pc+5",
                    "if r1 == 0x1 goto pc+2", "r1 = 1", "goto pc-3", "r1 = 0", "goto pc-6", "r0 = 0",
                    "r1 = *(u64 *)(r10 -8)"));
            assertXlated(r, "test_pro_epilogue_goto_start", List.of("r6 = *(u64 *)(r1 +0)", "r7 = *(u64 *)(r6 +0)",
                    "r7 += 1000", "*(u64 *)(r6 +0) = r7", "*(u64 *)(r10 -8) = r1", "if r1 == 0x0 goto pc+5",
                    "if r1 == 0x1 goto pc+2", "r1 = 1", "goto pc-3", "r1 = 0", "goto pc-6", "r0 = 0",
                    "r1 = *(u64 *)(r10 -8)"));
        }
        unload();
    }

    /** The kfunc variants (test_kfunc_*) are the 2025 upstream generators: upstream only. */
    @ParameterizedTest
    @EnumSource(value = KfuncPolicy.class, names = {"UPSTREAM"})
    void proEpilogueWithKfunc(KfuncPolicy p) throws Exception {
        boot(p);
        ObjKernel.Out r = load("pro_epilogue_with_kfunc.bpf");
        assertEquals(22022, k.retval(ObjKernel.id(r, "prog", "syscall_pro_epilogue")));
        // progs/pro_epilogue_with_kfunc.c: the kfunc variants (bpf_cgroup_from_id / bpf_cgroup_release)
        assertXlated(r, "test_kfunc_pro_epilogue", List.of("r8 = r1", "r1 = 0", "call kernel-function",
                "if r0 != 0x0 goto pc+5", "r6 = *(u64 *)(r8 +0)", "r7 = *(u64 *)(r6 +0)", "r7 += 1000",
                "*(u64 *)(r6 +0) = r7", "goto pc+2", "r1 = r0", "call kernel-function", "r1 = r8", "*(u64 *)(r10 -8) = r1",
                "r1 = *(u64 *)(r1 +0)", "r6 = r1", "call kernel-function", "r1 = r6", "call pc+", "r1 = 0", "r6 = 0",
                "call kernel-function", "if r0 != 0x0 goto pc+6", "r1 = *(u64 *)(r10 -8)", "r1 = *(u64 *)(r1 +0)",
                "r6 = *(u64 *)(r1 +0)", "r6 += 10000", "*(u64 *)(r1 +0) = r6", "goto pc+2", "r1 = r0",
                "call kernel-function", "r0 = r6", "r0 *= 2", "exit"));
        unload();
    }
}
