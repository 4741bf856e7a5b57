package org.bpfosgi.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The kit boots a machine from the bundles inside its own jar. */
@ExtendWith(MachineExtension.class)
class MachineTest {

    @Test
    void bootsWithTestmodAndUnloadsIt(Machine m) {
        LoadResult prog = m.load(Path.of(System.getProperty("bpfosgi.examples", "../../examples"), "test_prologue.s"));
        assertTrue(prog.ok(), prog.log());
        ModuleView pinned = m.module("bpf_testmod").orElseThrow();
        assertEquals(1, pinned.refcount(), pinned.holders().toString());
        Machine.Result refused = m.rmmod("bpf_testmod");
        assertEquals(1, refused.status());
        assertTrue(refused.out().startsWith("rmmod: ERROR: Module bpf_testmod is in use"), refused.out());
        assertTrue(m.run("prog free id " + prog.progId()).ok());
        assertEquals(0, m.module("bpf_testmod").orElseThrow().refcount());
        assertTrue(m.rmmod("bpf_testmod").ok());
        assertTrue(m.module("bpf_testmod").isEmpty());
        assertTrue(m.insmod(m.subsystemJar("bpf_testmod")).ok());
        // lsmod always prints its header: the module's own line is what shows the insmod
        String lsmod = m.run("lsmod").out();
        assertTrue(lsmod.lines().anyMatch(l -> l.startsWith("bpf_testmod ")), lsmod);
        assertTrue(m.module("bpf_testmod").isPresent());
    }

    @Test
    void builtinSubsystemLoadedAsAModuleCanBeRemoved() {
        try (Machine m = Machine.builder().load().modular("bpf_qdisc").boot()) {
            String lsmod = m.run("lsmod").out();
            assertTrue(lsmod.lines().anyMatch(l -> l.startsWith("bpf_qdisc ")), lsmod);
            assertTrue(m.run("subsystems").out().contains("bpf_qdisc      module   live     8"), m.run("subsystems").out());
            // as a module its header is split module BTF, and its struct_ops were registered against it
            assertTrue(m.run("btf list").out().contains("name [bpf_qdisc]"), m.run("btf list").out());
            assertFalse(m.dmesg().stream().anyMatch(l -> l.contains("no BTF")), m.dmesg().toString());
            assertTrue(m.rmmod("bpf_qdisc").ok());
        }
    }
}
