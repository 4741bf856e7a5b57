package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bpf-osgi CMD ARGS...}: the arguments reach the command literally. They used to be
 * re-parsed by Gogo, which ran {@code $(...)} and expanded {@code $VAR} inside them.
 */
class OneShotArgumentsTest {
    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {
    }

    private static Run main(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = Main.run(argv, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void commandSubstitutionInAnArgumentIsNotRun() {
        Run r = main("prog", "load", "$(modinfo bpf_testmod)");
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.err().contains("cannot read $(modinfo bpf_testmod): No such file or directory"), r.toString());
        assertFalse(r.out().contains("refcnt") || r.err().contains("refcnt"), "modinfo did not run: " + r);
        String jar = tmp.resolve("x$(rmmod bpf_testmod).jar").toString();
        Run i = main("insmod", jar);
        assertEquals("insmod: ERROR: could not load module " + jar + ": No such file or directory\n", i.err(), i.toString());
    }

    @Test
    void aFileNamedWithADollarIsReadAsNamed() throws Exception {
        Path prog = tmp.resolve("a$HOME.s");
        Files.copy(Path.of("../../examples/test_prologue.s"), prog);
        Run r = main("prog", "load", prog.toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("1\n", r.out());
    }

    /** stop 0 shuts the machine down: the rest of the script cannot run, so the script failed. */
    @Test
    void stopZeroInTheMiddleOfAScriptFailsIt() throws Exception {
        Path script = Files.writeString(tmp.resolve("s.gosh"), "lsmod\nstop 0\nlsmod\n");
        Run r = main("--no-load", "run", script.toString());
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.err().contains("the machine was stopped at line 2 (stop 0); 1 command not run"), r.toString());
        Path last = Files.writeString(tmp.resolve("t.gosh"), "lsmod\nstop 0\n# done\n");
        assertEquals(0, main("--no-load", "run", last.toString()).status());
    }

    @Test
    void unreadableInputsSayWhy() throws Exception {
        Run dir = main("insmod", tmp.toString());
        assertEquals("insmod: ERROR: could not load module " + tmp + ": Is a directory\n", dir.err(), dir.toString());
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        Run deploy = main("--deploy", file.toString(), "lsmod");
        assertEquals(1, deploy.status());
        assertEquals("bpf-osgi: drop-in folder " + file + ": Not a directory\n", deploy.err(), deploy.toString());
        Run script = main("run", tmp.toString());
        assertEquals("bpf-osgi: cannot read " + tmp + ": Is a directory\n", script.err());
    }
}
