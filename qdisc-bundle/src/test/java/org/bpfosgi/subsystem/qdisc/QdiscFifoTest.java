package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.verifier.BtfField;
import org.bpfosgi.verifier.BtfRecord;
import org.junit.jupiter.api.Test;

/**
 * The FIFO qdisc ({@link QdiscFifo}) loaded, verified and driven by a simulated packet stream:
 * the skbs' {@code users} counts and QdiscKfuncs' record of freed skbs show where every skb went
 * (dequeued in order, dropped into to_free, or freed by reset / by the map's dtor
 * bpf_kfree_skb_dtor: register_btf_id_dtor_kfuncs(), net/sched/bpf_qdisc.c v6.16).
 */
class QdiscFifoTest {
    private final QdiscMachine m = new QdiscMachine();
    private final QdiscFifo f = new QdiscFifo(m, 4);
    private final QdiscKfuncs kf = m.qdisc.kfuncs();

    @Test
    void theRingMapHasOneReferencedSkbKptrPerValueWithTheDtor() {
        BtfRecord rec = f.ring.record();
        assertNotNull(rec, "map_check_btf(): btf_parse_fields() found the kptr");
        assertEquals(0, rec.err());
        assertEquals(1, rec.fields().size());
        BtfField fld = rec.fields().get(0);
        assertEquals(BtfField.Type.KPTR_REF, fld.type());
        assertEquals(0, fld.offset());
        assertEquals("sk_buff", fld.kptrBtf().btf().name(fld.kptrBtfId()));
        assertEquals("vmlinux", fld.kptrBtf().name());
        assertEquals("bpf_kfree_skb_dtor", fld.dtor().name(), "btf_find_dtor_kfunc(): the dtor bpf_qdisc registered");
    }

    @Test
    void packetsLeaveInOrderOverflowIsDroppedAndResetFreesTheRest() {
        BpfProg enq = f.loadOk("enqueue", f.enqueue());
        BpfProg deq = f.loadOk("dequeue", f.dequeue());
        BpfProg reset = f.loadOk("reset", f.reset());
        // do_misc_fixups() inlined every bpf_kptr_xchg (v6.12, JIT requested): the runs below
        // move the skbs with the interpreter's atomic64_xchg, not the helper's body
        for (BpfProg p : List.of(enq, deq, reset)) {
            List<String> x = org.bpfosgi.prog.XlatedDump.lines(p, m.pk.services().kallsyms(), false);
            assertTrue(x.stream().noneMatch(l -> l.contains("call bpf_kptr_xchg")), String.join("\n", x));
            assertEquals(p == reset ? 4 : 1, x.stream().filter(l -> l.contains("r0 = atomic64_xchg((u64 *)(r1 +0), r0)")).count(),
                    String.join("\n", x));
        }
        long sch = f.qdisc(1000);
        long toFree;
        synchronized (f.k.lock()) {
            toFree = f.k.memory().allocate("to_free", 8, org.bpfosgi.vm.Region.Access.READ_WRITE).start();
        }
        List<Long> skbs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            skbs.add(f.skb(100 + i));
        }
        // enqueue 6 into a ring of 4: the last two are dropped into to_free (NET_XMIT_DROP = 1)
        for (int i = 0; i < 6; i++) {
            assertEquals(i < 4 ? 0 : 1, f.run(enq, skbs.get(i), sch, toFree), "enqueue #" + i);
        }
        assertEquals(4, f.mem.readU32(sch + f.t.qdiscQlen));
        assertEquals(2, f.mem.readU32(sch + f.dropsOff()), "qstats.drops");
        assertEquals(skbs.get(5), f.mem.readU64(toFree), "__qdisc_drop(): the last drop heads to_free");
        kf.kfreeSkbList(f.mem, f.mem.readU64(toFree)); // what the qdisc layer does after enqueue
        assertEquals(List.of(skbs.get(5), skbs.get(4)), kf.freedSkbs());
        // dequeue two, in order: the returned reference is the caller's, bstats counts them
        assertEquals(skbs.get(0), f.run(deq, sch));
        assertEquals(skbs.get(1), f.run(deq, sch));
        assertEquals(2, f.mem.readU32(sch + f.t.qdiscQlen));
        assertEquals(201, f.mem.readU64(sch + f.t.qdiscBstatsBytes));
        assertEquals(2, f.mem.readU64(sch + f.t.qdiscBstatsPackets));
        for (long s : skbs.subList(0, 4)) {
            assertEquals(1, f.mem.readU32(s + f.t.skbUsers), "no reference was taken or dropped on the way");
        }
        // one more in, wrapping the ring into slot 0; then reset frees the three left in slot order, none twice
        long late = f.skb(300);
        assertEquals(0, f.run(enq, late, sch, toFree));
        f.run(reset, sch);
        assertEquals(List.of(skbs.get(5), skbs.get(4), late, skbs.get(2), skbs.get(3)), kf.freedSkbs());
        assertEquals(0, f.mem.readU32(sch + f.t.qdiscQlen));
        assertEquals(0, f.run(deq, sch), "empty after reset: NULL");
        assertFalse(kf.isFreed(skbs.get(0)), "dequeued skbs belong to the caller");
    }

    @Test
    void freeingTheMapFreesTheSkbsStillInItWithTheDtor() {
        BpfProg enq = f.loadOk("enqueue", f.enqueue());
        long sch = f.qdisc(1000);
        long a = f.skb(60);
        long b = f.skb(70);
        f.run(enq, a, sch, 0);
        f.run(enq, b, sch, 0);
        // the user's lookup sees the kptr as 0 (bpf_map_copy_value(): check_and_init_map_value())
        assertEquals(0, java.nio.ByteBuffer.wrap(f.ring.lookupUser(0)).getLong());
        assertTrue(kf.freedSkbs().isEmpty());
        f.k.maps().close(f.ring.id());
        assertFalse(f.ring.isFreed(), "the program still holds the map");
        m.pk.progs().free(enq.id());
        assertTrue(f.ring.isFreed());
        assertEquals(List.of(a, b), kf.freedSkbs(), "array_map_free(): bpf_obj_free_fields() called bpf_kfree_skb_dtor");
    }

    @Test
    void aUserUpdateOfASlotReleasesTheSkbItHeld() {
        BpfProg enq = f.loadOk("enqueue", f.enqueue());
        long sch = f.qdisc(1000);
        long a = f.skb(60);
        f.run(enq, a, sch, 0);
        assertEquals(0, f.k.maps().update(f.ring.id(), new byte[4], new byte[8], 0));
        assertEquals(List.of(a), kf.freedSkbs(), "array_map_update_elem(): copy_map_value(), then bpf_obj_free_fields()");
    }
}
