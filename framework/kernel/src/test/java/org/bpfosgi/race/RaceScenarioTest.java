package org.bpfosgi.race;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The example scenarios (examples/race/*.race): every schedule explored, the outcome table equal
 * to its golden file ({@code NAME.outcomes}; regenerate with {@code -Drace.golden.update=true}),
 * the invariants held, and each outcome's replay string giving that outcome again.
 */
class RaceScenarioTest {
    private static final RaceModules TESTMOD = RaceTestModules.testmod();

    private static Explorer.Report exploreGolden(String name) throws IOException {
        Scenario sc = Scenario.read(RaceTestModules.EXAMPLES.resolve(name + ".race"));
        Explorer.Report r = Explorer.explore(sc, TESTMOD, Explorer.Options.all());
        String table = RaceCli.table(r, false);
        Path golden = RaceTestModules.EXAMPLES.resolve(name + ".outcomes");
        if (Boolean.getBoolean("race.golden.update")) {
            Files.writeString(golden, table, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), table, "outcome table of " + name);
        assertTrue(r.violations().isEmpty(), table);
        for (Explorer.Outcome o : r.outcomes()) {
            Explorer.Replayed again = Explorer.replay(sc, TESTMOD, Optional.empty(), o.replay());
            assertEquals(o.lines(), again.outcome(), "replay of " + o.replay());
            assertEquals(o.replay(), again.schedule());
        }
        return r;
    }

    private static boolean ok(Explorer.Outcome o, int actor) {
        return o.lines().get(actor).contains(": ok");
    }

    /** Scenario 1: a load and rmmod never both succeed; each failed load has the kernel's errno. */
    @Test
    void unloadDuringLoad() throws IOException {
        Explorer.Report r = exploreGolden("unload-during-load");
        assertTrue(r.outcomes().size() > 1);
        for (Explorer.Outcome o : r.outcomes()) {
            boolean rmmodOk = ok(o, 2);
            assertFalse(rmmodOk && (ok(o, 0) || ok(o, 1)), "an unload and a load both succeeded: " + o);
            if (!rmmodOk) {
                assertTrue(o.lines().get(2).endsWith("-EWOULDBLOCK"), o.toString());
            }
        }
        assertTrue(r.outcomes().stream().anyMatch(o -> ok(o, 2)), "rmmod wins in some schedule");
        assertTrue(r.outcomes().stream().anyMatch(o -> ok(o, 0) && ok(o, 1)), "the loads win in some schedule");
    }

    /** Scenario 2: attach_btf_mod covers the window up to the pro/epilogue try_module_get. */
    @Test
    void prologueKfuncWindow() throws IOException {
        Explorer.Report r = exploreGolden("prologue-kfunc-window");
        for (Explorer.Outcome o : r.outcomes()) {
            assertFalse(ok(o, 0) && ok(o, 1), o.toString());
            assertFalse(o.lines().stream().anyMatch(l -> l.startsWith("use-after-free")), o.toString());
        }
    }

    /**
     * Scenario 2 with rmmod -f: only a forced unload reaches the seed's try_module_get in
     * find_kfunc_desc_btf_offset while the module is GOING, and gets its -ENXIO.
     */
    @Test
    void prologueKfuncWindowForced() throws IOException {
        Explorer.Report r = exploreGolden("prologue-kfunc-window-forced");
        assertTrue(r.outcomes().stream().anyMatch(o -> o.lines().get(0).contains(": -ENXIO")), RaceCli.table(r, false));
    }

    /** Scenario 4: a forced unload mid-verification; every use of freed module memory is reported, with taint R. */
    @Test
    void forcedUnloadDuringLoad() throws IOException {
        Explorer.Report r = exploreGolden("forced-unload-during-load");
        boolean uaf = false;
        for (Explorer.Outcome o : r.outcomes()) {
            if (o.lines().stream().anyMatch(l -> l.startsWith("use-after-free"))) {
                uaf = true;
                assertTrue(o.lines().contains("taint: [R]"), o.toString());
            }
        }
        assertTrue(uaf, "some schedule uses the freed module");
        assertTrue(r.outcomes().stream().anyMatch(o -> o.lines().stream()
                .anyMatch(l -> l.startsWith("use-after-free: VerifierOps."))), "the verifier calls freed module code");
    }

    /**
     * The reduction is sound here: exploring every interleaving with it off finds exactly the
     * outcomes found with it on (scenario 2: 1340 schedules without, 22 with).
     */
    @Test
    void theReductionLosesNoOutcome() throws IOException {
        Scenario sc = Scenario.read(RaceTestModules.EXAMPLES.resolve("prologue-kfunc-window.race"));
        Explorer.Report on = Explorer.explore(sc, TESTMOD, Explorer.Options.all());
        Explorer.Report off = Explorer.explore(sc, TESTMOD, Explorer.Options.all().withReduction(false));
        Set<List<String>> a = new HashSet<>();
        on.outcomes().forEach(o -> a.add(o.lines()));
        Set<List<String>> b = new HashSet<>();
        off.outcomes().forEach(o -> b.add(o.lines()));
        assertEquals(b, a);
        assertTrue(off.schedules() > 10 * on.schedules(), on.schedules() + " with, " + off.schedules() + " without");
    }

    /** Scenario 6: a bundle stop is a forced unload; the uses of freed module memory are reported. */
    @Test
    void gogoStopDuringLoad() throws IOException {
        Explorer.Report r = exploreGolden("gogo-stop-during-load");
        for (Explorer.Outcome o : r.outcomes()) {
            assertTrue(ok(o, 1), o.toString());
            assertTrue(o.lines().contains("taint: [R]"), o.toString());
        }
        assertTrue(r.outcomes().stream().anyMatch(o -> o.lines().stream().anyMatch(l -> l.startsWith("use-after-free"))));
    }

    /**
     * Scenario 3: obj load of a struct_ops map × rmmod × insmod. Either the map registered and
     * pins the module (rmmod -EWOULDBLOCK), or rmmod won and the load failed; never both
     * succeed; no use after free; the invariants (BTF ids of the re-inserted module never alias)
     * held in every schedule.
     */
    @Test
    void mapRmmodInsmod() throws IOException {
        Explorer.Report r = exploreGolden("map-rmmod-insmod");
        assertTrue(r.outcomes().stream().anyMatch(o -> ok(o, 0) && o.lines().get(1).endsWith("-EWOULDBLOCK")),
                "a registered map pins the module in some schedule");
        for (Explorer.Outcome o : r.outcomes()) {
            // both succeed only when the map was made against the re-inserted module
            assertFalse(ok(o, 0) && ok(o, 1) && !ok(o, 2), "the map registered and rmmod succeeded: " + o);
            if (ok(o, 0) && !ok(o, 1)) {
                assertTrue(o.lines().get(1).endsWith("-EWOULDBLOCK"), o.toString());
            }
            if (!ok(o, 0)) {
                assertTrue(ok(o, 1), "the load failed though rmmod did not win: " + o);
            }
            assertFalse(o.lines().stream().anyMatch(l -> l.startsWith("use-after-free")), o.toString());
        }
        assertTrue(r.outcomes().stream().anyMatch(o -> ok(o, 0)), "the map wins in some schedule");
        assertTrue(r.outcomes().stream().anyMatch(o -> ok(o, 1) && !ok(o, 0)), "rmmod wins in some schedule");
    }

    /**
     * Scenario 5: emit-call with unsafe-module-calls, a registered map × rmmod × prog run. The
     * registered map pins the module, so an unforced rmmod never frees it under the run: no use
     * after free in any schedule, and the run's result is the same in each.
     */
    @Test
    void emitCallUnsafe() throws IOException {
        Explorer.Report r = exploreGolden("emit-call-unsafe");
        for (Explorer.Outcome o : r.outcomes()) {
            assertTrue(o.lines().get(0).endsWith("-EWOULDBLOCK"), o.toString());
            assertTrue(ok(o, 1), o.toString());
            assertFalse(o.lines().stream().anyMatch(l -> l.startsWith("use-after-free")), o.toString());
        }
    }

    /**
     * Scenario 5 forced: every schedule where the run reaches module code after rmmod -f freed the
     * module reports a use-after-free naming the function called; a run that finished first
     * reports none.
     */
    @Test
    void emitCallUnsafeForced() throws IOException {
        Explorer.Report r = exploreGolden("emit-call-unsafe-forced");
        boolean uaf = false;
        for (Explorer.Outcome o : r.outcomes()) {
            assertTrue(ok(o, 0), o.toString());
            List<String> reports = o.lines().stream().filter(l -> l.startsWith("use-after-free")).toList();
            if (!reports.isEmpty()) {
                uaf = true;
                assertTrue(o.lines().contains("taint: [R]"), o.toString());
            }
            // the run after the free: its last step comes after rmmod's step that reached delete_module:freed
            Explorer.Replayed again = Explorer.replay(Scenario.read(RaceTestModules.EXAMPLES.resolve("emit-call-unsafe-forced.race")),
                    TESTMOD, Optional.empty(), o.replay());
            int freed = -1;
            int lastRun = -1;
            for (int k = 0; k < again.trace().size(); k++) {
                String step = again.trace().get(k);
                if (step.contains("A0") && step.contains("-> delete_module:freed")) {
                    freed = k;
                }
                if (step.contains("A1")) {
                    lastRun = k;
                }
            }
            assertTrue(freed >= 0 && lastRun >= 0, String.join("\n", again.trace()));
            boolean runAfterFree = lastRun > freed;
            if (runAfterFree) {
                assertTrue(o.lines().get(1).matches(".*use after free: bpf_kfunc_\\w+ of module bpf_testmod was unloaded"),
                        o.toString());
            } else {
                assertTrue(o.lines().get(1).endsWith(": ok, retval 1121"), o.toString());
            }
        }
        assertTrue(uaf, "some schedule runs freed module code");
    }

    /** Seeded PCT schedules: reproducible, and every outcome they find is one the exhaustive search found. */
    @Test
    void randomSchedulesAreReproducibleAndCovered() throws IOException {
        Scenario sc = Scenario.read(RaceTestModules.EXAMPLES.resolve("forced-unload-during-load.race"));
        Explorer.Report all = Explorer.explore(sc, TESTMOD, Explorer.Options.all());
        Explorer.Report a = Explorer.explore(sc, TESTMOD, Explorer.Options.random(25, 7));
        Explorer.Report b = Explorer.explore(sc, TESTMOD, Explorer.Options.random(25, 7));
        assertEquals(RaceCli.table(a, false), RaceCli.table(b, false));
        assertEquals(25, a.schedules());
        Set<List<String>> exhaustive = new HashSet<>();
        all.outcomes().forEach(o -> exhaustive.add(o.lines()));
        for (Explorer.Outcome o : a.outcomes()) {
            assertTrue(exhaustive.contains(o.lines()), "PCT found an outcome the exhaustive search missed: " + o);
        }
        assertTrue(a.outcomes().size() > 1, RaceCli.table(a, false));
    }

    /** A schedule naming an actor that cannot run is refused, with the step and where the actor is. */
    @Test
    void aBadScheduleIsRefused() throws IOException {
        Scenario sc = Scenario.read(RaceTestModules.EXAMPLES.resolve("prologue-kfunc-window.race"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Explorer.replay(sc, TESTMOD, Optional.empty(), "11111111"));
        assertTrue(e.getMessage().contains("schedule step 6: actor 1 cannot run (exit)"), e.getMessage());
        IllegalArgumentException short_ = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Explorer.replay(sc, TESTMOD, Optional.empty(), "0"));
        assertTrue(short_.getMessage().contains("the schedule ends after 1 steps but actors are left"), short_.getMessage());
    }
}
