package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.structops.StructOpsKernel;
import org.junit.jupiter.api.Test;

/**
 * Why a FIFO qdisc needs {@code struct sk_buff __kptr *} slots and bpf_kptr_xchg(): storing the
 * skb pointer into a plain map value (allowed for root: allow_ptr_leaks, so no "leaks addr into
 * map") does not hand its reference over, so the enqueue still leaks it ("Unreleased reference
 * id=1 alloc_insn=0", check_reference_leak()). bpf_kptr_xchg() into a kptr field of a map created
 * with value BTF moves the reference into the map (release_reference_state()), and the program
 * verifies; {@link QdiscFifoTest} runs the whole FIFO.
 */
class QdiscSkbInMapTest {
    @Test
    void storingTheSkbInAPlainMapValueStillLeaksItsReference() {
        QdiscMachine m = new QdiscMachine();
        StructOpsKernel k = new StructOpsKernel(m.pk, m.dmesg::add);
        MapTable.CreateResult map = k.maps().create(MapCreateAttr.of(BpfMapType.ARRAY, "fifo", 4, 8, 4, 0));
        assertTrue(map.map() != null, "map create: " + map.err());
        String text = """
                .license "GPL"
                .struct_ops Qdisc_ops.enqueue
                enqueue:
                    r6 = *(u64 *)(r1 +0)
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = fifo ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto drop
                    *(u64 *)(r0 +0) = r6
                    r0 = 0
                    exit
                drop:
                    r1 = r6
                    call bpf_kfree_skb
                    r0 = 1
                    exit
                """;
        int fd = map.map().id();
        ProgLoadResult r = m.pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, "enqueue.s"), Optional.empty(), 1,
                m.pk.services(), name -> fd));
        assertFalse(r.ok(), r.log());
        assertEquals(Errno.EINVAL, r.errno().orElseThrow());
        assertTrue(r.log().contains("8: (7b) *(u64 *)(r0 +0) = r6"), r.log());
        assertTrue(r.log().contains("Unreleased reference id=1 alloc_insn=0\n"), r.log());
    }

    @Test
    void xchgIntoAKptrFieldHandsTheReferenceToTheMap() {
        QdiscFifo f = new QdiscFifo(new QdiscMachine(), 4);
        ProgLoadResult r = f.load("enqueue", QdiscFifo.xchgSkbIntoSlot0("fifo"));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("10: (85) call bpf_kptr_xchg#194       ; R0=ptr_or_null_sk_buff(id=4,ref_obj_id=4) refs=4\n"),
                r.log());
    }
}
