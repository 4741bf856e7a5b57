package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.bpfosgi.obj.BpfObject;
import org.bpfosgi.obj.ObjLoader;
import org.bpfosgi.obj.elf.ElfObject;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.verifier.BtfField;
import org.junit.jupiter.api.Test;

/**
 * A clang-built object with a referenced kptr in a {@code .maps} value
 * ({@code struct sk_buff __kptr *}: framework/kernel's src/test/bpf/elf-loader/kptr_ref.c) loaded
 * as libbpf 1.5 loads it, on a machine with bpf_qdisc built in: its register_btf_id_dtor_kfuncs()
 * gives sk_buff the destructor bpf_kfree_skb_dtor, so BPF_BTF_LOAD takes the object's BTF
 * (btf_parse_struct_metas()), map_create() with btf_fd and the value type makes the field a
 * BPF_KPTR_REF with that destructor, and the program's load of the kptr is an untrusted pointer it
 * may dereference after its NULL check. (The live 6.18 machine has no bpf_qdisc, so there the BTF
 * is refused: framework/kernel's ElfMapBtfTest compares that case.)
 */
class QdiscElfKptrObjectTest {
    private final QdiscMachine m = new QdiscMachine();
    private final StructOpsKernel k = new StructOpsKernel(m.pk, m.dmesg::add);

    @Test
    void aReferencedSkbKptrInAnElfMapHasItsDestructor() {
        Path o = Path.of("../framework/kernel/src/test/resources/org/bpfosgi/obj/elf/kptr_ref.o");
        ElfObject e = ElfObject.open(o);
        BpfObject obj = ObjLoader.load(e.toOpened(), e.name(), null, k);
        assertEquals(java.util.List.of(), obj.log(), "the BTF loaded, no map retried");
        BpfMap slots = obj.map("slots");
        assertNotNull(slots.record());
        assertEquals(0, slots.record().err());
        BtfField f = slots.record().fields().get(0);
        assertEquals(BtfField.Type.KPTR_REF, f.type());
        assertEquals(8, f.offset());
        assertEquals("bpf_kfree_skb_dtor", f.dtor().name());
        StructOpsKernel.TestRun r = k.testRun(obj.prog("peek").id(), null, 0);
        assertTrue(r.ok(), String.valueOf(r.err()));
        assertEquals(9, r.retval()); // runs 1 + seen 5 + bias 3: the slot is empty
        int btfId = obj.btf().orElseThrow().id();
        ObjLoader.unload(obj, k);
        assertTrue(m.btf.getById(btfId).isEmpty(), "the object's BTF is freed with the object and its map");
    }
}
