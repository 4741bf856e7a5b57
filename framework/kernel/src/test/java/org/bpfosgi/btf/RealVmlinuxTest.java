package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The machine's /sys/kernel/btf/vmlinux (skipped when it is not readable). */
class RealVmlinuxTest {
    private static byte[] raw;
    private static Btf btf;

    @BeforeAll
    static void load() throws IOException {
        if (VmlinuxBtf.realAvailable()) {
            raw = Files.readAllBytes(VmlinuxBtf.SYSFS_VMLINUX);
            btf = Btf.parse(raw);
        }
    }

    /** Per test, so that each is reported skipped on a machine without vmlinux BTF. */
    @BeforeEach
    void needsVmlinux() {
        Assumptions.assumeTrue(btf != null, "no readable " + VmlinuxBtf.SYSFS_VMLINUX);
    }

    @Test
    void parsesAndWritesBackTheSameBytes() {
        assertTrue(btf.nrTypes() > 120_000, "types: " + btf.nrTypes());
        assertArrayEquals(raw, BtfWriter.write(btf));
        assertEquals(btf.nrTypes(), VmlinuxBtf.load(null).nrTypes(), "the default is the real file");
    }

    @Test
    void queriesOnRealKernelTypes() {
        int skb = btf.findByNameKind("sk_buff", BtfKind.STRUCT);
        assertEquals(16, btf.offsetOf(skb, "dev"));
        assertEquals(btf.offsetOf(skb, "tstamp"), btf.offsetOf(skb, "skb_mstamp_ns"));
        assertEquals(48, btf.resolveSize(btf.memberPath(skb, "cb").type()));
        int qdisc = btf.findByNameKind("Qdisc", BtfKind.STRUCT);
        assertEquals(btf.offsetOf(qdisc, "q") + 16, btf.offsetOf(qdisc, "q.qlen"));
        assertEquals("q.qlen", btf.memberAt(qdisc, btf.offsetOf(qdisc, "q.qlen")).orElseThrow().path());
        int from = btf.findByNameKind("bpf_cgroup_from_id", BtfKind.FUNC);
        assertEquals(btf.findByNameKind("cgroup", BtfKind.STRUCT),
                btf.pointedStruct(btf.funcProto(from).returnType()).getAsInt());
    }

    /** Built-in subsystems folded into the real vmlinux BTF: what it already has is reused. */
    @Test
    void builtinSubsystemsExtendTheRealVmlinux() {
        BtfRegistry reg = new BtfRegistry(btf, null);
        int before = btf.nrTypes();
        CompiledBtf tcp = reg.extendVmlinux("bpf_tcp_ca", new org.bpfosgi.module.ModuleImage.BtfSource("bpf_tcp_ca.h",
                TestBtfs.read(TestBtfs.root().resolve("tcpcc-bundle/src/main/bpf/bpf_tcp_ca.h"))));
        assertEquals(before, reg.vmlinuxBtf().nrTypes(), "6.18 already has tcp_congestion_ops and the reno kfuncs");
        assertEquals(btf.findByNameKind("tcp_slow_start", BtfKind.FUNC),
                tcp.set("bpf_tcp_ca_check_kfunc_ids").orElseThrow().entries().stream()
                        .filter(r -> r.name().equals("tcp_slow_start")).findFirst().orElseThrow().id());
        CompiledBtf qdisc = reg.extendVmlinux("bpf_qdisc", new org.bpfosgi.module.ModuleImage.BtfSource("bpf_qdisc.h",
                TestBtfs.read(TestBtfs.root().resolve("qdisc-bundle/src/main/bpf/bpf_qdisc.h"))));
        Btf v = reg.vmlinuxBtf();
        int drop = v.findByNameKind("bpf_qdisc_skb_drop", BtfKind.FUNC);
        assertTrue(drop >= before, "a kfunc this kernel lacks is appended to vmlinux BTF");
        assertTrue(qdisc.setContains("qdisc_kfunc_ids", drop));
        assertEquals(btf.findByNameKind("Qdisc_ops", BtfKind.STRUCT), v.findByNameKind("Qdisc_ops", BtfKind.STRUCT));
        assertEquals(1, v.findAllByName("Qdisc_ops").size(), "not duplicated");
        assertEquals(btf.describe(before - 1), v.describe(before - 1), "vmlinux's own ids are unchanged");
    }

    /** The whole raw dump, line for line, against bpftool's (the only full dump of a test run). */
    @Test
    void rawDumpEqualsBpftoolLineForLine() {
        Assumptions.assumeTrue(TestBtfs.hasCommand("bpftool"), "bpftool not installed");
        String theirs = TestBtfs.run(List.of("bpftool", "btf", "dump", "file", VmlinuxBtf.SYSFS_VMLINUX.toString(),
                "format", "raw"));
        String ours = BtfRawDump.dump(btf);
        String[] a = theirs.split("\n", -1);
        String[] b = ours.split("\n", -1);
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (!a[i].equals(b[i])) {
                assertEquals(a[i], b[i], "line " + (i + 1) + " differs");
            }
        }
        assertEquals(a.length, b.length, "line count");
        System.out.println("raw dump of /sys/kernel/btf/vmlinux: " + (a.length - 1) + " lines equal to bpftool's");
    }
}
