package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.host.Host;
import org.junit.jupiter.api.Test;

/**
 * The {@code race} command of a booted machine: its race machines read bpf_testmod from the
 * bundle jar (no Felix per schedule) and give the same outcome table as the kernel's golden
 * test, which builds them from the bundle's classes directly.
 */
class RaceCommandIntegrationTest {
    @Test
    void exploreAndReplayThroughTheShell() throws Exception {
        Path repo = Path.of(System.getProperty("bpfosgi.repo", "../.."));
        Path scenario = repo.resolve("examples/race/prologue-kfunc-window.race").toAbsolutePath();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int explore;
        int replay;
        ByteArrayOutputStream replayOut = new ByteArrayOutputStream();
        try (Host host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, Optional.empty(),
                List.of("bpf_testmod"), List.of()))) {
            explore = host.execute("race explore " + scenario + " --all", new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            replay = host.execute("race replay " + scenario + " --schedule 0111011",
                    new PrintStream(replayOut, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        }
        assertEquals(0, explore, err.toString(StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8).replaceAll("(?m)^time: .*\\R", "");
        assertEquals(Files.readString(repo.resolve("examples/race/prologue-kfunc-window.outcomes")), table);
        assertEquals(0, replay, err.toString(StandardCharsets.UTF_8));
        String r = replayOut.toString(StandardCharsets.UTF_8);
        assertTrue(r.contains("   2  A1  start -> delete_module:locked"), r);
        assertTrue(r.contains("A0 prog load no-kfunc.s policy seed: -ENOTSUPP \"struct_ops module bpf_testmod is not found\""), r);
    }
}
