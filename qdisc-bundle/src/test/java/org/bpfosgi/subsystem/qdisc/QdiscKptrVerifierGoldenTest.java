package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.structops.StructOpsKernel;
import org.junit.jupiter.api.Test;

/**
 * The kptr rules of the verifier (kernel/bpf/verifier.c v6.12: check_map_access(),
 * check_map_kptr_access(), process_kptr_func(), bpf_kptr_xchg's proto, check_reference_leak())
 * are generic: the live kernel answers them for SYSCALL programs with a task_struct kptr, the
 * model for the same programs with an sk_buff kptr (the type bpf_qdisc registers a destructor
 * for). The live answers are recorded by {@code src/test/resources/kptr/verifier_golden.sh}
 * (uname -r in the file): errno and the log's error line, compared case by case.
 */
class QdiscKptrVerifierGoldenTest {
    private final QdiscMachine m = new QdiscMachine();
    private final StructOpsKernel k = new StructOpsKernel(m.pk, m.dmesg::add);
    private final int kmap;
    private final int plain;

    QdiscKptrVerifierGoldenTest() {
        Btf b = CDeclCompiler.compile("golden.c", "struct value { long a; struct sk_buff __attribute__((btf_type_tag(\"kptr\"))) *p; };",
                m.btf.vmlinuxBtf()).btf();
        BtfObject prog = org.bpfosgi.verifier.BtfNewFd.load(m.pk.services(), "golden", b).btf();
        MapTable.CreateResult r = k.maps().create(MapCreateAttr.of(BpfMapType.ARRAY, "kmap", 4, 16, 2, 0)
                .withBtf(prog, b.findByNameKind("int", BtfKind.INT), b.findByNameKind("value", BtfKind.STRUCT)));
        kmap = r.map().id();
        plain = k.maps().create(MapCreateAttr.of(BpfMapType.ARRAY, "plain", 4, 16, 2, 0)).map().id();
    }

    private static String lookup(String map) {
        return "    *(u32 *)(r10 -4) = 0\n    r2 = r10\n    r2 += -4\n    r1 = " + map + " ll\n    call bpf_map_lookup_elem\n";
    }

    private static String lookupVar(String map) {
        return "    call bpf_ktime_get_ns\n    *(u32 *)(r10 -4) = r0\n    r2 = r10\n    r2 += -4\n    r1 = " + map
                + " ll\n    call bpf_map_lookup_elem\n";
    }

    /** {@code lookup}, then {@code body} when the lookup found the element; both paths end with r0 = 0. */
    private static String onHit(String lookup, String body) {
        return lookup + "    if r0 == 0 goto out\n" + body + "out:\n    r0 = 0\n    exit\n";
    }

    /** errno and the error line, as verifier_golden.c prints them. */
    private String run(String name, String body) {
        String text = ".license \"GPL\"\nSEC(\"syscall\")\n" + name + ":\n" + body;
        ProgLoadResult r = m.pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, name + ".s"), Optional.empty(), 1,
                m.pk.services(), n -> n.equals("kmap") ? kmap : n.equals("plain") ? plain : -1));
        if (r.ok()) {
            return "0 ";
        }
        String last = "";
        String leak = null;
        for (String line : r.log().split("\n")) {
            if (line.startsWith("Unreleased reference")) {
                leak = line;
            }
            if (!line.isEmpty() && !line.startsWith("processed ") && !line.startsWith("verification time")) {
                last = line;
            }
        }
        return (-r.errno().orElseThrow().negative()) + " " + (leak != null ? leak : last);
    }

    @Test
    void theModelAnswersAsTheLiveKernel() {
        Map<String, String> got = new LinkedHashMap<>();
        got.put("xchg_maybe_null", run("xchg_maybe_null", lookupVar("kmap")
                + "    r1 = r0\n    r2 = 0\n    call bpf_kptr_xchg\n    r0 = 0\n    exit\n"));
        got.put("stx_to_ref_kptr", run("stx_to_ref_kptr", onHit(lookup("kmap"), "    r1 = 0\n    *(u64 *)(r0 +8) = r1\n")));
        got.put("st_zero_to_ref_kptr", run("st_zero_to_ref_kptr", onHit(lookup("kmap"), "    *(u64 *)(r0 +8) = 0\n")));
        got.put("deref_without_null_check", run("deref_without_null_check", onHit(lookup("kmap"),
                "    r1 = *(u64 *)(r0 +8)\n    r0 = *(u32 *)(r1 +0)\n")));
        got.put("deref_after_null_check", run("deref_after_null_check", onHit(lookup("kmap"),
                // a 4-byte scalar of each type: task_struct at 0 (thread_info.flags), sk_buff's len
                "    r1 = *(u64 *)(r0 +8)\n    if r1 == 0 goto out\n    r0 = *(u32 *)(r1 +" + m.types().skbLen + ")\n")));
        got.put("helper_over_kptr", run("helper_over_kptr", onHit(lookup("kmap"),
                "    r2 = r0\n    r2 += 8\n    r1 = plain ll\n    call bpf_map_lookup_elem\n")));
        got.put("misaligned", run("misaligned", onHit(lookup("kmap"), "    r1 = 0\n    *(u64 *)(r0 +4) = r1\n")));
        got.put("size_not_dw", run("size_not_dw", onHit(lookup("kmap"), "    r1 = *(u32 *)(r0 +8)\n")));
        got.put("xchg_no_btf_map", run("xchg_no_btf_map", onHit(lookup("plain"),
                "    r1 = r0\n    r2 = 0\n    call bpf_kptr_xchg\n")));
        got.put("xchg_at_a_not_kptr", run("xchg_at_a_not_kptr", onHit(lookup("kmap"),
                "    r1 = r0\n    r2 = 0\n    call bpf_kptr_xchg\n")));
        got.put("xchg_result_leaked", run("xchg_result_leaked", onHit(lookupVar("kmap"),
                "    r1 = r0\n    r1 += 8\n    r2 = 0\n    call bpf_kptr_xchg\n")));
        got.put("xchg_result_null_checked_away", run("xchg_result_null_checked_away", onHit(lookupVar("kmap"),
                "    r1 = r0\n    r1 += 8\n    r2 = 0\n    call bpf_kptr_xchg\n    if r0 == 0 goto out\n")));
        Map<String, String> golden = new LinkedHashMap<>();
        for (String line : QdiscMachine.resource("/kptr/verifier_golden.golden").split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int sp = line.indexOf(' ');
                golden.put(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        assertEquals(golden, got);
    }

    /** Re-asks the live kernel (root, bpf(), cc with libbpf-dev; skipped otherwise) and compares with the recording. */
    @Test
    void theRecordingIsWhatTheLiveKernelSays() throws Exception {
        String out = LiveKptrProgram.run("/kptr/verifier_golden.c",
                o -> o.startsWith("btf_load_failed 1\n") || o.startsWith("map_create_failed 1\n"),
                "task_struct").out();
        assertEquals(QdiscMachine.resource("/kptr/verifier_golden.golden").replaceAll("(?m)^#.*\n", ""), out);
    }
}
