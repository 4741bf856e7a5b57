package org.bpfosgi.race;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.KfuncSet;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.Test;

/**
 * An actor that blocks outside every named point (here: module_init waiting on a latch nobody
 * opens) is reported with where it is and where the others are parked, instead of hanging the
 * exploration.
 */
class StuckActorTest {
    @Test
    void anActorBlockedOutsideThePointsIsReported() throws IOException {
        String header;
        try (InputStream in = BpfTestmod.class.getResourceAsStream("/bpf/bpf_testmod.h")) {
            header = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        CountDownLatch never = new CountDownLatch(1);
        BpfSubsystem blocking = new BpfSubsystem() {
            @Override
            public List<StructOps> structOps() {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of();
            }

            @Override
            public List<KfuncSet> kfuncSets() {
                return List.of();
            }

            @Override
            public Map<String, org.bpfosgi.subsystem.Kfunc> functions() {
                return Map.of();
            }
        };
        RaceModules mods = RaceModules.of(Map.of("bpf_testmod",
                new RaceModules.ModuleDef("bpf_testmod", "bpf_testmod.h", header, () -> blocking)));
        Scenario sc = Scenario.parse("stuck", List.of("actor insmod bpf_testmod", "actor rmmod bpf_testmod"), Path.of("."));
        Explorer.Report r;
        try {
            r = Explorer.explore(sc, mods, Explorer.Options.random(1, 1));
        } finally {
            never.countDown();
        }
        assertEquals(1, r.outcomes().size());
        List<String> lines = r.outcomes().get(0).lines();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("stuck: A0 is blocked outside any named point (WAITING)")
                && l.contains("CountDownLatch.await")), lines.toString());
        // module_init is not a point of its own calls into module code (it registers under the struct_ops registry's lock)
        assertEquals("A0 insmod bpf_testmod: not finished, last point do_init_module:before_init", lines.get(0));
        assertTrue(lines.contains("lsmod: bpf_testmod Loading refcount 1 [init hold]"), lines.toString());
    }
}
