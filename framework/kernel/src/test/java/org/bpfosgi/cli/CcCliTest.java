package org.bpfosgi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cc}: clang against the machine's own vmlinux.h, or the prebuilt object without clang. */
class CcCliTest {
    private final BtfRegistry registry = new BtfRegistry(VmlinuxBtf.builtin(), null);
    private String out;
    private String err;
    @TempDir
    Path dir;

    private int run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = CcCli.run(Arrays.asList(args), registry, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return rc;
    }

    @AfterEach
    void restoreClang() {
        System.clearProperty(CcCli.CLANG_PROPERTY);
    }

    private static final String PROG = String.join("\n",
            "#include \"vmlinux.h\"",
            "__attribute__((section(\"syscall\"), used)) int probe(void *ctx) { return sizeof(struct sk_buff) > 0; }",
            "char _license[] __attribute__((section(\"license\"), used)) = \"GPL\";", "");

    @Test
    void usageAndMissingSource() {
        assertEquals(1, run("x.c"));
        assertTrue(err.startsWith("Error: usage: cc FILE.c -o OUT.o"), err);
        assertEquals(1, run("x.c", "-o", "x.o", "modul", "m"));
        assertEquals(1, run(dir.resolve("x.s").toString(), "-o", "x.o"));
        assertTrue(err.contains("not a C file"), err);
        assertEquals(1, run(dir.resolve("none.c").toString(), "-o", dir.resolve("x.o").toString()));
        assertEquals("Error: cc: " + dir.resolve("none.c") + ": No such file or directory\n", err);
        assertEquals(0, run("--help"));
        assertTrue(out.startsWith("Usage: cc "), out);
    }

    @Test
    void withoutClangThePrebuiltObjectIsUsedAndSaid() throws IOException {
        System.setProperty(CcCli.CLANG_PROPERTY, "no-such-clang-bpf-osgi");
        Path c = Files.writeString(dir.resolve("p.c"), PROG);
        Path out0 = dir.resolve("build/p.o");
        assertEquals(1, run(c.toString(), "-o", out0.toString()));
        assertEquals("Error: cc: clang is not installed and there is no prebuilt " + dir.resolve("p.o") + "\n", err);
        byte[] pre = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
        Files.write(dir.resolve("p.o"), pre);
        assertEquals(0, run(c.toString(), "-o", out0.toString()));
        assertEquals("cc: clang is not installed: " + out0 + " is the prebuilt " + dir.resolve("p.o") + "\n", out);
        assertArrayEquals(pre, Files.readAllBytes(out0));
    }

    @Test
    void clangBuildsAgainstTheMachinesOwnVmlinuxH() throws IOException {
        Assumptions.assumeTrue(CcCli.clang().isPresent(), "clang not installed");
        Path c = Files.writeString(dir.resolve("p.c"), PROG);
        Path o = dir.resolve("p.o");
        assertEquals(0, run(c.toString(), "-o", o.toString()), err);
        assertTrue(out.startsWith("cc: " + c + " -> " + o + " (") && out.endsWith(", vmlinux.h: btf dump module vmlinux format c)\n"),
                out);
        byte[] b = Files.readAllBytes(o);
        assertEquals(0x7f, b[0]);
        assertEquals(247, (b[18] & 0xff) | (b[19] & 0xff) << 8, "e_machine EM_BPF");
        // clang's own words for a broken program, and status 1
        Path bad = Files.writeString(dir.resolve("bad.c"), "#include \"vmlinux.h\"\nint f(void) { return struct_not_there; }\n");
        assertEquals(1, run(bad.toString(), "-o", dir.resolve("bad.o").toString()));
        assertTrue(err.contains("use of undeclared identifier 'struct_not_there'")
                && err.endsWith("Error: cc: clang exited with status 1 for " + bad + "\n"), err);
        assertEquals(1, run(c.toString(), "-o", o.toString(), "module", "bpf_testmod"));
        assertEquals("Error: cc: module 'bpf_testmod' has no BTF (not loaded?)\n", err);
    }
}
