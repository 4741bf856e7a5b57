package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.HelperIds;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * record_func_key() (v6.12) through check_helper_call(): a bpf_tail_call whose index R3 is a
 * constant below the prog array's max_entries makes R3 precise (mark_chain_precision(R3)); an
 * index out of range or unknown does not; a map that is not a prog array is refused there,
 * before check_map_func_compatibility(). Compared with the live kernel's log_level 2 logs in
 * tailcall/tailcall-key.log (made by tailcall/probe.py on 6.18, whose record_func_key() is
 * v6.12's but for the refusal's message: "expected prog array map for tail call" since 6.16's
 * verifier_bug() clean-up, "kernel subsystem misconfigured verifier" in v6.12).
 */
class TailCallKeyTest {
    private TestKernel k;
    private int progArray;
    private int array;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
        progArray = k.createMap(MapCreateAttr.of(BpfMapType.PROG_ARRAY, "pa", 4, 4, 4, 0));
        array = k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "arr", 4, 48, 4, 0));
    }

    @AfterEach
    void noLeaks() {
        k.progs.list().forEach(p -> k.progs.free(p.id()));
    }

    private static List<Insn> ldMap(int dst, int mapFd) {
        return List.of(new Insn(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_FD, 0, mapFd), new Insn(0, 0, 0, 0, 0));
    }

    private static List<Insn> prog(List<Insn> head, List<Insn> map) {
        List<Insn> l = new ArrayList<>(head);
        l.addAll(map);
        l.add(BPF_EMIT_CALL(HelperIds.BPF_FUNC_tail_call));
        l.add(BPF_MOV64_IMM(BPF_REG_0, 0));
        l.add(BPF_EXIT_INSN());
        return l;
    }

    /** The programs of probe.py, in its order. */
    private Map<String, List<Insn>> programs() {
        Map<String, List<Insn>> m = new LinkedHashMap<>();
        m.put("const_key", prog(List.of(BPF_MOV64_IMM(BPF_REG_6, 1), BPF_MOV64_REG(BPF_REG_3, BPF_REG_6)), ldMap(BPF_REG_2, progArray)));
        m.put("oob_key", prog(List.of(BPF_MOV64_IMM(BPF_REG_6, 9), BPF_MOV64_REG(BPF_REG_3, BPF_REG_6)), ldMap(BPF_REG_2, progArray)));
        m.put("unknown_key", prog(List.of(BPF_MOV64_REG(BPF_REG_6, BPF_REG_1), BPF_EMIT_CALL(HelperIds.BPF_FUNC_get_prandom_u32),
                BPF_MOV64_REG(BPF_REG_3, BPF_REG_0), BPF_MOV64_REG(BPF_REG_1, BPF_REG_6)), ldMap(BPF_REG_2, progArray)));
        m.put("array_map", prog(List.of(BPF_MOV64_IMM(BPF_REG_3, 0)), ldMap(BPF_REG_2, array)));
        return m;
    }

    /** The live kernel's log of each program: errno, then the log lines. */
    private static Map<String, List<String>> golden() throws IOException {
        Map<String, List<String>> m = new LinkedHashMap<>();
        try (InputStream in = TailCallKeyTest.class.getResourceAsStream("/org/bpfosgi/verifier/tailcall/tailcall-key.log")) {
            List<String> cur = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("== ")) {
                    String[] w = line.split(" ");
                    cur = new ArrayList<>();
                    cur.add(w[3]);
                    m.put(w[1], cur);
                } else if (cur != null) {
                    cur.add(line);
                }
            }
        }
        return m;
    }

    /** The mark_precise lines, the ld_imm64's map address (the kernel's or the model's) written ADDR. */
    private static List<String> markPrecise(List<String> log) {
        return log.stream().filter(l -> l.startsWith("mark_precise:")).map(l -> l.replaceAll("0x[0-9a-f]{8,}", "ADDR")).toList();
    }

    private static String processed(List<String> log) {
        return log.stream().map(l -> l.contains("processed ") ? l.substring(l.indexOf("processed ")) : null)
                .filter(l -> l != null).findFirst().orElse("");
    }

    @Test
    void theModelMarksTheKeyPreciseWhereTheKernelDoes() throws IOException {
        Map<String, List<String>> golden = golden();
        Map<String, List<Insn>> progs = programs();
        assertEquals(golden.keySet(), progs.keySet());
        for (Map.Entry<String, List<Insn>> e : progs.entrySet()) {
            List<String> want = golden.get(e.getKey());
            ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 2).withInsns(e.getValue()));
            List<String> got = List.of(r.log().split("\n"));
            int errno = r.ok() ? 0 : -r.err();
            assertEquals(Integer.parseInt(want.get(0)), errno, e.getKey() + ":\n" + r.log());
            assertEquals(markPrecise(want), markPrecise(got), e.getKey() + ":\n" + r.log());
            assertEquals(processed(want), processed(got), e.getKey() + ":\n" + r.log());
        }
        // the constant in-range key is the one that asks for precision
        assertFalse(markPrecise(golden.get("const_key")).isEmpty());
        assertTrue(markPrecise(golden.get("oob_key")).isEmpty());
        assertTrue(markPrecise(golden.get("unknown_key")).isEmpty());
    }

    /** A tail call through an array map: record_func_key()'s refusal, v6.12's message (6.18 words it otherwise, same errno). */
    @Test
    void anArrayMapIsRefusedByRecordFuncKey() {
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(programs().get("array_map")));
        assertFalse(r.ok(), r.log());
        assertEquals(Errno.EINVAL, r.errno().orElseThrow(), r.log());
        assertEquals("kernel subsystem misconfigured verifier", DifferentialCorpusTest.lastErrorLine(r.log()), r.log());
    }
}
