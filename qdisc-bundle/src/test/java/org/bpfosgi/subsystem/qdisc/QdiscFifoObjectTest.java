package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import org.bpfosgi.obj.BpfObject;
import org.bpfosgi.obj.ObjLoader;
import org.bpfosgi.obj.elf.ElfObject;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Region;
import org.junit.jupiter.api.Test;

/**
 * examples/qdisc/fifo.bpf.o (clang-built from fifo.bpf.c by build.sh beside it) loaded as libbpf
 * 1.5 loads it: its {@code .struct_ops.link} map of type Qdisc_ops binds enqueue, dequeue, init,
 * reset and destroy, the link registers "bpf_fifo" on qdisc_base (bpf_qdisc_reg() =
 * register_qdisc()), and the same packet stream as {@link QdiscFifoTest} is driven the way the
 * qdisc layer calls a qdisc: through the function pointers of the registered {@code struct
 * Qdisc_ops} (qdisc_lookup_ops() by id) and each member's struct_ops trampoline —
 * qdisc_create()'s {@code ops->init(sch, opt, extack)}, dev_qdisc_enqueue()'s
 * {@code q->enqueue(skb, q, &to_free)} followed by kfree_skb_list(to_free) as __dev_xmit_skb()
 * does, dequeue_skb()'s {@code q->dequeue(q)}, qdisc_reset()'s {@code ops->reset(sch)} and
 * qdisc_destroy()'s {@code ops->reset} then {@code ops->destroy}. The object's unload destroys the
 * link (bpf_qdisc_unreg() = unregister_qdisc()): the id is gone from qdisc_base. A second
 * object with the same id fails at the link (register_qdisc(): -EEXIST) and leaves nothing.
 * Not modelled here: the qdisc layer's own qlen/backlog bookkeeping around the calls (the
 * program keeps q.qlen itself, as the asserted values show), the transmit path of dequeued skbs
 * (the test frees them as the driver would).
 */
class QdiscFifoObjectTest {
    private static final Path FIFO = Path.of("..", "examples", "qdisc", "fifo.bpf.o");

    private final QdiscMachine m = new QdiscMachine();
    private final StructOpsKernel k = new StructOpsKernel(m.pk, m.dmesg::add);
    private final KernelMemory mem = k.kernelMemory();
    private final QdiscTypes t = m.types();
    private final QdiscKfuncs kf = m.qdisc.kfuncs();

    private BpfObject load() {
        ElfObject e = ElfObject.open(FIFO);
        return ObjLoader.load(e.toOpened(), e.name(), null, k);
    }

    /** {@code ops->member(args...)}: the pointer read from the registered Qdisc_ops, called through its trampoline. */
    private long op(long ops, int memberOff, long... args) {
        synchronized (k.lock()) {
            long fn = mem.readU64(ops + memberOff);
            assertTrue(fn != 0, "member at " + memberOff + " is NULL");
            return mem.indirectCall(fn, args);
        }
    }

    private long alloc(String name, int size) {
        synchronized (k.lock()) {
            return k.memory().allocate(name, size, Region.Access.READ_WRITE).start();
        }
    }

    private long skb(int pktLen) {
        long s = alloc("sk_buff", 256);
        mem.writeU32(s + t.skbUsers, 1);
        mem.writeU32(s + t.skbLen, pktLen);
        mem.writeU32(s + t.skbPktLen, pktLen);
        return s;
    }

    private long qdisc() {
        long sch = alloc("Qdisc", t.qdiscPrivdata + QdiscOps.BPF_SCHED_DATA_SIZE);
        mem.writeU32(sch + t.qdiscLimit, 1000);
        mem.writeU32(sch + t.qdiscParent, QdiscTypes.TC_H_ROOT);
        return sch;
    }

    private int dropsOff() {
        return t.btf.offsetOf(t.qdiscId, "qstats.drops");
    }

