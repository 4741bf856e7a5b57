package org.bpfosgi.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kit's race API, as a subsystem author would use it for bpf_testmod. */
class RaceTest {
    private static String testmodHeader() throws IOException {
        try (InputStream in = BpfTestmod.class.getResourceAsStream("/bpf/bpf_testmod.h")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aLoadAndAnUnloadNeverBothSucceed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("body.s"), String.join("\n",
                ".license \"GPL\"",
                "SEC(\"struct_ops/test_epilogue\")",
                "r1 = *(u64 *)(r1 +0)",
                "call bpf_kfunc_st_ops_inc10",
                "r0 = 0",
                "exit", ""));
        RaceResult r = Race.with("bpf_testmod", "bpf_testmod.h", testmodHeader(), BpfTestmod::new)
                .in(dir)
                .setup("insmod bpf_testmod")
                .actor("prog load body.s")
                .actor("rmmod bpf_testmod")
                .exploreAll();
        r.assertInvariantsHeld()
                .assertNever("a load and rmmod both succeed", o -> o.ok(0) && o.ok(1))
                .assertSometimes("the load wins (rmmod refused)", o -> o.ok(0) && o.result(1).equals("-EWOULDBLOCK"))
                .assertSometimes("the unload wins", o -> o.ok(1) && !o.ok(0));
        RaceOutcome first = r.outcomes().get(0);
        List<String> replay = r.replay(first.replay());
        assertTrue(replay.containsAll(first.state()), replay.toString());
        assertTrue(replay.contains("A0 prog load body.s: " + first.result(0)), replay.toString());
        assertTrue(replay.contains("A1 rmmod bpf_testmod: " + first.result(1)), replay.toString());
        assertEquals(first.replay().length(), replay.size() - first.lines().size(), "one trace line per step");
    }
}
