package org.bpfosgi.race;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The race DSL's {@code obj load FILE autoattach MAP,...} refuses a name as {@code obj load} does. */
class ScenarioObjLoadTest {
    @Test
    void anAutoattachNameTheObjectHasNoStructOpsMapForIsAnErrorNamingTheLineAndTheName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.parse("typo.race", List.of(
                "insmod bpf_testmod",
                "# the map is st_ops_map",
                "actor obj load st_ops_map.bpf autoattach st_ops_map,st_ops_mpa",
                "actor rmmod bpf_testmod"), RaceTestModules.EXAMPLES));
        assertEquals("typo.race:3: obj load: autoattach st_ops_mpa: st_ops_map.bpf has no struct_ops map 'st_ops_mpa'",
                e.getMessage());
        // a setup line too
        IllegalArgumentException setup = assertThrows(IllegalArgumentException.class, () -> Scenario.parse("typo.race",
                List.of("obj load st_ops_map.bpf autoattach nope", "actor rmmod bpf_testmod"), RaceTestModules.EXAMPLES));
        assertEquals("typo.race:1: obj load: autoattach nope: st_ops_map.bpf has no struct_ops map 'nope'", setup.getMessage());
    }

    @Test
    void theNamesTheObjectHasAndNoneStillParse() throws IOException {
        Scenario named = Scenario.parse("ok.race", List.of("actor obj load st_ops_map.bpf autoattach st_ops_map"),
                RaceTestModules.EXAMPLES);
        assertEquals(Set.of("st_ops_map"), ((Scenario.ObjLoad) named.actors().get(0)).autoattach());
        Scenario none = Scenario.parse("ok.race", List.of("actor obj load st_ops_map.bpf autoattach none"),
                RaceTestModules.EXAMPLES);
        assertEquals(Set.of(), ((Scenario.ObjLoad) none.actors().get(0)).autoattach());
    }
}