    /**
     * __dev_xmit_skb(): a fresh {@code to_free} list, dev_qdisc_enqueue()'s
     * {@code q->enqueue(skb, q, &to_free)}, then kfree_skb_list(to_free). The enqueue's return;
     * a drop (NET_XMIT_DROP) must have put exactly this skb on to_free, a success nothing.
     */
    private long enqueue(long ops, long sch, long skb) {
        long toFree = alloc("to_free", 8);
        long rc = op(ops, t.opsEnqueue, skb, sch, toFree);
        long head = mem.readU64(toFree);
        if (rc == 1) {
            assertEquals(skb, head, "__qdisc_drop(): the dropped skb heads to_free");
            assertEquals(0, mem.readU64(skb + t.skbNext), "and is the only one on it");
        } else {
            assertEquals(0, head, "nothing dropped");
        }
        kf.kfreeSkbList(mem, head);
        return rc;
    }

    @Test
    void theObjectRegistersBpfFifoAndUnloadUnregistersIt() {
        BpfObject o = load();
        assertEquals(List.of(), o.log(), "the BTF loaded, no map retried");
        assertEquals(1, o.links().size());
        assertEquals(5, o.progs().size());
        assertTrue(m.ops().qdiscIds().contains("bpf_fifo"), m.ops().qdiscIds().toString());
        long ops = m.ops().lookupOps("bpf_fifo").orElseThrow();
        assertEquals(QdiscOps.BPF_SCHED_DATA_SIZE, mem.readU32(ops + t.opsPrivSize), "bpf_qdisc_init_member(): priv_size");
        assertEquals(QdiscOps.QDISC_PEEK_DEQUEUED, mem.readU64(ops + t.opsPeek), "bpf_qdisc_init_member(): peek");
        assertEquals(org.bpfosgi.verifier.BtfField.Type.KPTR_REF, o.map("ring").record().fields().get(0).type());
        ObjLoader.unload(o, k);
        assertFalse(m.ops().qdiscIds().contains("bpf_fifo"), m.ops().qdiscIds().toString());
        assertTrue(m.ops().lookupOps("bpf_fifo").isEmpty());
        assertTrue(k.maps().list().isEmpty(), "the maps are freed");
    }

