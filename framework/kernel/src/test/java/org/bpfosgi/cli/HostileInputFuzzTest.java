package org.bpfosgi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing that stays: mutated program text, BTF blobs and C headers through the commands users
 * run. The property: exit status 0 or 1 with a clear message, never a Java exception type or
 * stack trace in the output, and no module reference left behind by a program that was freed.
 *
 * <p>Short by default (a few hundred inputs per surface, seeded, so a failure repeats); the long
 * run is {@code mvn verify -Dbpfosgi.fuzz.iterations=20000 -Dbpfosgi.fuzz.seed=N}.
 */
class HostileInputFuzzTest {
    static final int ITERATIONS = Integer.getInteger("bpfosgi.fuzz.iterations", 300);
    static final long SEED = Long.getLong("bpfosgi.fuzz.seed", 0x5eedL);
    /** A Java type or trace in front of a user: "NullPointerException", "java.lang.", "\tat ". */
    static final Pattern JAVA = Pattern.compile("\\w+(Exception|Error)\\b|\\bjava\\.|\\tat |Input length =");

    @TempDir
    Path dir;
    ProgKernel pk;
    ModuleTable modules;
    BtfRegistry reg;

    @BeforeEach
    void boot() throws Exception {
        modules = new ModuleTable(l -> { });
        reg = new BtfRegistry(VmlinuxBtf.builtin(), modules);
        modules.registerNotifier(new BtfModuleNotifier(reg, l -> { }));
        pk = new ProgKernel(modules, reg);
        String header = header();
        Module[] self = new Module[1];
        self[0] = modules.prepareLoad(new ModuleImage("bpf_testmod", false,
                Optional.of(new ModuleImage.BtfSource("bpf_testmod.h", header)), true, true, 4096), List.of(),
                new ModuleTable.ModuleCode() {
                    @Override
                    public int init() {
                        return pk.registerSubsystem(self[0], reg.moduleBtf("bpf_testmod").orElseThrow(), new BpfTestmod());
                    }

                    @Override
                    public void exit() {
                    }
                });
        modules.initModule(self[0]);
    }

    private static String header() throws java.io.IOException {
        return new String(BpfTestmod.class.getResourceAsStream("/bpf/bpf_testmod.h").readAllBytes(), StandardCharsets.UTF_8);
    }

    record Run(int status, String out, String err) {
    }

