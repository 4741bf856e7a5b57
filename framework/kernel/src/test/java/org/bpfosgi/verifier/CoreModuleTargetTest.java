package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfExt.CoreRelo;
import org.bpfosgi.btf.BtfExt.CoreReloKind;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.obj.core.BpfCoreRelocator;
import org.bpfosgi.obj.core.CoreLogLine;
import org.bpfosgi.obj.core.CoreTargets;
import org.junit.jupiter.api.Test;

/**
 * CO-RE against the model kernel's own BTFs (CoreTargets.of(BtfRegistry)): a type only
 * bpf_testmod declares is found in that module's split BTF, named as libbpf names it, with an
 * id above vmlinux's; before the module is loaded there is no candidate.
 */
class CoreModuleTargetTest {
    @Test
    void typeOnlyAModuleHasIsFoundInItsSplitBtf() {
        Btf local = CDeclCompiler.compile("local.h", "struct st_ops_args___mine { unsigned long long pad; "
                + "unsigned long long a; };", null).btf();
        int root = local.findByNameKind("st_ops_args___mine", BtfKind.STRUCT);
        Insn mov = new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 1, 0, 0, 8);
        List<BpfCoreRelocator.ProgRelo> relos = List.of(new BpfCoreRelocator.ProgRelo(0,
                new CoreRelo(0, root, 0, "0:1", CoreReloKind.BPF_CORE_FIELD_BYTE_OFFSET)));

        TestKernel k = new TestKernel();
        BpfCoreRelocator.Result before = new BpfCoreRelocator(local, CoreTargets.of(k.btfs)).relocate("p",
                List.of(mov), relos);
        assertEquals(BpfCoreRelocator.POISON_IMM, before.insns().get(0).imm(), "no module yet: poisoned");

        k.loadTestmod();
        Btf mod = k.testmodBtf.btf();
        int id = mod.findByNameKind("st_ops_args", BtfKind.STRUCT);
        assertTrue(id >= k.btfs.vmlinuxBtf().nrTypes(), "a module's own id");
        BpfCoreRelocator.Result r = new BpfCoreRelocator(local, CoreTargets.of(k.btfs)).relocate("p", List.of(mov),
                relos);
        assertEquals(0, r.insns().get(0).imm(), "st_ops_args.a is at 0 in bpf_testmod");
        List<String> log = r.log().stream().map(CoreLogLine::text).toList();
        assertTrue(log.contains("CO-RE relocating [" + root + "] struct st_ops_args___mine: found target candidate ["
                + id + "] struct st_ops_args in [bpf_testmod]"), log.toString());
    }
}