    @Test
    void theSamePacketStreamThroughTheRegisteredOps() {
        BpfObject o = load();
        // do_misc_fixups() inlined every bpf_kptr_xchg (v6.12, JIT requested), as for QdiscFifoTest's programs
        for (String p : List.of("fifo_enqueue", "fifo_dequeue", "fifo_reset")) {
            List<String> x = org.bpfosgi.prog.XlatedDump.lines(o.prog(p), m.pk.services().kallsyms(), false);
            assertTrue(x.stream().noneMatch(l -> l.contains("call bpf_kptr_xchg")), String.join("\n", x));
            assertEquals(p.equals("fifo_reset") ? 4 : 1, x.stream().filter(l -> l.contains("atomic64_xchg(")).count(),
                    String.join("\n", x));
        }
        long ops = m.ops().lookupOps("bpf_fifo").orElseThrow();
        long sch = qdisc();
        long extack = alloc("extack", 64);
        // qdisc_create(): ops->init(sch, opt, extack); gen_prologue's bpf_qdisc_init_prologue ran
        assertEquals(0, op(ops, t.opsInit, sch, 0, extack));
        assertTrue(kf.watchdog(sch).isPresent(), "bpf_qdisc_init_prologue(): qdisc_watchdog_init()");
        List<Long> skbs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            skbs.add(skb(100 + i));
        }
        // 6 into a ring of 4: the last two are dropped into to_free (NET_XMIT_DROP) and freed by the caller
        for (int i = 0; i < 6; i++) {
            assertEquals(i < 4 ? 0 : 1, enqueue(ops, sch, skbs.get(i)), "enqueue #" + i);
        }
        assertEquals(4, mem.readU32(sch + t.qdiscQlen));
        assertEquals(2, mem.readU32(sch + dropsOff()), "qstats.drops");
        assertEquals(List.of(skbs.get(4), skbs.get(5)), kf.freedSkbs(), "each drop freed by kfree_skb_list after its enqueue");
        // dequeue two, in order; bstats counts them
        assertEquals(skbs.get(0), op(ops, t.opsDequeue, sch));
        assertEquals(skbs.get(1), op(ops, t.opsDequeue, sch));
        assertEquals(2, mem.readU32(sch + t.qdiscQlen));
        assertEquals(201, mem.readU64(sch + t.qdiscBstatsBytes));
        assertEquals(2, mem.readU64(sch + t.qdiscBstatsPackets));
        for (long s : skbs.subList(0, 4)) {
            assertEquals(1, mem.readU32(s + t.skbUsers), "no reference was taken or dropped on the way");
        }
        assertFalse(kf.isFreed(skbs.get(0)), "dequeued skbs belong to the caller");
        // one more in, wrapping into slot 0; qdisc_reset(): ops->reset frees the three left in slot order
        long late = skb(300);
        assertEquals(0, enqueue(ops, sch, late));
        op(ops, t.opsReset, sch);
        assertEquals(List.of(skbs.get(4), skbs.get(5), late, skbs.get(2), skbs.get(3)), kf.freedSkbs());
        assertEquals(0, mem.readU32(sch + t.qdiscQlen));
        assertEquals(0, op(ops, t.opsDequeue, sch), "empty after reset: NULL");
        // the driver consumes what was dequeued: every skb is now freed, each exactly once
        // (QdiscKfuncs.kfreeSkb throws on a second free of the same skb)
        kf.kfreeSkb(mem, skbs.get(0));
        kf.kfreeSkb(mem, skbs.get(1));
        List<Long> freed = kf.freedSkbs();
        assertEquals(7, freed.size());
        assertEquals(7, new HashSet<>(freed).size());
        // qdisc_destroy(): ops->reset, then ops->destroy (nothing left to free)
        op(ops, t.opsReset, sch);
        op(ops, t.opsDestroy, sch);
        assertEquals(7, kf.freedSkbs().size());
        ObjLoader.unload(o, k);
        assertFalse(m.ops().qdiscIds().contains("bpf_fifo"));
    }

    @Test
    void aSecondObjectWithTheSameIdIsEexistAndLeavesNothingBehind() {
        BpfObject first = load();
        int maps = k.maps().list().size();
        ObjLoader.ObjLoadException e = org.junit.jupiter.api.Assertions.assertThrows(ObjLoader.ObjLoadException.class,
                this::load);
        assertEquals(org.bpfosgi.errno.Errno.EEXIST.negative(), e.err(), e.lines().toString());
        assertEquals(List.of("map 'fifo': failed to auto-attach: -17"), e.lines());
        assertEquals(maps, k.maps().list().size(), "the failed load's maps are freed");
        assertEquals(1, m.ops().qdiscIds().stream().filter("bpf_fifo"::equals).count());
        ObjLoader.unload(first, k);
        assertFalse(m.ops().qdiscIds().contains("bpf_fifo"));
    }

    @Test
    void initUnderANonMqParentFailsThroughTheOpsTable() {
        BpfObject o = load();
        long ops = m.ops().lookupOps("bpf_fifo").orElseThrow();
        long root = qdisc();
        mem.writeU32(root + t.btf.offsetOf(t.qdiscId, "handle"), 0x10000);
        kf.qdiscHashAdd(0x10000, root);
        long child = qdisc();
        mem.writeU32(child + t.qdiscParent, 0x10001);
        long extack = alloc("extack", 64);
        // qdisc_create(): ops->init fails in gen_prologue's bpf_qdisc_init_prologue, fifo_init's body never runs
        assertEquals(-22, (int) op(ops, t.opsInit, child, 0, extack));
        assertEquals(java.util.Optional.of(QdiscKfuncs.NOT_ROOT_OR_MQ), kf.extackMsg(extack));
        ObjLoader.unload(o, k);
    }

    @Test
    void skbsLeftInTheRingAreFreedByTheDtorWhenTheObjectGoes() {
        BpfObject o = load();
        long ops = m.ops().lookupOps("bpf_fifo").orElseThrow();
        long sch = qdisc();
        assertEquals(0, op(ops, t.opsInit, sch, 0, 0));
        long a = skb(60);
        long b = skb(70);
        assertEquals(0, enqueue(ops, sch, a));
        assertEquals(0, enqueue(ops, sch, b));
        assertTrue(kf.freedSkbs().isEmpty());
        ObjLoader.unload(o, k);
        assertEquals(List.of(a, b), kf.freedSkbs(), "array_map_free(): bpf_obj_free_fields() called bpf_kfree_skb_dtor");
        assertFalse(m.ops().qdiscIds().contains("bpf_fifo"));
    }
}
