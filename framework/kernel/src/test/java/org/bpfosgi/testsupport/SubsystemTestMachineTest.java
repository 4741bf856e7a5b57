package org.bpfosgi.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.module.Module;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.Test;

/** The machine qdisc-bundle's and tcpcc-bundle's tests share, with bpf_testmod as its subsystem. */
class SubsystemTestMachineTest {
    private static final String HEADER = SubsystemTestMachine.resource(SubsystemTestMachineTest.class, "/bpf/bpf_testmod.h");

    @Test
    void aSubsystemInsertedAsAModuleHasSplitBtfAndRegisters() {
        SubsystemTestMachine m = new SubsystemTestMachine(VmlinuxBtf.builtin());
        Module mod = m.insertModule("bpf_testmod", "bpf_testmod.h", HEADER, new BpfTestmod());
        assertEquals("bpf_testmod", mod.name());
        assertTrue(m.btf.moduleBtf("bpf_testmod").isPresent(), "split BTF made at COMING");
        assertTrue(m.modules.find("bpf_testmod").isPresent());
    }

    @Test
    void aBuiltinSubsystemExtendsVmlinuxAndAFailedInitcallIsNamed() {
        SubsystemTestMachine m = new SubsystemTestMachine(VmlinuxBtf.builtin());
        int before = m.btf.vmlinuxBtf().nrTypes();
        BpfTestmod sub = new BpfTestmod();
        m.registerBuiltin("bpf_testmod", "bpf_testmod.h", HEADER, sub, "bpf_testmod_init");
        assertNotEquals(before, m.btf.vmlinuxBtf().nrTypes(), "the header's types are folded into vmlinux");
        assertTrue(m.modules.find("bpf_testmod").isEmpty(), "built in: no module");
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> m.registerBuiltin("bpf_testmod2", "bpf_testmod.h", HEADER, sub, "bpf_testmod_init"));
        assertTrue(again.getMessage().startsWith("bpf_testmod_init returned -"), again.getMessage());
        assertThrows(IllegalStateException.class, () -> SubsystemTestMachine.resource(SubsystemTestMachineTest.class, "/nope.h"));
    }
}
