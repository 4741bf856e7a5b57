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
                ? List.of("clang", "-target", "bpf", "-mcpu=v3", "-fsyntax-only", "-Werror", dir.resolve("probe.c").toString())
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

    /**
     * GCC's BTF (the kernel's pahole output) qualifies an array besides its elements: CONST ->
     * ARRAY -> CONST char. libbpf's btf_dump_emit_type_chain drops the array's own qualifiers
     * (btf_dump_drop_mods), so the member is "const char name[8]", not "const const char".
     */
    @Test
    void qualifiersOfAnArrayAreDroppedAsLibbpfDoes() throws IOException {
        BtfBuilder b = new BtfBuilder(null);
        int ch = b.add(new BtfType.Int(b.str("char"), 1, 1, 0, 8));
        int cch = b.add(new BtfType.Ref(BtfKind.CONST, 0, false, ch));
        int idx = b.add(new BtfType.Int(b.str("int"), 4, 1, 0, 32));
        int arr = b.add(new BtfType.Array(0, cch, idx, 8));
        int carr = b.add(new BtfType.Ref(BtfKind.CONST, 0, false, arr));
        int varr = b.add(new BtfType.Ref(BtfKind.VOLATILE, 0, false, arr));
        b.add(new BtfType.Composite(BtfKind.STRUCT, b.str("s"), false, 16,
                List.of(new BtfType.Member(b.str("name"), carr, 0), new BtfType.Member(b.str("v"), varr, 64))));
        String c = BtfCDump.dump(b.build());
        assertTrue(c.contains("struct s {\n\tconst char name[8];\n\tconst char v[8];\n};\n"), c);
        if (TestBtfs.hasCommand("clang")) {
            compileWithClang(c, "int probe(struct s *p) { return p->name[1] + p->v[7]; }\n", true);
        }
    }

    /**
     * The real vmlinux as C: compiles without a single warning, and clang's BTF of the header has
     * every uniquely named struct and union at the size and member offsets of the kernel's BTF.
     */
    @Test
    void realVmlinuxCompilesToTheSameLayout() throws IOException {
        Assumptions.assumeTrue(VmlinuxBtf.realAvailable(), "no readable /sys/kernel/btf/vmlinux");
        Assumptions.assumeTrue(TestBtfs.hasCommand("clang"), "clang not installed");
        Btf v = VmlinuxBtf.load("vmlinux");
        assertSameLayoutThroughClang(v, v.startId());
    }

    /**
     * The model's bpf_testmod module BTF (split on the vmlinux the model runs with, real or
     * built-in) as C: what src/test/bpf/objects/build.sh generates its vmlinux.h from.
     */
    @Test
    void modelTestmodSplitBtfCompilesToTheSameLayout() throws IOException {
        Assumptions.assumeTrue(TestBtfs.hasCommand("clang"), "clang not installed");
        String header = TestBtfs.read(TestBtfs.root().resolve("testmod-bundle/src/main/bpf/bpf_testmod.h"));
        for (Btf base : VmlinuxBtf.realAvailable() ? List.of(VmlinuxBtf.builtin(), VmlinuxBtf.load("vmlinux"))
                : List.of(VmlinuxBtf.builtin())) {
            Btf split = CDeclCompiler.compile("bpf_testmod.h", header, base).btf();
            String c = BtfCDump.dump(split);
            assertTrue(c.contains("struct bpf_testmod_st_ops {\n\tint (*test_prologue)(struct st_ops_args *);\n"), c);
            assertSameLayoutThroughClang(split, base == VmlinuxBtf.builtin() ? 1 : split.startId());
        }
    }

    /**
     * Dumps {@code btf} and compiles it with static assertions of every uniquely named struct's and
     * union's size and byte-aligned named member offsets from {@code from} on (a probe by value
     * with -g, as the built-in test does, takes clang half a minute on the real vmlinux; this
     * takes seconds). No warning is allowed.
     */
    private static void assertSameLayoutThroughClang(Btf btf, int from) throws IOException {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> dup = new java.util.HashSet<>();
        for (int id = 1; id < btf.nrTypes(); id++) {
            BtfKind k = btf.kind(id);
            if ((k == BtfKind.STRUCT || k == BtfKind.UNION || k == BtfKind.ENUM || k == BtfKind.ENUM64)
                    && !btf.name(id).isEmpty() && !seen.add(btf.name(id))) {
                dup.add(btf.name(id)); // printed as NAME___2: not compared
            }
        }
        StringBuilder probes = new StringBuilder();
        int asserts = 0;
        for (int id = from; id < btf.nrTypes(); id++) {
            BtfKind k = btf.kind(id);
            String n = btf.name(id);
            if ((k != BtfKind.STRUCT && k != BtfKind.UNION) || n.isEmpty() || dup.contains(n)
                    || n.equals("warn_args") || n.equals("va_format")) {
                // va_list: 24 bytes on x86-64, a pointer for -target bpf (so in bpftool's header too)
                continue;
            }
            String t = (k == BtfKind.STRUCT ? "struct " : "union ") + n;
            BtfType.Composite c = (BtfType.Composite) btf.type(id);
            probes.append("_Static_assert(sizeof(").append(t).append(") == ").append(Integer.toUnsignedString(c.size()))
                    .append(", \"size of ").append(t).append("\");\n");
            asserts++;
            for (BtfType.Member m : c.members()) {
                long off = m.bitOffset(c.kindFlag());
                if (m.nameOff() == 0 || m.bitfieldSize(c.kindFlag()) != 0 || off % 8 != 0) {
                    continue;
                }
                String mn = btf.str(m.nameOff());
                probes.append("_Static_assert(__builtin_offsetof(").append(t).append(", ").append(mn).append(") == ")
                        .append(off / 8).append(", \"offset of ").append(t).append('.').append(mn).append("\");\n");
                asserts++;
            }
        }
        assertTrue(asserts > 0, "nothing compared");
        compileWithClang(BtfCDump.dump(btf), probes.toString(), true);
    }
}
