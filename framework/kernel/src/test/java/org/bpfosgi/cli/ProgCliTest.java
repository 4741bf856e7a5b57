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

class ProgCliTest {
    @TempDir
    Path dir;
    ProgKernel pk;
    ModuleTable modules;
    final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();

    @BeforeEach
    void boot() throws Exception {
        modules = new ModuleTable(l -> { });
        BtfRegistry reg = new BtfRegistry(VmlinuxBtf.builtin(), modules);
        modules.registerNotifier(new BtfModuleNotifier(reg, l -> { }));
        pk = new ProgKernel(modules, reg);
        String header = new String(BpfTestmod.class.getResourceAsStream("/bpf/bpf_testmod.h").readAllBytes(), StandardCharsets.UTF_8);
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

    private int run(String... args) {
        outBuf.reset();
        errBuf.reset();
        return ProgCli.run(List.of(args), pk, new PrintStream(outBuf, true), new PrintStream(errBuf, true));
    }

    private String out() {
        return outBuf.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBuf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void loadShowDumpFreeAndRmmod() throws Exception {
        Path f = dir.resolve("test_prologue.s");
        Files.writeString(f, org.bpfosgi.verifier.CliFixtures.TEST_PROLOGUE);
        assertEquals(0, run("load", f.toString()), err());
        assertEquals("1\n", out());
        assertEquals(0, run("show"));
        assertTrue(out().startsWith("1: struct_ops  name test_prologue  gpl\n\tattach bpf_testmod_st_ops.test_prologue"), out());
        assertTrue(out().contains("kfunc_btf bpf_testmod(off 1)"), out());
        assertEquals(0, run("dump", "xlated", "id", "1"));
        assertTrue(out().contains("(85) call kernel-function#"), out());
        assertTrue(out().contains("(85) call pc+1"), out());
        assertEquals(Module.MODULE_REF_BASE + 1, modules.find("bpf_testmod").orElseThrow().rawRefcnt());
        assertFalse(modules.deleteModule("bpf_testmod", 0).ok());
        assertEquals(0, run("free", "id", "1"));
        assertEquals(1, run("free", "id", "1"));
        assertTrue(err().startsWith("Error: "), err());
        assertTrue(modules.deleteModule("bpf_testmod", 0).ok());
    }

    @Test
    void aFailedLoadPrintsErrnoAndLog() throws Exception {
        Path f = dir.resolve("bad.s");
        Files.writeString(f, ".license \"GPL\"\nSEC(\"struct_ops/test_prologue\")\nbad:\n r0 = r2\n exit\n");
        assertEquals(1, run("load", f.toString()));
        assertTrue(err().startsWith("Error: prog load: -EACCES (Permission denied)\n"), err());
        assertTrue(err().contains("R2 !read_ok"), err());
        assertEquals(1, run("load", f.toString(), "attach", "bpf_testmod_st_ops.test_epilogue", "log-level", "2"));
        assertTrue(err().contains("func#0 @0\n"), err());
        assertTrue(err().contains("processed 1 insns (limit 1000000)"), err());
    }

    @Test
    void userErrorsNeverThrow() {
        assertEquals(1, run());
        assertEquals(0, run("--help"));
        assertEquals(1, run("load", dir.resolve("missing.s").toString()));
        assertTrue(err().startsWith("Error: cannot read"), err());
        // a missing FILE.o with a PROGNAME: the file is named, not "'run_prologue' needs a value"
        assertEquals(1, run("load", dir.resolve("missing.o").toString(), "run_prologue"));
        assertEquals("Error: cannot read " + dir.resolve("missing.o") + ": No such file or directory\n", err());
        assertEquals(1, run("dump", "xlated", "id", "x"));
        assertEquals(1, run("dump", "xlated", "id", "7"));
        assertEquals(1, run("frobnicate"));
        assertFalse(err().contains("Exception"), err());
    }

    /** Program-text directives: errors at file:line:col, never a silent replacement or truncation. */
    @Test
    void directiveErrors() throws Exception {
        String body = "x:\n r0 = 0\n exit\n";
        String sec = "SEC(\"struct_ops/test_prologue\")\n";
        String[][] cases = {
            {".license \"GPL\n" + sec + body, "x.s:1:10: ", "unterminated string"},
            {".license \"GPL\"\n.license \"MIT\"\n" + sec + body, "x.s:2:1: ", "second .license (the first is at line 1)"},
            {".license \"GPL\"\n" + sec + sec + body, "x.s:3:1: ", "second SEC (the first is at line 2)"},
            {".license \"GPL\"\n" + sec + ".struct_ops bpf_testmod_st_ops.test_prologue\n" + body, "x.s:3:1: ", "second SEC"},
            {".license \"GPL\"\n.name \"a; b\"\n" + sec + body, "x.s:2:1: ", ".name \"a; b\": a program name is"},
            {".license \"GPL\"\n" + sec + "x:\n r0 = 0\u0001\n exit\n", "x.s:4:8: ", "control character U+0001"},
            {".license GPL v2\n" + sec + body, "x.s:1:1: ", "expected a \"string\" or one word"},
        };
        Path f = dir.resolve("x.s");
        for (String[] c : cases) {
            Files.writeString(f, c[0]);
            assertEquals(1, run("load", f.toString()), c[0]);
            assertTrue(err().startsWith("Error: " + dir + "/" + c[1]), c[2] + " / " + err());
            assertTrue(err().contains(c[2]), c[2] + " / " + err());
        }
        Files.writeString(f, ".license \"GPL\"\n" + sec + body);
        assertEquals(1, run("load", f.toString(), "attach", "bpf_testmod_st_ops.test_prologue", "attach",
                "bpf_testmod_st_ops.test_epilogue"));
        assertTrue(err().contains("'attach' given twice"), err());
        Files.write(f, new byte[] {'x', ':', (byte) 0xff, '\n'});
        assertEquals(1, run("load", f.toString()));
        assertTrue(err().contains("not a text file (byte 2 is not UTF-8)"), err());
        assertFalse(err().contains("Input length"), err());
    }

    /** The verifier log is what a log_buf of log-size bytes holds; an overflow is -ENOSPC (bpf_vlog_finalize). */
    @Test
    void theLogIsCappedLikeTheKernelsLogBuffer() throws Exception {
        Path f = dir.resolve("loop.s");
        Files.writeString(f, ".license \"GPL\"\nSEC(\"struct_ops/test_prologue\")\nl:\n r0 = 0\nx:\n r0 += 1\n if r0 != 0 goto x\n exit\n");
        assertEquals(1, run("load", f.toString()));
        assertTrue(err().length() < ProgCli.DEFAULT_LOG_SIZE + 200, "capped: " + err().length());
        assertEquals(1, run("load", f.toString(), "log-size", "4096"));
        assertTrue(err().startsWith("Error: prog load: -ENOSPC (No space left on device)\n[verifier log truncated: the last "),
                err().substring(0, Math.min(200, err().length())));
        assertTrue(err().length() < 4096 + 200, "" + err().length());
        Path ok = dir.resolve("ok.s");
        Files.writeString(ok, org.bpfosgi.verifier.CliFixtures.TEST_PROLOGUE);
        assertEquals(1, run("load", ok.toString(), "log-level", "2", "log-size", "128"), "the log does not fit: the load fails");
        assertTrue(err().startsWith("Error: prog load: -ENOSPC"), err());
        assertEquals(0, run("show"));
        assertEquals("", out(), "nothing stays loaded");
        assertEquals(1, run("load", ok.toString(), "log-size", "100"));
        assertTrue(err().contains("-EINVAL"), err());
        assertEquals(0, run("load", ok.toString(), "log-level", "2", "log-size", "1000000"), err());
        // -ENOSPC is decided inside bpf_check(): the failed loads allocated no program id
        assertTrue(out().endsWith("\n1\n"), out());
    }

    @Test
    void loaderErrors() throws Exception {
        Path f = dir.resolve("x.s");
        Files.writeString(f, ".license \"GPL\"\nx:\n r0 = 0\n exit\n");
        assertEquals(1, run("load", f.toString()));
        assertTrue(err().contains("no struct_ops member to attach to"), err());
        Files.writeString(f, ".license \"GPL\"\nSEC(\"struct_ops/test_prologue\")\nx:\n call no_such_kfunc\n r0 = 0\n exit\n");
        assertEquals(1, run("load", f.toString()));
        assertTrue(err().contains("extern (func ksym) 'no_such_kfunc': not found in kernel or module BTFs"), err());
        Files.writeString(f, "x:\n r0 = = 0\n");
        assertEquals(1, run("load", f.toString()));
        assertTrue(err().startsWith("Error: "), err());
    }
}
