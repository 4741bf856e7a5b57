package org.bpfosgi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bpfosgi.isa.conformance.ConformanceFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IsaCliTest {
    @TempDir Path tmp;

    record Run(int status, String out, String err) {}

    static Run cli(String command, String stdin, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int s = IsaCli.run(command, List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(s, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void asmDisasmExecRoundTrip() throws Exception {
        Path s = write("p.s", "r0 = 1\nr0 += 41\ncall bpf_kfunc_st_ops_inc10\nexit\n");
        Run r = cli("asm", "", s.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("   0: (b7) r0 = 1\n   1: (07) r0 += 41\n   2: (85) call kernel-function#0\n   3: (95) exit\n"
            + "; insn 2: kfunc bpf_kfunc_st_ops_inc10\n", r.out());
        Path bin = tmp.resolve("p.bin");
        Path s2 = write("q.s", "r0 = 1\nr0 += 41\nexit\n");
        assertEquals(0, cli("asm", "", s2.toString(), "-o", bin.toString()).status());
        assertEquals("   0: (b7) r0 = 1\n   1: (07) r0 += 41\n   2: (95) exit\n", cli("disasm", "", bin.toString()).out());
        assertEquals("0x2a\n", cli("exec", "", bin.toString()).out());
        assertEquals("0x2a\n", cli("exec", "", s2.toString()).out());
        Run d = cli("disasm", "", "--hex", "b7000000 01000000 95000000 00000000", "--opcodes");
        assertEquals("   0: (b7) r0 = 1\n       b7 00 00 00 01 00 00 00\n   1: (95) exit\n       95 00 00 00 00 00 00 00\n", d.out());
        assertEquals("0: r0 = 1\n1: exit\n", cli("disasm", "", "--hex", "b700000001000000 9500000000000000", "--selftest").out());
    }

    @Test
    void execWithMemoryAndOops() throws Exception {
        Path s = write("m.ubpf", "ldxh %r0, [%r1+1]\nexit\n");
        assertEquals("0x3322\n", cli("exec", "", s.toString(), "--mem", "11 22 33").out());
        Run r = cli("exec", "", s.toString(), "--mem", "11");
        assertEquals(1, r.status());
        assertTrue(r.out().startsWith("oops: page fault at insn 0 accessing 2 bytes at 0x"), r.out());
    }

    @Test
    void execOptions() throws Exception {
        Path loop = write("loop.s", "l: goto l\nexit\n");
        Run r = cli("exec", "", loop.toString(), "--limit", "100");
        assertEquals(1, r.status());
        assertTrue(r.out().startsWith("oops: insn limit at insn 0"), r.out());
        Path u = write("u.txt", "mov %r0, 7\nexit\n");
        assertEquals("0x7\n", cli("exec", "", u.toString(), "--dialect", "ubpf").out());
        assertEquals("0: r0 = 7\n1: exit\n", cli("asm", "", u.toString(), "--dialect", "ubpf", "--selftest").out());
        assertEquals(2, cli("exec", "", u.toString(), "--limit", "x").status());
    }

    @Test
    void userErrorsAreMessagesNotStackTraces() throws Exception {
        Path s = write("bad.s", "r0 = 1\nr0 = frob\n");
        Run r = cli("asm", "", s.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith(s + ":2:1: "), r.err());
        Run missing = cli("exec", "", tmp.resolve("nope.s").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("cannot read " + tmp.resolve("nope.s") + ": No such file or directory"), missing.err());
        Run usage = cli("disasm", "", "--frob");
        assertEquals(2, usage.status());
        for (Run x : List.of(r, missing, usage, cli("disasm", "", "--hex", "zz"), cli("conformance-plugin", "b7 00", "")))
            assertFalse(x.err().contains("\tat ") || x.err().contains("Exception"), x.err());
        assertEquals(0, cli("exec", "", "--help").status());
        assertTrue(cli("exec", "", "--help").out().startsWith("usage: exec FILE"));
    }

    /** Unreadable, binary and self-overwriting inputs get a reason, not Java's words ("Input length = 1"). */
    @Test
    void filesThatCannotBeReadSayWhy() throws Exception {
        Path bin = tmp.resolve("garbage.s");
        Files.write(bin, new byte[] {'r', '0', (byte) 0xc3, (byte) 0x28, '\n'});
        for (String cmd : List.of("asm", "exec")) {
            Run r = cli(cmd, "", bin.toString());
            assertEquals(1, r.status(), r.err());
            assertEquals(cmd + ": cannot read " + bin + ": not a text file (byte 2 is not UTF-8)\n", r.err());
            Run d = cli(cmd, "", tmp.toString());
            assertEquals(cmd + ": cannot read " + tmp + ": Is a directory\n", d.err());
        }
        Path s = write("ok.s", "r0 = 1\nexit\n");
        Run self = cli("asm", "", s.toString(), "-o", s.toString());
        assertEquals(2, self.status());
        assertTrue(self.err().contains("is the input file; refusing to overwrite it"), self.err());
        assertEquals("r0 = 1\nexit\n", Files.readString(s));
        Run neg = cli("exec", "", s.toString(), "--limit", "-1");
        assertEquals(2, neg.status(), neg.err());
        assertTrue(neg.err().contains("--limit takes a positive number"), neg.err());
    }

    /** A prog load file (.license, SEC()) is read by asm/exec as prog load reads it, not refused. */
    @Test
    void progLoadFilesAssemble() throws Exception {
        Path f = write("p.s", ".license \"GPL\"\nSEC(\"struct_ops/test_prologue\")\nx:\n r0 = 7\n exit\n");
        Run a = cli("asm", "", f.toString());
        assertEquals(0, a.status(), a.err());
        assertEquals("   0: (b7) r0 = 7\n   1: (95) exit\n", a.out());
        Run e = cli("exec", "", f.toString());
        assertEquals(0, e.status(), e.err());
        assertEquals("0x7\n", e.out());
        Path twice = write("q.s", ".license \"GPL\"\n.license \"GPL\"\nx:\n exit\n");
        Run t = cli("asm", "", twice.toString());
        assertEquals(1, t.status());
        assertTrue(t.err().contains("second .license"), t.err());
    }

    /** The upstream runner's side of the protocol, over the whole corpus when it is present. */
    @Test
    void conformancePluginProtocol() throws Exception {
        Run ok = cli("conformance-plugin", "b4 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00", "");
        assertEquals(new Run(0, "2a\n", ""), ok);
        Run mem = cli("conformance-plugin", "bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "aa  bb  cc  ", "");
        assertEquals("3\n", mem.out());
        Run bad = cli("conformance-plugin", "07 00 01 00 01 00 00 00 95 00 00 00 00 00 00 00");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("BPF_ALU uses reserved fields"), bad.err());

        String shared = System.getProperty("bpfosgi.conformance.dir",
            System.getProperty("bpfosgi.shared", "/nonexistent") + "/bpf_conformance_data");
        Path tests = Path.of(shared, "tests");
        Assumptions.assumeTrue(Files.isDirectory(tests), "corpus absent");
        int n = 0;
        try (Stream<Path> files = Files.list(tests)) {
            for (Path f : files.sorted().toList()) {
                ConformanceFile cf = ConformanceFile.parse(Files.readString(f), f.getFileName().toString());
                String program = HexFormat.ofDelimiter(" ").formatHex(cf.program().program().encode());
                String memory = HexFormat.ofDelimiter("  ").formatHex(cf.mem());
                Run r = cli("conformance-plugin", program, memory);
                assertEquals(0, r.status(), f + ": " + r.err());
                assertEquals(cf.result().orElseThrow(), Long.parseUnsignedLong(r.out().trim(), 16), f.toString());
                n++;
            }
        }
        assertEquals(313, n);
    }
}
