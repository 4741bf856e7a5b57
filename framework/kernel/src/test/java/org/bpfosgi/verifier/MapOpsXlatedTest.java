package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.XlatedDump;
import org.junit.jupiter.api.Test;

/**
 * The model's xlated image of map helper calls after do_misc_fixups() against the live kernel's
 * ({@code differential/map-ops-xlated-6.18.txt}, made by {@code map-ops-xlated.py} with bpftool
 * {@code dump xlated ... opcodes}): per-cpu array and hash lookups inlined with
 * BPF_MOV64_PERCPU_REG (percpu_array_map_gen_lookup(), htab_percpu_map_gen_lookup()),
 * bpf_map_lookup_percpu_elem / update / delete and queue/stack push/pop/peek as direct calls of
 * the map's ops, LRU hash lookups inlined by htab_lru_map_gen_lookup() (the ref byte's load, test
 * and store) and its update/delete calls. Instruction by instruction, text and bytes, except what cannot be the same: map
 * ids and call addresses (the callee's name must match), the 6.18 kernel's
 * {@code offsetof(struct bpf_array, value)} (312; v6.12 x86-64, the built-in BTF's: 264), and
 * the text of BPF_MOV64_PERCPU_REG, which the installed bpftool 7.1 predates (it prints
 * {@code r0 = r0}; its bytes, off -1, are compared).
 */
class MapOpsXlatedTest {
    record Kernel(String name, List<Insn> insns, List<String[]> lines) {
    }

    static List<Kernel> golden() {
        String text = TestKernel.resource("/org/bpfosgi/verifier/differential/map-ops-xlated-6.18.txt");
        List<Kernel> out = new ArrayList<>();
        String[] ls = text.split("\n");
        for (int i = 0; i < ls.length; i++) {
            if (!ls[i].startsWith("== ")) {
                continue;
            }
            String[] h = ls[i].split(" ");
            List<String[]> lines = new ArrayList<>();
            while (i + 2 < ls.length && !ls[i + 1].startsWith("== ")) {
                lines.add(new String[] {ls[i + 1], ls[i + 2]});
                i += 2;
            }
            out.add(new Kernel(h[1], Insn.decodeAll(HexFormat.of().parseHex(h[2])), lines));
        }
        return out;
    }

    /** The kernel's line with what differs only by construction made the model's. */
    static String normalise(String text, String bytes) {
        String t = text.replaceAll("#-?\\d+$", "").replaceAll("map\\[id:\\d+\\]", "map[id:N]")
                .replace("(07) r1 += 312", "(07) r1 += 264");
        // BPF_MOV64_PERCPU_REG: code 0xbf, off 0xffff
        if (bytes.trim().matches("bf [0-9a-f]{2} ff ff 00 00 00 00")) {
            t = t.replaceAll("\\(bf\\) r(\\d+) = r(\\d+)$", "(bf) r$1 = &(void __percpu *)(r$2)");
        }
        return t;
    }

    /** The bytes a comparison can use: the immediate of calls, map loads and the struct offset blanked. */
    static String bytes(String text, String bytes) {
        String b = bytes.trim();
        if (text.contains("call ") || text.contains("map[id:") || text.contains("(07) r1 += ")) {
            return b.substring(0, 11);
        }
        return b;
    }

    @Test
    void theModelsXlatedImageIsTheKernels() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        k.corpusMaps = DifferentialCorpusTest.createMaps(k);
        BpfProgLoadAttr base = k.attr(RejectionTest.prog("r0 = 0\nexit"), 1);
        List<Kernel> golden = golden();
        assertEquals(5, golden.size());
        for (Kernel g : golden) {
            ProgLoadResult r = k.progs.load(base.withInsns(DifferentialCorpusTest.withFds(g.insns(), k.corpusMaps)));
            assertTrue(r.ok(), g.name() + "\n" + r.log());
            List<String> m = XlatedDump.lines(r.prog(), k.registry.kallsyms(), true).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith(";")).toList();
            List<String> want = new ArrayList<>();
            List<String> got = new ArrayList<>();
            for (String[] kl : g.lines()) {
                want.add(normalise(kl[0], kl[1]) + " | " + bytes(kl[0], kl[1]));
            }
            for (int i = 0; i + 1 < m.size(); i += 2) {
                String t = m.get(i).replaceAll("#-?\\d+$", "").replaceAll("map\\[id:\\d+\\]", "map[id:N]");
                got.add(t + " | " + bytes(m.get(i), m.get(i + 1)));
            }
            assertTrue(want.size() > 20, g.name() + ": " + want.size() + " instructions in the golden file");
            assertTrue(want.stream().anyMatch(l -> l.contains("&(void __percpu *)") || l.contains("queue_map_pop_elem")
                    || l.contains("*(u8 *)(r0 +35) = 1")
                    || l.contains("call htab_lru_percpu_map_lookup_elem")), g.name());
            assertEquals(String.join("\n", want), String.join("\n", got), g.name());
            k.progs.free(r.prog().id());
        }
        k.assertNoReferencesLeft();
    }
}
