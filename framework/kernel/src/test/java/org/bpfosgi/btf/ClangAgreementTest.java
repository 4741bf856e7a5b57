package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our layout equals clang's: each header of the corpus (and the built-in vmlinux header) is
 * compiled by us and by {@code clang -g -target bpf -c}; every named struct and union must have
 * the same size and the same members (names, bit offsets, bitfield sizes, member types), and
 * every function declaration the same prototype (clang emits extern FUNCs only for calls at -O2). Skipped when clang is not installed.
 */
class ClangAgreementTest {

    @ParameterizedTest
    @ValueSource(strings = {"corpus/types.h", "vmlinux-builtin.h", "testmod", "qdisc", "tcpcc"})
    void sameLayoutAsClang(String which) throws IOException {
        Assumptions.assumeTrue(TestBtfs.hasCommand("clang"), "clang not installed");
        Path res = TestBtfs.root().resolve("framework/kernel/src/test/resources/org/bpfosgi/btf");
        String prelude = TestBtfs.read(res.resolve("corpus/prelude.h"));
        String builtin = VmlinuxBtf.builtinHeader();
        String text;
        Btf ours;
        switch (which) {
            case "vmlinux-builtin.h":
                text = builtin;
                ours = VmlinuxBtf.builtin();
                break;
            case "corpus/types.h":
                text = TestBtfs.read(res.resolve(which));
                ours = CDeclCompiler.compile(which, text, null).btf();
                break;
            default: {
                String path = Map.of("testmod", "testmod-bundle/src/main/bpf/bpf_testmod.h",
                        "qdisc", "qdisc-bundle/src/main/bpf/bpf_qdisc.h",
                        "tcpcc", "tcpcc-bundle/src/main/bpf/bpf_tcp_ca.h").get(which);
                String module = TestBtfs.read(TestBtfs.root().resolve(path));
                // clang sees the base header and the module header as one translation unit; a struct
                // the base already defines is reused by our compiler, so clang must not see it twice
                String forClang = module;
                for (int id = 1; id < VmlinuxBtf.builtin().nrTypes(); id++) {
                    if (VmlinuxBtf.builtin().kind(id) == BtfKind.STRUCT) {
                        forClang = forClang.replaceAll("(?s)\\nstruct " + VmlinuxBtf.builtin().name(id) + " \\{.*?\\n\\};", "\n");
                    }
                }
                text = builtin + "\n" + forClang;
                ours = BtfFiles.flatten(CDeclCompiler.compile(path, module, VmlinuxBtf.builtin()).btf());
            }
        }
        Path dir = Files.createTempDirectory("btf-clang");
        Files.writeString(dir.resolve("prelude.h"), prelude);
        StringBuilder probe = new StringBuilder(text).append('\n');
        List<String> funcs = new ArrayList<>();
        for (int id = 1; id < ours.nrTypes(); id++) {
            BtfKind k = ours.kind(id);
            String n = ours.name(id);
            if ((k == BtfKind.STRUCT || k == BtfKind.UNION) && !n.isEmpty()) {
                probe.append(k == BtfKind.STRUCT ? "struct " : "union ").append(n).append(" __probe_").append(id).append(";\n");
            } else if (k == BtfKind.FUNC) {
                funcs.add(n);
            }
        }
        // clang emits BTF for an extern function only when it is called
        probe.append("void __probe_calls(void) {\n");
        for (String f : funcs) {
            BtfType.FuncProto p = ours.funcProto(ours.findByNameKind(f, BtfKind.FUNC));
            long n = p.params().stream().filter(x -> x.type() != 0).count();
            probe.append("\t").append(f).append('(').append(String.join(", ", java.util.Collections.nCopies((int) n, "0")))
                    .append(");\n");
        }
        probe.append("}\n");
        Files.writeString(dir.resolve("probe.c"), probe);
        TestBtfs.run(List.of("clang", "-g", "-O2", "-target", "bpf", "-c", "-w", "-include", dir.resolve("prelude.h").toString(),
                dir.resolve("probe.c").toString(), "-o", dir.resolve("probe.o").toString()));
        Btf theirs = BtfFiles.read(dir.resolve("probe.o"));

        Map<String, List<String>> ourComposites = TypeShape.composites(ours);
        Map<String, List<String>> clangComposites = TypeShape.composites(theirs);
        assertTrue(ourComposites.size() >= 10, "corpus covers many structs: " + ourComposites.size());
        for (Map.Entry<String, List<String>> e : ourComposites.entrySet()) {
            assertTrue(clangComposites.containsKey(e.getKey()), "clang has " + e.getKey() + " (size included); clang: "
                    + clangComposites.keySet().stream().filter(k -> k.startsWith(e.getKey().split(" size")[0] + " ")).toList());
            assertEquals(clangComposites.get(e.getKey()), e.getValue(), e.getKey());
        }
        for (String f : funcs) {
            int o = ours.findByNameKind(f, BtfKind.FUNC);
            int t = theirs.findByNameKind(f, BtfKind.FUNC);
            assertTrue(t > 0, "clang emitted " + f);
            assertEquals(TypeShape.of(theirs, ((BtfType.Func) theirs.type(t)).type()),
                    TypeShape.of(ours, ((BtfType.Func) ours.type(o)).type()), f);
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }
}
