package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A zeroed map key on the stack across bpf_map_lookup_elem(), compared with the live kernel's
 * level-2 logs (stackzero/stackzero.log, made by stackzero/probe.py on 6.18).
 *
 * <p>v6.12 check_func_arg() checks ARG_PTR_TO_MAP_KEY with check_helper_mem_access(.., BPF_READ,
 * ..), but for PTR_TO_STACK that calls check_stack_range_initialized(.., ACCESS_HELPER, meta),
 * which ignores the access type: clobber is set for every helper access, so STACK_ZERO bytes become
 * STACK_MISC and a spilled scalar is __mark_reg_unknown()'d and scrubbed. 37cce22dbd51 "bpf:
 * verifier: Refactor helper access type tracking" (v6.14) passes the access type through instead,
 * and the live kernel keeps the slot. The model is v6.12; these tests pin the difference.
 */
class StackZeroLogTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
        k.corpusMaps = DifferentialCorpusTest.createMaps(k);
    }

    record Probe(List<Insn> insns, int errno, List<String> log) {
    }

    static Map<String, Probe> golden() throws IOException {
        Map<String, Probe> m = new LinkedHashMap<>();
        String name = null;
        List<Insn> insns = null;
        int errno = 0;
        List<String> log = null;
        for (String line : TestKernel.resource("/org/bpfosgi/verifier/stackzero/stackzero.log").split("\n")) {
            if (line.startsWith("== ")) {
                if (name != null) {
                    m.put(name, new Probe(insns, errno, log));
                }
                String[] w = line.split(" "); // == NAME errno N insns HEX
                name = w[1];
                errno = Integer.parseInt(w[3]);
                insns = Insn.decodeAll(HexFormat.of().parseHex(w[5]));
                log = new ArrayList<>();
            } else if (log != null) {
                log.add(line);
            }
        }
        m.put(name, new Probe(insns, errno, log));
        return m;
    }

    private ProgLoadResult model(Probe p) {
        return k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 2)
                .withInsns(DifferentialCorpusTest.withFds(p.insns(), k.corpusMaps)));
    }

    /** The per-instruction lines ("N: (op) ...", with the state after ';'); a map's address as 0xMAP. */
    static List<String> insnLines(List<String> log) {
        return log.stream().filter(l -> l.matches("\\d+: \\(.*")).map(l -> l.replaceAll("= 0x[0-9a-f]{16}", "= 0xMAP"))
                .toList();
    }

    private static String processed(List<String> log) {
        return log.stream().filter(l -> l.startsWith("processed ")).findFirst().orElse("");
    }

    /**
     * The key's slot stays zero (or a spilled 0) up to the call as on the live kernel; the call
     * then clobbers it to STACK_MISC, as v6.12's check_stack_range_initialized() does for every
     * ACCESS_HELPER range (check_helper_mem_access() of ARG_PTR_TO_MAP_KEY), so the model's call
     * line adds the scratched slot "fp-8=mmmmmmmm" that 6.18 (37cce22dbd51, v6.14: a BPF_READ does
     * not clobber) does not print. Everything else is the kernel's, line for line.
     */
    @Test
    void aMapKeyOnTheStackIsClobberedByTheCallAsInV612() throws IOException {
        Map<String, Probe> golden = golden();
        assertEquals(List.of("zero_st", "zero_st4", "zero_spill", "zero_index", "spill_nulltest"), List.copyOf(golden.keySet()));
        for (String name : List.of("zero_st", "zero_st4", "zero_spill")) {
            Probe want = golden.get(name);
            ProgLoadResult r = model(want);
            List<String> got = List.of(r.log().split("\n"));
            assertEquals(0, want.errno(), name);
            assertTrue(r.ok(), name + ":\n" + r.log());
            List<String> expected = new ArrayList<>();
            for (String l : insnLines(want.log())) {
                expected.add(l.contains("call bpf_map_lookup_elem#1") ? l + " fp-8=mmmmmmmm" : l);
            }
            assertEquals(expected, insnLines(got), name + ":\n" + r.log());
            assertEquals(processed(want.log()), processed(got), name);
            k.progs.free(r.prog().id());
        }
    }

    /**
     * The 8-byte read of the key's slot after the call: the live kernel reads a known 0 (the slot
     * stayed STACK_ZERO), v6.12 an unknown scalar from the STACK_MISC slot, which makes fp + r1
     * "math between fp pointer and register with unbounded min value" (check_reg_sane_offset(),
     * -EINVAL): a program 6.18 accepts and v6.12 refuses.
     */
    @Test
    void aZeroKeyReadBackAfterTheCallIsUnknownInV612() throws IOException {
        Probe want = golden().get("zero_index");
        assertEquals(0, want.errno());
        assertTrue(insnLines(want.log()).contains("6: (79) r1 = *(u64 *)(r10 -8)         ; R1=0 R10=fp0 fp-8=0"), want.log().toString());
        ProgLoadResult r = model(want);
        List<String> got = List.of(r.log().split("\n"));
        assertEquals(-22, r.err(), r.log());
        assertTrue(insnLines(got).contains("6: (79) r1 = *(u64 *)(r10 -8)         ; R1=scalar() R10=fp0 fp-8=mmmmmmmm"), r.log());
        assertEquals("math between fp pointer and register with unbounded min value is not allowed",
                got.get(got.indexOf(processed(got)) - 1), r.log());
    }

    /**
     * A spilled 0 as the key, read back after the call and null-tested: the live kernel knows it is
     * 0 and walks one branch (10 insns); v6.12's clobbered spill (__mark_reg_unknown()) is an
     * unknown scalar, so both branches are walked (12 insns, one state).
     */
    @Test
    void aSpilledZeroKeyNullTestedAfterTheCallTakesBothBranchesInV612() throws IOException {
        Probe want = golden().get("spill_nulltest");
        assertEquals(0, want.errno());
        assertEquals("processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0",
                processed(want.log()));
        ProgLoadResult r = model(want);
        assertTrue(r.ok(), r.log());
        List<String> got = List.of(r.log().split("\n"));
        assertEquals("processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0",
                processed(got), r.log());
        assertTrue(insnLines(got).contains("8: (15) if r1 == 0x0 goto pc+2        ; R1=scalar(umin=1)"), r.log());
        k.progs.free(r.prog().id());
    }

    /**
     * The live part: where bpf() works (root, a kernel with BTF, python3, the kernel the log was
     * recorded on), {@code probe.py --check} loads the programs again; the logs must still be the
     * recorded ones (map addresses aside). Skipped elsewhere.
     */
    @Test
    void liveKernelStillGivesTheRecordedLogs() throws Exception {
        String recorded = TestKernel.resource("/org/bpfosgi/verifier/stackzero/stackzero.log").lines().findFirst().orElse("");
        LiveRecheck.run(Path.of("src", "test", "resources", "org", "bpfosgi", "verifier", "stackzero", "probe.py"),
                release -> recorded.contains("kernel " + release + " "), 60);
    }
}
