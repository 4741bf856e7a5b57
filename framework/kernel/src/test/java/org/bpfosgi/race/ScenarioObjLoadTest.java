package org.bpfosgi.race;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void aBinaryScenarioOrObjectFileIsNamedAsNotTextNotByTheDecodersWords(@TempDir Path dir) throws IOException {
        Path bin = Files.write(dir.resolve("garbage.o"), new byte[] {'x', (byte) 0xd0, 0x12});
        IOException race = assertThrows(IOException.class, () -> Scenario.read(bin));
        assertEquals("cannot read " + bin + ": not a text file (byte 1 is not UTF-8)", race.getMessage());
        Exception obj = assertThrows(Exception.class, () -> Scenario.parse("bin.race",
                List.of("actor obj load garbage.o", "actor rmmod bpf_testmod"), dir));
        assertTrue(obj.getMessage().endsWith("cannot read " + bin + ": not a text file (byte 1 is not UTF-8)"), obj.getMessage());
    }
}
