package org.bpfosgi.race;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.bpfosgi.subsystem.testmod.BpfTestmod;

/** bpf_testmod for race machines in tests: its header from the bundle's resources, a fresh object per machine. */
final class RaceTestModules {
    static final Path EXAMPLES = Path.of("../../examples/race");

    private RaceTestModules() {
    }

    static RaceModules testmod() {
        String header;
        try (InputStream in = RaceTestModules.class.getResourceAsStream("/bpf/bpf_testmod.h")) {
            header = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RaceModules.of(Map.of("bpf_testmod",
                new RaceModules.ModuleDef("bpf_testmod", "bpf_testmod.h", header, BpfTestmod::new)));
    }
}
