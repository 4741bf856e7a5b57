package org.bpfosgi.obj.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt;
import org.bpfosgi.btf.ExtObjects;
import org.bpfosgi.isa.Insn;
import org.junit.jupiter.api.Test;

/**
 * Mutated {@code .BTF.ext} sections (byte flips, fixed seed) go through BtfExt.parse and, when
 * they parse, through the relocator against the minimal vmlinux BTF: each either succeeds or is
 * refused with libbpf's errno (BtfExt.ParseError, CoreReloException) — never another exception.
 */
class CoreFuzzTest {
    @Test
    void mutatedBtfExtIsParsedOrRefusedAndRelocatedOrRefused() {
        byte[] orig = ExtObjects.bytes("core_task.BTF.ext");
        Btf btf = ExtObjects.btf("core_task");
        Btf min = Btf.parse(ExtObjects.bytes("golden/vmlinux.min.btf"));
        List<Insn> insns = ExtObjects.insns("core_task", "kprobe/do_nanosleep");
        Random rnd = new Random(15);
        int parsed = 0;
        int relocated = 0;
        int refused = 0;
        for (int n = 0; n < 2000; n++) {
            byte[] d = orig.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                // mostly inside the core_relo records, where the interesting fields are
                int pos = rnd.nextInt(4) == 0 ? rnd.nextInt(d.length) : d.length - 1 - rnd.nextInt(21 * 16);
                d[pos] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : d[pos] ^ (1 << rnd.nextInt(8)));
            }
            BtfExt ext;
            try {
                ext = BtfExt.parse(d, btf);
            } catch (BtfExt.ParseError e) {
                assertTrue(e.err() < 0);
                continue;
            }
            parsed++;
            for (BtfExt.Block<BtfExt.CoreRelo> b : ext.coreReloBlocks()) {
                List<BpfCoreRelocator.ProgRelo> relos = new ArrayList<>();
                for (int i = 0; i < b.records().size(); i++) {
                    relos.add(new BpfCoreRelocator.ProgRelo(i, b.records().get(i)));
                }
                try {
                    new BpfCoreRelocator(btf, CoreTargets.vmlinuxOnly(min)).relocate("core_task", insns, relos);
                    relocated++;
                } catch (CoreReloException e) {
                    assertTrue(e.err() < 0);
                    refused++;
                }
            }
        }
        System.out.printf("CO-RE fuzz: 2000 mutants, %d parsed, %d relocated, %d refused%n", parsed, relocated, refused);
        assertTrue(parsed > 100 && relocated > 10 && refused > 10, parsed + " " + relocated + " " + refused);
    }
}
