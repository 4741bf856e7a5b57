package org.bpfosgi.race;

import java.util.List;

import org.junit.jupiter.api.Test;

class RaceScratchTest {
    @Test
    void print() throws Exception {
        Scenario sc = Scenario.read(RaceTestModules.EXAMPLES.resolve("forced-unload-during-load.race"));
        Explorer.Replayed r = Explorer.replay(sc, RaceTestModules.testmod(), java.util.Optional.empty(), "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000".substring(0, 1));
    }
    @Test
    void all() throws Exception {
        for (String f : List.of("prologue-kfunc-window.race", "forced-unload-during-load.race", "unload-during-load.race")) {
            Scenario sc = Scenario.read(RaceTestModules.EXAMPLES.resolve(f));
            System.out.println(RaceCli.table(Explorer.explore(sc, RaceTestModules.testmod(), Explorer.Options.all()), true));
        }
    }
}
