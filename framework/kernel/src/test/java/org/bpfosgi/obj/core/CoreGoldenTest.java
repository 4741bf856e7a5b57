package org.bpfosgi.obj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.ExtObjects;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.isa.Insn;
import org.junit.jupiter.api.Test;

/**
 * The relocator against what libbpf computed for the same clang objects on this machine's kernel
 * (golden/*.core-log.txt, recorded by src/test/bpf/core/record-golden.sh with bpftool -d prog
 * loadall). On every build: against the minimal vmlinux BTF bpftool gen min_core_btf cut for
 * these objects (same offsets, sizes, enum values; other type ids). With the live kernel whose
 * BTF the golden files came from: the whole libbpf CO-RE log, line for line.
 */
class CoreGoldenTest {
    static final Map<String, String> TASK = Map.of("kprobe/do_nanosleep", "core_task");
    static final Map<String, String> DIRECT = Map.of("tp_btf/sched_switch", "core_direct", ".text", "parent_tgid");
    private static final Pattern PATCHED = Pattern.compile(
            "^prog '(\\w+)': relo #(\\d+): (patched insn #(\\d+) \\((?:ALU/ALU64|LDX/ST/STX|LDIMM64)\\) (?:imm|off|imm64) "
                    + "(\\d+) -> (\\d+)|substituting insn #(\\d+) w/ invalid insn)$");

    private static String goldenKernel() {
        String env = ExtObjects.text("golden/environment.txt");
        return env.lines().filter(l -> l.startsWith("uname -r: ")).findFirst().orElseThrow().substring(10);
    }

    private static boolean sameKernel() throws IOException {
        Path rel = Path.of("/proc/sys/kernel/osrelease");
        return VmlinuxBtf.realAvailable() && Files.isReadable(rel)
                && Files.readString(rel).strip().equals(goldenKernel());
    }

    @Test
    void liveVmlinuxGivesLibbpfsLogLineForLine() throws IOException {
        assumeTrue(sameKernel(), "needs /sys/kernel/btf/vmlinux of kernel " + goldenKernel());
        Btf vmlinux = VmlinuxBtf.load("vmlinux");
        for (var c : List.of(Map.entry("core_task", TASK), Map.entry("core_direct", DIRECT))) {
            CoreObjects.Run run = CoreObjects.run(c.getKey(), c.getValue(), CoreTargets.vmlinuxOnly(vmlinux));
            assertEquals(CoreObjects.golden(c.getKey()), run.log(), c.getKey());
        }
    }

    /** The decisions of the golden log: "prog relo#" → patched value, or "poison". */
    static List<String> decisions(List<String> log, int targetTaskId, int goldenTaskId) {
        List<String> out = new ArrayList<>();
        for (String l : log) {
            Matcher m = PATCHED.matcher(l);
            if (!m.matches()) {
                continue;
            }
            if (m.group(7) != null) {
                out.add(m.group(1) + " #" + m.group(2) + " insn " + m.group(7) + " poison");
            } else {
                String v = m.group(6);
                if (v.equals(Integer.toString(targetTaskId))) {
                    v = "task_struct id";
                }
                out.add(m.group(1) + " #" + m.group(2) + " insn " + m.group(4) + " " + m.group(5) + " -> " + v);
            }
        }
        return out;
    }

    @Test
    void minimalVmlinuxGivesLibbpfsDecisions() {
        Btf min = Btf.parse(ExtObjects.bytes("golden/vmlinux.min.btf"));
        int minTask = min.findByNameKind("task_struct", BtfKind.STRUCT);
        // the golden run's target id of task_struct, from its candidate line
        Matcher m = Pattern.compile("found target candidate \\[(\\d+)\\] struct task_struct in \\[vmlinux\\]")
                .matcher(String.join("\n", CoreObjects.golden("core_task")));
        assertEquals(true, m.find());
        int goldenTask = Integer.parseInt(m.group(1));
        for (var c : List.of(Map.entry("core_task", TASK), Map.entry("core_direct", DIRECT))) {
            CoreObjects.Run run = CoreObjects.run(c.getKey(), c.getValue(), CoreTargets.vmlinuxOnly(min));
            List<String> want = decisions(CoreObjects.golden(c.getKey()), goldenTask, goldenTask);
            assertEquals(want, decisions(run.log(), minTask, goldenTask), c.getKey());
        }
    }

    @Test
    void patchedInstructionsHoldTheLoggedValues() {
        Btf min = Btf.parse(ExtObjects.bytes("golden/vmlinux.min.btf"));
        CoreObjects.Run run = CoreObjects.run("core_direct", DIRECT, CoreTargets.vmlinuxOnly(min));
        List<Insn> main = run.insns().get("tp_btf/sched_switch");
        List<Insn> orig = ExtObjects.insns("core_direct", "tp_btf/sched_switch");
        // relo #0: r1 = *(u32 *)(r6 + 0) → pid's offset; relo #3: v2->dont_exist → poisoned call
        assertEquals(orig.get(1).withOff(1264), main.get(1));
        assertEquals(orig.get(7).withOff(108), main.get(7));
        assertEquals(new Insn(0x85, 0, 0, 0, BpfCoreRelocator.POISON_IMM), main.get(19));
        assertEquals(orig.get(17).withImm(0), main.get(17));
        // everything not relocated is untouched
        for (int i = 0; i < orig.size(); i++) {
            if (i != 1 && i != 7 && i != 17 && i != 19) {
                assertEquals(orig.get(i), main.get(i), "insn " + i);
            }
        }
        List<Insn> sub = run.insns().get(".text");
        assertEquals(1280, sub.get(1).off());
        assertEquals(1268, sub.get(3).off());
    }
}
