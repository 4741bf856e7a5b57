package org.example.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.bpfosgi.testkit.Machine;
import org.bpfosgi.testkit.ModuleView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built bundle dropped into a running machine's deploy folder (FileInstall) becomes the
 * module hello_ops, and {@code subsystems} lists its struct_ops type and kfunc.
 */
class HelloDropInIT {
    @TempDir
    Path deploy;

    @Test
    void droppingTheJarInsertsTheModule() throws Exception {
        Path jar = Path.of(System.getProperty("hello.jar"));
        try (Machine m = Machine.builder().load().deploy(deploy).boot()) {
            Files.copy(jar, deploy.resolve("hello-subsystem.jar"));
            ModuleView hello = m.awaitModule("hello_ops", Duration.ofSeconds(30));
            assertEquals("Live", hello.state());
            String subsystems = m.run("subsystems").out();
            assertTrue(subsystems.lines().anyMatch(l -> l.startsWith("hello_ops") && l.contains("hello_ops")
                    && l.contains("module")), subsystems);
            assertTrue(m.rmmod("hello_ops").ok());
        }
    }
}
