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
