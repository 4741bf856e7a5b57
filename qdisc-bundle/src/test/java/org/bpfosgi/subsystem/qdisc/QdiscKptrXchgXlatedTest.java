package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.prog.XlatedDump;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.structops.StructOpsKernel;
import org.junit.jupiter.api.Test;

/**
 * do_misc_fixups()'s inlined bpf_kptr_xchg (kernel/bpf/verifier.c v6.12) against the live
 * kernel: {@code src/test/resources/kptr/verifier_golden.sh} records bpftool's xlated dump (with
 * opcodes) of xchg_accepted, a SYSCALL program that xchg()es a task_struct kptr out of a
 * BPF_F_INNER_MAP array's value and releases it with bpf_task_release. The model loads the same
 * instructions with the kptr type and its release kfunc the model has a destructor for (sk_buff,
 * bpf_kfree_skb: bpf_qdisc's, so a Qdisc_ops.dequeue program, which has no prologue or epilogue).
 * Normalised as ElfObjectDifferentialTest does: instruction lines only, map ids as map names,
 * "#..." after a call target dropped, a kfunc call (opcode 0x85, src_reg 2) as "call
 * kernel-function". The inlined pair's opcode bytes are compared as they are. Where bpf() works
 * the live kernel is asked again and must still give the recording.
 */
class QdiscKptrXchgXlatedTest {
    private static final Pattern MAP_ID = Pattern.compile("map\\[id:(\\d+)\\]");
    private static final Pattern OPCODES = Pattern.compile("^\\s+([0-9a-f]{2})(?: ([0-9a-f]{2}))?.*");

    private final QdiscMachine m = new QdiscMachine();
    private final StructOpsKernel k = new StructOpsKernel(m.pk, m.dmesg::add);

    /** ElfObjectDifferentialTest.normalise() (framework/launcher), on bpftool's or the model's dump with opcodes. */
    static List<String> normalise(List<String> dump, String mapId, String mapName) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < dump.size(); i++) {
            String l = dump.get(i);
            if (!l.matches("^ *\\d+: \\(.*")) {
                continue;
            }
            Matcher mm = MAP_ID.matcher(l);
            l = mm.replaceAll(r -> Matcher.quoteReplacement("map[" + (r.group(1).equals(mapId) ? mapName : "id:" + r.group(1)) + "]"));
            Matcher op = i + 1 < dump.size() ? OPCODES.matcher(dump.get(i + 1)) : null;
            if (op != null && op.matches() && op.group(1).equals("85") && op.group(2) != null
                    && Integer.parseInt(op.group(2), 16) >> 4 == 2) {
                l = l.replaceAll("call .*$", "call kernel-function");
            }
            out.add(l.replaceAll("(call [^ ]+)#[^ ]*$", "$1"));
        }
        return out;
    }

    /** The opcode line after instruction line {@code insn} ("  12: (db) ..."). */
    private static String opcodesOf(List<String> dump, int insn) {
        for (int i = 0; i + 1 < dump.size(); i++) {
            if (dump.get(i).matches("^ *" + insn + ": \\(.*")) {
                return dump.get(i + 1).strip();
            }
        }
        throw new AssertionError("no insn " + insn + " in\n" + String.join("\n", dump));
    }

    @Test
    void theInlinedXchgIsTheLiveKernels() {
        List<String> golden = List.of(QdiscMachine.resource("/kptr/xchg_xlated.golden").split("\n"));
        String goldenMapId = golden.stream().map(MAP_ID::matcher).filter(Matcher::find).findFirst().orElseThrow().group(1);

        Btf b = CDeclCompiler.compile("golden.c", "struct value { long a; struct sk_buff __attribute__((btf_type_tag(\"kptr\"))) *p; };",
                m.btf.vmlinuxBtf()).btf();
        BtfObject btf = org.bpfosgi.verifier.BtfNewFd.load(m.pk.services(), "golden", b).btf();
        MapTable.CreateResult map = k.maps().create(MapCreateAttr.of(BpfMapType.ARRAY, "kinner", 4, 16, 2, MapCreateAttr.BPF_F_INNER_MAP)
                .withBtf(btf, b.findByNameKind("int", BtfKind.INT), b.findByNameKind("value", BtfKind.STRUCT)));
        assertTrue(map.ok(), "map create: " + map.err());
        // verifier_golden.c's xchg_accepted, bpf_task_release -> bpf_kfree_skb
        String text = """
                .license "GPL"
                .struct_ops Qdisc_ops.dequeue
                xchg_accepted:
                    call bpf_ktime_get_ns
                    *(u32 *)(r10 -4) = r0
                    r2 = r10
                    r2 += -4
                    r1 = kinner ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto out
                    r1 = r0
                    r1 += 8
                    r2 = 0
                    call bpf_kptr_xchg
                    if r0 == 0 goto out
                    r1 = r0
                    call bpf_kfree_skb
                out:
                    r0 = 0
                    exit
                """;
        ProgLoadResult r = m.pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, "xchg.s"), Optional.empty(), 1,
                m.pk.services(), n -> n.equals("kinner") ? map.map().id() : -1));
        assertTrue(r.ok(), r.log());
        List<String> model = XlatedDump.lines(r.prog(), m.pk.services().kallsyms(), true);

        assertEquals(normalise(golden, goldenMapId, "kinner"), normalise(model, String.valueOf(map.map().id()), "kinner"),
                String.join("\n", model));
        // BPF_MOV64_REG(BPF_REG_0, BPF_REG_2), BPF_ATOMIC_OP(BPF_DW, BPF_XCHG, BPF_REG_1, BPF_REG_0, 0), byte for byte
        assertEquals("bf 20 00 00 00 00 00 00", opcodesOf(golden, 11));
        assertEquals("db 01 00 00 e1 00 00 00", opcodesOf(golden, 12));
        assertEquals(opcodesOf(golden, 11), opcodesOf(model, 11));
        assertEquals(opcodesOf(golden, 12), opcodesOf(model, 12));
    }

    /**
     * Re-asks the live kernel (root, bpf(), cc with libbpf-dev, bpftool; skipped otherwise):
     * its xlated dump, normalised, is still the recording's.
     */
    @Test
    void theRecordingIsWhatTheLiveKernelSays() throws Exception {
        LiveKptrProgram.Run r = LiveKptrProgram.run("/kptr/verifier_golden.c",
                o -> o.startsWith("btf_load_failed 1\n") || o.startsWith("setup_failed 1\n"),
                "task_struct", "xlated");
        String out = r.out();
        assertEquals(0, r.rc(), out);
        List<String> live = List.of(out.split("\n"));
        List<String> golden = List.of(QdiscMachine.resource("/kptr/xchg_xlated.golden").split("\n"));
        String liveId = live.stream().map(MAP_ID::matcher).filter(Matcher::find).findFirst().orElseThrow().group(1);
        String goldenId = golden.stream().map(MAP_ID::matcher).filter(Matcher::find).findFirst().orElseThrow().group(1);
        assertEquals(normalise(golden, goldenId, "kinner"), normalise(live, liveId, "kinner"), out);
        assertEquals(opcodesOf(golden, 12), opcodesOf(live, 12));
    }
}
