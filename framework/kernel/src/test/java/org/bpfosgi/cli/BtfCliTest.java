package org.bpfosgi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.bpfosgi.btf.BtfRawDump;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.junit.jupiter.api.Test;

class BtfCliTest {
    private final BtfRegistry registry = new BtfRegistry(VmlinuxBtf.builtin(), null);
    private String out;
    private String err;

    private int run(BtfRegistry r, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = BtfCli.run(Arrays.asList(args), r, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return rc;
    }

    private void oneLineError(int rc, String contains) {
        assertEquals(1, rc);
        assertTrue(err.startsWith("Error: ") && err.indexOf('\n') == err.length() - 1, err);
        assertTrue(err.contains(contains), err);
    }

    @Test
    void listAndDumpById() {
        assertEquals(0, run(registry, "list"));
        assertEquals("1: name [vmlinux]  size " + VmlinuxBtf.builtin().rawSize() + "B\n", out);
        assertEquals(0, run(registry, "dump", "id", "1"));
        assertEquals(BtfRawDump.dump(VmlinuxBtf.builtin()), out);
        assertEquals(0, run(registry, "dump", "id", "1", "format", "c"));
        assertTrue(out.contains("struct sk_buff {"));
        assertEquals(0, run(registry, "dump", "module", "vmlinux", "format", "raw"));
        oneLineError(run(registry, "dump", "id", "7"), "get by id (7)");
        oneLineError(run(registry, "dump", "module", "nope"), "module 'nope' has no BTF");
        oneLineError(run(registry, "dump", "id", "x"), "can't parse 'x' as ID");
        oneLineError(run(registry, "dump", "id", "1", "format", "json"), "unrecognized format specifier");
    }

    @Test
    void compileAndDumpFile() throws IOException {
        Path h = Path.of("").toAbsolutePath();
        while (!Files.exists(h.resolve("testmod-bundle"))) {
            h = h.getParent();
        }
        Path header = h.resolve("testmod-bundle/src/main/bpf/bpf_testmod.h");
        assertEquals(0, run(registry, "compile", header.toString(), "--base", "builtin"));
        int first = VmlinuxBtf.builtin().nrTypes();
        assertTrue(out.startsWith("[" + first + "] "), out);
        assertTrue(out.contains("STRUCT 'bpf_testmod_st_ops' size=32 vlen=4"), out);
        assertTrue(out.contains("BTF_KFUNCS bpf_testmod_check_kfunc_ids cnt=4 flags=1\n"), out);
        assertTrue(out.contains("flags=KF_TRUSTED_ARGS | KF_SLEEPABLE\n"), out);
        assertTrue(out.contains("BTF_ID_LIST st_ops_epilogue_kfunc_list cnt=2\n"), out);

        Path dir = Files.createTempDirectory("btf-cli");
        Path f = dir.resolve("vmlinux.btf");
        Files.write(f, VmlinuxBtf.builtin().rawData());
        assertEquals(0, run(null, "dump", "file", f.toString()));
        assertEquals(BtfRawDump.dump(VmlinuxBtf.builtin()), out);
        Path bad = dir.resolve("bad.h");
        Files.writeString(bad, "struct a {\n\tunknown_t x;\n};\n");
        oneLineError(run(registry, "compile", bad.toString(), "--base", "none"), bad + ":2:2: error: unknown type name 'unknown_t'");
        Path junk = dir.resolve("junk.btf");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        oneLineError(run(registry, "dump", "file", junk.toString()), "Invalid magic");
        oneLineError(run(registry, "dump", "file", dir.resolve("missing").toString()), "No such file");
        oneLineError(run(registry, "compile", header.toString(), "--base", "weird"), "--base expects");
    }

    @Test
    void dumpModuleAndSplitFile() throws IOException {
        java.util.List<String> klog = new java.util.ArrayList<>();
        org.bpfosgi.module.ModuleTable table = new org.bpfosgi.module.ModuleTable(klog::add);
        BtfRegistry reg = new BtfRegistry(VmlinuxBtf.builtin(), table);
        table.registerNotifier(new org.bpfosgi.btf.BtfModuleNotifier(reg, klog::add));
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("testmod-bundle"))) {
            root = root.getParent();
        }
        String header = Files.readString(root.resolve("testmod-bundle/src/main/bpf/bpf_testmod.h"));
        table.load(new org.bpfosgi.module.ModuleImage("bpf_testmod", false, java.util.Optional.of(
                new org.bpfosgi.module.ModuleImage.BtfSource("bpf/bpf_testmod.h", header)), false, true, 1), List.of(),
                new org.bpfosgi.module.ModuleTable.ModuleCode() {
                    @Override
                    public int init() {
                        return 0;
                    }

                    @Override
                    public void exit() {
                    }
                });
        assertEquals(0, run(reg, "list"));
        assertTrue(out.endsWith("2: name [bpf_testmod]  size " + reg.moduleBtf("bpf_testmod").orElseThrow().btf().rawSize()
                + "B\n"), out);
        assertEquals(0, run(reg, "dump", "module", "bpf_testmod"));
        String moduleDump = out;
        assertTrue(moduleDump.startsWith("[" + VmlinuxBtf.builtin().nrTypes() + "] "), moduleDump);
        assertEquals(0, run(reg, "dump", "id", "2", "format", "raw"));
        assertEquals(moduleDump, out);
        // the module's raw split BTF as a file (like /sys/kernel/btf/bpf_testmod): read on top of vmlinux
        Path f = Files.createTempFile("bpf_testmod", ".btf");
        Files.write(f, reg.moduleBtf("bpf_testmod").orElseThrow().btf().rawData());
        // split BTF only with its base (bpftool -B): alone it is refused with the validator's message
        oneLineError(run(reg, "dump", "file", f.toString()), "failed to load BTF from " + f + ": ");
        Path vmlinuxFile = Files.createTempFile("vmlinux", ".btf");
        Files.write(vmlinuxFile, reg.vmlinuxBtf().rawData());
        assertEquals(0, run(reg, "dump", "file", f.toString(), "base", vmlinuxFile.toString()));
        assertEquals(moduleDump, out);
        assertEquals(0, run(reg, "dump", "module", "bpf_testmod", "format", "c"));
        assertTrue(out.contains("struct bpf_testmod_st_ops {\n\tint (*test_prologue)(struct st_ops_args *);"), out);
    }

    /** Raw BTF: header, the type words, the string section. */
    private static byte[] raw(byte[] strings, int... typeWords) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + typeWords.length * 4 + strings.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(typeWords.length * 4).putInt(typeWords.length * 4).putInt(strings.length);
        for (int w : typeWords) {
            b.putInt(w);
        }
        b.put(strings);
        return b.array();
    }

    /**
     * Corrupt BTF is refused with the validator's message: it used to be re-read as split BTF
     * on top of vmlinux when it failed as a whole file, and dumped with every id shifted.
     */
    @Test
    void corruptBtfFilesAreRefusedNotReadAsSplit() throws IOException {
        byte[] strs = {0, 'a', 0, 'b', 0};
        int typedef = 8 << 24;
        int cnst = 10 << 24;
        int struct = 4 << 24;
        java.util.Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
        bad.put("self typedef", raw(strs, 1, typedef, 1));
        bad.put("self const", raw(strs, 0, cnst, 1));
        bad.put("typedef cycle", raw(strs, 1, typedef, 2, 3, typedef, 1));
        bad.put("struct containing itself", raw(strs, 1, struct | 1, 4, 1, 1, 0));
        bad.put("type id past the count", raw(strs, 1, typedef, 9));
        bad.put("name offset past the strings", raw(strs, 99, typedef, 0));
        bad.put("first string not empty", raw(new byte[] {'x', 0, 'a', 0}, 2, typedef, 0));
        // btf_check_* and btf_array_resolve: an array whose size overflows u32, a name of KSYM_NAME_LEN
        bad.put("array size overflows", raw(strs, 1, 1 << 24, 4, 32, 0, 3 << 24, 0, 1, 1, 0xffffffff));
        byte[] longName = new byte[600];
        java.util.Arrays.fill(longName, (byte) 'n');
        longName[0] = 0;
        longName[599] = 0;
        bad.put("name of 598 characters", raw(longName, 1, typedef, 0));
        Path dir = Files.createTempDirectory("btf-corrupt");
        for (var e : bad.entrySet()) {
            Path f = dir.resolve(e.getKey().replace(' ', '_') + ".btf");
            Files.write(f, e.getValue());
            oneLineError(run(registry, "dump", "file", f.toString()), "failed to load BTF from " + f + ": ");
            assertTrue(out.isEmpty(), e.getKey() + ": nothing dumped: " + out);
        }
        // a struct of size 0xffffffff: its raw dump, and a message (not an OutOfMemoryError) for format c
        Path huge = dir.resolve("huge.btf");
        Files.write(huge, raw(strs, 1, 1 << 24, 4, 32, 3, (4 << 24) | 1, 0xffffffff, 1, 1, 0));
        assertEquals(0, run(registry, "dump", "file", huge.toString()));
        assertTrue(out.contains("[2] STRUCT 'b' size=4294967295 vlen=1"), out);
        oneLineError(run(registry, "dump", "file", huge.toString(), "format", "c"), "use format raw");
        // and the files that cannot be read say why, as bpftool does
        oneLineError(run(registry, "dump", "file", dir.toString()), "Is a directory");
        oneLineError(run(registry, "dump", "file", dir.resolve("none").toString()), "No such file or directory");
        oneLineError(run(registry, "compile", dir.toString()), "cannot read " + dir + ": Is a directory");
        Path binary = dir.resolve("binary.h");
        Files.write(binary, new byte[] {'i', 'n', 't', (byte) 0xff, (byte) 0xfe, 0});
        oneLineError(run(registry, "compile", binary.toString()), "not a text file (byte 3 is not UTF-8)");
    }

    @Test
    void helpAndUsageErrors() {
        assertEquals(0, run(registry, "--help"));
        assertTrue(out.startsWith("Usage: btf "), out);
        assertEquals(1, run(registry));
        assertTrue(err.startsWith("Usage: btf "));
        // './bpf-osgi btf dump --help' reaches here as [dump, --help] (the launcher boots a machine for it)
        assertEquals(0, run(registry, "dump", "--help"));
        assertTrue(out.startsWith("Usage: btf ") && out.contains("FORMAT  := { raw | c }"), out);
        oneLineError(run(registry, "dump", "id"), "expected 'id BTF_ID'");
        oneLineError(run(registry, "frobnicate"), "unknown command 'frobnicate'");
        oneLineError(run(registry, "list", "extra"), "'list' expects 0 argument(s)");
    }
}
