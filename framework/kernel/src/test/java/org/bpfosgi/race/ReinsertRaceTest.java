package org.bpfosgi.race;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * rmmod × insmod of the same module, with a load: the insmod waits for module_mutex at the
 * named point module_mutex:wait while rmmod holds it (parked), and a re-inserted module's BTF
 * gets a new id (the no-alias invariant is checked at every point).
 */
class ReinsertRaceTest {
    @Test
    void rmmodAndInsmodOfTheSameModule() throws IOException {
        Scenario sc = Scenario.parse("reinsert", List.of(
                "insmod bpf_testmod",
                "actor rmmod bpf_testmod",
                "actor insmod bpf_testmod",
                "actor prog load body-kfunc.s"), RaceTestModules.EXAMPLES);
        Explorer.Report r = Explorer.explore(sc, RaceTestModules.testmod(), Explorer.Options.all());
        String table = RaceCli.table(r, false);
        assertTrue(r.violations().isEmpty(), table);
        assertTrue(r.outcomes().stream().anyMatch(o -> o.lines().get(1).endsWith(": ok")
                && o.lines().contains("lsmod: bpf_testmod Live refcount 0")), "rmmod then insmod again:\\n" + table);
        assertTrue(r.outcomes().stream().anyMatch(o -> o.lines().get(1).endsWith(": -EEXIST")), table);
        assertTrue(r.outcomes().stream().noneMatch(o -> o.lines().stream().anyMatch(l -> l.startsWith("stuck"))), table);
    }
}
