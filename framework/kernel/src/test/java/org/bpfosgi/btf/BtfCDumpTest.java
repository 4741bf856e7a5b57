package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code format c}: compilable C whose layout is the BTF's. */
class BtfCDumpTest {

    @Test
    void builtinBaseAsC() {
        String c = BtfCDump.dump(VmlinuxBtf.builtin());
        assertTrue(c.startsWith("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n"), c);
        assertTrue(c.contains("typedef unsigned int __u32;\n"), c);
        assertTrue(c.contains("\tint (*enqueue)(struct sk_buff *, struct Qdisc *, struct sk_buff **);\n"), c);
        assertTrue(c.contains("\t\t\t\tstruct net_device *dev;\n"), c);
        assertTrue(c.contains("\tchar cb[48];\n"), c);
        assertTrue(c.contains("\t__u8 cloned: 1;\n"), c);
        assertTrue(c.indexOf("struct qdisc_skb_head {") < c.indexOf("struct Qdisc {"), "by-value members first");
        assertTrue(c.endsWith("#endif /* __VMLINUX_H__ */\n"));
    }

    /** A chain of 5000 structs each containing the next by value: an error, not a StackOverflowError. */
    @Test
    void hostileNestingIsAnError() {
        BtfBuilder b = new BtfBuilder(null);
        int i = b.add(new BtfType.Int(b.str("int"), 4, 1, 0, 32));
        int[] ids = new int[5000];
        for (int n = 0; n < ids.length; n++) {
            ids[n] = b.reserve();
        }
        for (int n = 0; n < ids.length; n++) {
            // s0 contains s1 contains s2 ...: emitting s0 first needs all the others first
            b.set(ids[n], new BtfType.Composite(BtfKind.STRUCT, b.str("s" + n), false, 4,
                    List.of(new BtfType.Member(b.str("m"), n + 1 < ids.length ? ids[n + 1] : i, 0))));
        }
        int last = ids[0];
        Btf btf = b.build();
        assertEquals(4, btf.resolveSize(last));
        BtfException e = org.junit.jupiter.api.Assertions.assertThrows(BtfException.class, () -> BtfCDump.dump(btf));
        assertTrue(e.getMessage().contains("nested more than"), e.getMessage());
    }

    private static Path compileWithClang(String header, String probes, boolean syntaxOnly) throws IOException {
        Path dir = Files.createTempDirectory("btf-cdump");
        Files.writeString(dir.resolve("vmlinux.h"), header);
        Files.writeString(dir.resolve("probe.c"), "#include \"vmlinux.h\"\n" + probes);
        Path obj = dir.resolve("probe.o");
        TestBtfs.run(syntaxOnly
                ? List.of("clang", "-target", "bpf", "-fsyntax-only", "-Werror=implicit-int", dir.resolve("probe.c").toString())
                : List.of("clang", "-g", "-target", "bpf", "-c", "-w", dir.resolve("probe.c").toString(), "-o", obj.toString()));
        return obj;
    }

    @Test
    void builtinBaseCompilesWithClangToTheSameLayout() throws IOException {
        Assumptions.assumeTrue(TestBtfs.hasCommand("clang"), "clang not installed");
        Btf b = VmlinuxBtf.builtin();
        StringBuilder probes = new StringBuilder();
        for (int id = 1; id < b.nrTypes(); id++) {
            if ((b.kind(id) == BtfKind.STRUCT || b.kind(id) == BtfKind.UNION) && !b.name(id).isEmpty()) {
                probes.append(b.kind(id) == BtfKind.STRUCT ? "struct " : "union ").append(b.name(id))
                        .append(" __probe_").append(id).append(";\n");
            }
        }
        Btf theirs = BtfFiles.read(compileWithClang(BtfCDump.dump(b), probes.toString(), false));
        Map<String, List<String>> ours = TypeShape.composites(b);
        Map<String, List<String>> clang = TypeShape.composites(theirs);
        for (Map.Entry<String, List<String>> e : ours.entrySet()) {
            assertEquals(e.getValue(), clang.get(e.getKey()), e.getKey());
        }
    }

    @Test
    void handMadeBtfWithEveryKindCompiles() throws IOException {
        Assumptions.assumeTrue(TestBtfs.hasCommand("clang"), "clang not installed");
        compileWithClang(BtfCDump.dump(TestBtfs.allKinds()), "", true);
    }

    @Test
    void realVmlinuxAsCCompiles() throws IOException {
        Assumptions.assumeTrue(VmlinuxBtf.realAvailable(), "no readable /sys/kernel/btf/vmlinux");
        Assumptions.assumeTrue(TestBtfs.hasCommand("clang"), "clang not installed");
        Btf v = VmlinuxBtf.load("vmlinux");
        String c = BtfCDump.dump(v);
        assertTrue(c.contains("struct sk_buff {"));
        compileWithClang(c, "int probe(struct sk_buff *skb, struct Qdisc_ops *ops) { return skb->len + ops->priv_size; }\n",
                true);
    }
}