    private static Run run(java.util.function.BiFunction<PrintStream, PrintStream, Integer> cmd) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int s = cmd.apply(new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(s, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    private static void clear(String what, byte[] input, Run r) {
        String shown = what + " (seed " + SEED + "): " + new String(input, 0, Math.min(input.length, 400),
                StandardCharsets.ISO_8859_1);
        assertTrue(r.status() == 0 || r.status() == 1, shown + "\nstatus " + r.status() + "\n" + r.err());
        assertFalse(JAVA.matcher(r.err()).find(), shown + "\n" + r.err());
        if (r.status() == 1) {
            assertFalse(r.err().isBlank(), shown + ": a failure says why");
        }
    }

    // ------------------------------------------------------------------ mutations

    private static final String[] TOKENS = {"\"", ";", "#", "//", "/*", "*/", "SEC(\"struct_ops/test_prologue\")",
        ".license \"GPL\"", ".name x", ".sleepable", ".struct_ops bpf_testmod_st_ops.test_epilogue", "call ", "exit",
        "r1", "r10", "+", "-", "=", "*(u64 *)(", ")", "goto", "0x7fffffff", "-2147483648", ":", "\n", "\t", "\u0000",
        "\u00ff", "struct", "union", "{", "}", "[", "]", "(", ")", "*", ",", "enum", "typedef", "__attribute__((packed))",
        "sizeof", "BTF_ID_LIST(l)", "BTF_ID(func, x)", "BTF_KFUNCS_START(k)", "BTF_KFUNCS_END(k)", ":0", ":33",
        "int", "char", "unsigned", "long", "void", "__u64", "999999999999999999999", "'"};

    /** Deletes, duplicates, replaces or inserts a few tokens or bytes of {@code s}. */
    static String mutate(String s, Random rnd) {
        StringBuilder b = new StringBuilder(s);
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n && b.length() > 0; k++) {
            int at = rnd.nextInt(b.length());
            int len = Math.min(b.length() - at, 1 + rnd.nextInt(12));
            switch (rnd.nextInt(5)) {
                case 0 -> b.delete(at, at + len);
                case 1 -> b.insert(at, b.substring(at, at + len));
                case 2 -> b.insert(at, TOKENS[rnd.nextInt(TOKENS.length)]);
                case 3 -> b.replace(at, at + len, TOKENS[rnd.nextInt(TOKENS.length)]);
                default -> b.setCharAt(at, (char) rnd.nextInt(0x100));
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ surfaces

    @Test
    void programText() throws Exception {
        String seed = Files.readString(Path.of("../../examples/test_prologue.s"));
        Random rnd = new Random(SEED);
        Path f = dir.resolve("p.s");
        Module m = modules.find("bpf_testmod").orElseThrow();
        int loaded = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] text = mutate(seed, rnd).getBytes(rnd.nextInt(4) == 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            Files.write(f, text);
            Run r = run((out, err) -> ProgCli.run(List.of("load", f.toString()), pk, out, err));
            clear("prog load", text, r);
            if (r.status() == 0) {
                loaded++;
                String id = r.out().trim();
                assertEquals(0, run((out, err) -> ProgCli.run(List.of("free", "id", id), pk, out, err)).status());
            }
            assertEquals(Module.MODULE_REF_BASE, m.rawRefcnt(), "no reference left behind: " + new String(text, StandardCharsets.ISO_8859_1));
        }
        assertTrue(loaded > 0, "some mutations still load (the seed program is valid)");
    }

    @Test
    void btfBlobs() throws Exception {
        byte[] good = VmlinuxBtf.builtin().rawData();
        Random rnd = new Random(SEED);
        Path f = dir.resolve("b.btf");
        for (int i = 0; i < ITERATIONS / 3; i++) {
            byte[] d = good.clone();
            int n = 1 + rnd.nextInt(6);
            for (int k = 0; k < n; k++) {
                int at = rnd.nextInt(rnd.nextBoolean() ? Math.min(d.length, 4096) : d.length);
                switch (rnd.nextInt(3)) {
                    case 0 -> d[at] = (byte) rnd.nextInt(256);
                    case 1 -> d[at] ^= (byte) (1 << rnd.nextInt(8));
                    default -> {
                        int v = rnd.nextBoolean() ? -1 : rnd.nextInt(1 << 20);
                        for (int b = 0; b < 4 && at + b < d.length; b++) {
                            d[at + b] = (byte) (v >>> (8 * b));
                        }
                    }
                }
            }
            if (rnd.nextInt(8) == 0) {
                d = java.util.Arrays.copyOf(d, rnd.nextInt(d.length));
            }
            Files.write(f, d);
            String format = rnd.nextBoolean() ? "raw" : "c";
            Run r = run((out, err) -> BtfCli.run(List.of("dump", "file", f.toString(), "format", format), reg, out, err));
            clear("btf dump file (format " + format + ")", java.util.Arrays.copyOf(d, 64), r);
        }
    }

    @Test
    void cHeaders() throws Exception {
        String seed = header();
        Random rnd = new Random(SEED);
        Path f = dir.resolve("h.h");
        int ok = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] text = mutate(seed, rnd).getBytes(StandardCharsets.UTF_8);
            Files.write(f, text);
            Run r = run((out, err) -> BtfCli.run(List.of("compile", f.toString(), "--base", "builtin"), reg, out, err));
            clear("btf compile", text, r);
            ok += r.status() == 0 ? 1 : 0;
        }
        assertTrue(ok > 0, "some mutations still compile (the seed header is valid)");
    }
}
