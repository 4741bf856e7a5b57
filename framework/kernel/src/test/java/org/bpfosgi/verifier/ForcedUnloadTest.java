package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Oops;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;
import org.junit.jupiter.api.Test;

/**
 * rmmod -f of a module a loaded program pins: the unload proceeds (taint 'R'), the program keeps
 * its dangling references, and running it afterwards is a detected use after free, as is the
 * module_put of its kfunc_btf_tab when it is freed.
 */
class ForcedUnloadTest {
    @Test
    void aForcedUnloadLeavesADetectedUseAfterFree() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        BpfProg p = k.load(ModuleRefsTest.TEST_PROLOGUE).prog();
        ModuleTable.DeleteResult rm = k.modules.deleteModule("bpf_testmod", ModuleTable.O_TRUNC);
        assertTrue(rm.ok() && rm.forced(), rm.toString());
        assertTrue(k.modules.taints().contains(ModuleTable.TAINT_FORCED_RMMOD));
        assertTrue(k.testmod.isFreed());

        Memory m = new Memory();
        Region args = m.allocate("st_ops_args", 8, Region.Access.READ_WRITE);
        Region ctx = m.map("ctx", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(args.start()).array(),
                Region.Access.READ_ONLY);
        Outcome o = new Vm(m, Bindings.NONE).run(ProgRunner.prepare(p, k.registry.kallsyms()), ctx.start());
        assertTrue(o instanceof Oops, o.toString());
        assertTrue(((Oops) o).reason().contains("use after free: bpf_kfunc_st_ops_inc10 of module bpf_testmod"), o.toString());
        assertEquals(0, m.ld64(args.start()), "the freed kfunc never ran");

        assertTrue(k.testmod.useAfterFreeReports().isEmpty());
        k.progs.free(p.id());
        assertFalse(k.testmod.useAfterFreeReports().isEmpty(), "module_put of the kfunc_btf_tab after the module was freed");
    }
}
