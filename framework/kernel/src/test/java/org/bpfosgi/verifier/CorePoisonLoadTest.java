package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt;
import org.bpfosgi.btf.ExtObjects;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.obj.core.BpfCoreRelocator;
import org.bpfosgi.obj.core.CoreLogLine;
import org.bpfosgi.obj.core.CoreTargets;
import org.bpfosgi.obj.core.ProgBtfExtInfo;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.BpfProgType;
import org.junit.jupiter.api.Test;

/**
 * End to end on core_poison.o: the CO-RE pass poisons an unguarded read of a missing field, the
 * verifier reaches the 0xbad2310 call, and libbpf's fixup_log_failed_core_relo() rewrites the log;
 * the result is compared with the live kernel + libbpf log of the same object
 * (golden/core_poison.verifier-log.txt).
 */
class CorePoisonLoadTest {
    @Test
    void poisonedLoadFailsWithLibbpfsRewrittenLog() {
        BtfExt ext = ExtObjects.ext("core_poison");
        Btf min = Btf.parse(ExtObjects.bytes("golden/vmlinux.min.btf"));
        List<Insn> insns = ExtObjects.insns("core_poison", "syscall");
        List<BpfCoreRelocator.ProgRelo> relos = new ArrayList<>();
        List<BtfExt.CoreRelo> recs = ext.coreRelos("syscall");
        for (int i = 0; i < recs.size(); i++) {
            relos.add(new BpfCoreRelocator.ProgRelo(i, recs.get(i)));
        }
        BpfCoreRelocator.Result core = new BpfCoreRelocator(ext.btf(), CoreTargets.vmlinuxOnly(min))
                .relocate("core_poison", insns, relos);
        assertEquals(new Insn(0x85, 0, 0, 0, BpfCoreRelocator.POISON_IMM), core.insns().get(0));
        ProgBtfExtInfo info = new ProgBtfExtInfo(ext);
        ProgBtfExtInfo.Prog p = new ProgBtfExtInfo.Prog("core_poison", "syscall", 0, insns.size(), 0);
        List<CoreLogLine> log = new ArrayList<>();
        assertEquals(0, info.add(p, p, log));
        BpfProgLoadAttr attr = new BpfProgLoadAttr(BpfProgType.SYSCALL, core.insns(), "GPL", "core_poison", null, 0, 0,
                null, 2, BpfProgLoadAttr.BPF_F_SLEEPABLE, BpfProgLoadAttr.CAPS_ROOT, info.toLoadInfo());
        ProgLoadResult r = new TestKernel().progs.load(attr);
        assertEquals(-22, r.err(), r.log());
        List<String> fixed = BpfCoreRelocator.fixupLogFailedCoreRelo("core_poison", ext.btf(),
                List.of(r.log().split("\n")), core.relocations());
        List<String> golden = List.of(ExtObjects.text("golden/core_poison.verifier-log.txt").split("\n"));
        int g = golden.indexOf("0: <invalid CO-RE relocation>");
        int m = fixed.indexOf("0: <invalid CO-RE relocation>");
        assertTrue(g > 0 && m > 0, String.join("\n", fixed));
        // the source line before it, the rewritten pair itself
        assertEquals(golden.subList(g - 1, g + 2), fixed.subList(m - 1, m + 2));
        assertEquals("failed to resolve CO-RE relocation <byte_off> [5] struct task_struct___nope.no_such_field "
                + "(0:0 @ offset 0)", fixed.get(m + 1));
    }
}
