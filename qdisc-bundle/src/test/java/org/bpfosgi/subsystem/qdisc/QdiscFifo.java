package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;

/**
 * A FIFO bpf qdisc (bpf_qdisc, net/sched/bpf_qdisc.c v6.16) as a qdisc author writes it without
 * graph structures: a ring of {@code struct sk_buff __kptr *} slots in an array map (value BTF
 * compiled from C, as libbpf passes a .maps map's btf_fd and type ids), head/tail counters in a
 * plain array map. enqueue moves the skb's reference into the tail slot with bpf_kptr_xchg (or
 * drops it with bpf_qdisc_skb_drop when the ring is full, counting qstats.drops), dequeue
 * xchg()s the head slot out, updates bstats and returns the skb (the v6.15 referenced-kptr
 * return), reset xchg()s every slot out and frees what it finds with bpf_kfree_skb.
 * These programs are loaded one by one and run directly by the harness, without a struct_ops
 * map; the same FIFO as a clang-built object registered as a Qdisc_ops and called through the
 * registered ops table is examples/qdisc/fifo.bpf.c ({@link QdiscFifoObjectTest}).
 */
final class QdiscFifo {
    /** The program BTF of the object: the ring's value type (bpf_helpers.h's __kptr). */
    static final String VALUE_C = """
            #define __kptr __attribute__((btf_type_tag("kptr")))
            struct skb_slot {
            	struct sk_buff __kptr *skb;
            };
            """;

    final QdiscMachine m;
    final StructOpsKernel k;
    final QdiscTypes t;
    final KernelMemory mem;
    final BtfObject progBtf;
    final BpfMap ring;
    final BpfMap state;
    final int capacity;
    final int slotTypeId;
    final int intTypeId;

    QdiscFifo(QdiscMachine m, int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of 2");
        }
        this.m = m;
        this.capacity = capacity;
        this.k = new StructOpsKernel(m.pk, m.dmesg::add);
        this.t = m.types();
        this.mem = org.bpfosgi.prog.ProgRunner.memory(k.memory(), org.bpfosgi.prog.KernelCalls.NONE);
        org.bpfosgi.btf.Btf b = CDeclCompiler.compile("fifo.bpf.c", VALUE_C + "typedef int key_t;\n",
                m.btf.vmlinuxBtf()).btf();
        // BPF_BTF_LOAD of the object's BTF (split on vmlinux here, so sk_buff is vmlinux's)
        org.bpfosgi.verifier.BtfNewFd.Result lr = org.bpfosgi.verifier.BtfNewFd.load(m.pk.services(), "fifo", b);
        assertTrue(lr.ok(), "BPF_BTF_LOAD: " + lr.err());
        progBtf = lr.btf();
        slotTypeId = b.findByNameKind("skb_slot", BtfKind.STRUCT);
        intTypeId = b.findByNameKind("int", BtfKind.INT);
        MapTable.CreateResult r = k.maps().create(MapCreateAttr.of(BpfMapType.ARRAY, "fifo", 4, 8, capacity, 0)
                .withBtf(progBtf, intTypeId, slotTypeId));
        assertTrue(r.ok(), "fifo map create: " + r.err());
        ring = r.map();
        r = k.maps().create(MapCreateAttr.of(BpfMapType.ARRAY, "fifo_st", 4, 16, 1, 0));
        assertTrue(r.ok(), "state map create: " + r.err());
        state = r.map();
    }

    /** The map resolver of the loads: "fifo" and "fifo_st" by name. */
    int fd(String name) {
        return switch (name) {
            case "fifo" -> ring.id();
            case "fifo_st" -> state.id();
            default -> -1;
        };
    }

    ProgLoadResult load(String member, String body) {
        String text = ".license \"GPL\"\n.struct_ops Qdisc_ops." + member + "\n" + member + ":\n" + body;
        return m.pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, "fifo.s"), Optional.empty(), 1,
                m.pk.services(), this::fd));
    }

    BpfProg loadOk(String member, String body) {
        ProgLoadResult r = load(member, body);
        assertTrue(r.ok(), member + ": " + r.log());
        return r.prog();
    }

    int qlenOff() {
        return t.qdiscQlen;
    }

    int dropsOff() {
        return t.btf.offsetOf(t.qdiscId, "qstats.drops");
    }

    /**
     * An enqueue body: bpf_kptr_xchg() of the skb into the kptr at offset 0 of {@code map}[0]'s
     * value, an old skb freed with bpf_kfree_skb; returns 0, or frees the skb and returns 1 when
     * the lookup fails. Instruction 10 is the bpf_kptr_xchg call.
     */
    static String xchgSkbIntoSlot0(String map) {
        return """
                    r6 = *(u64 *)(r1 +0)
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = %s ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto drop
                    r1 = r0
                    r2 = r6
                    call bpf_kptr_xchg
                    if r0 == 0 goto out
                    r1 = r0
                    call bpf_kfree_skb
                out:
                    r0 = 0
                    exit
                drop:
                    r1 = r6
                    call bpf_kfree_skb
                    r0 = 1
                    exit
                """.formatted(map);
    }

    /** enqueue(skb, sch, to_free). */
    String enqueue() {
        return """
                    r6 = *(u64 *)(r1 +0)
                    r7 = *(u64 *)(r1 +8)
                    r8 = *(u64 *)(r1 +16)
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = fifo_st ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto drop
                    r9 = r0
                    r1 = *(u64 *)(r9 +8)
                    r2 = *(u64 *)(r9 +0)
                    r3 = r1
                    r3 -= r2
                    if r3 >= %1$d goto drop
                    r1 &= %2$d
                    *(u32 *)(r10 -8) = r1
                    r2 = r10
                    r2 += -8
                    r1 = fifo ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto drop
                    r1 = r0
                    r2 = r6
                    call bpf_kptr_xchg
                    if r0 == 0 goto stored
                    r1 = r0
                    call bpf_kfree_skb
                stored:
                    r1 = *(u64 *)(r9 +8)
                    r1 += 1
                    *(u64 *)(r9 +8) = r1
                    r1 = *(u32 *)(r7 +%3$d)
                    r1 += 1
                    *(u32 *)(r7 +%3$d) = r1
                    r0 = 0
                    exit
                drop:
                    r1 = *(u32 *)(r7 +%4$d)
                    r1 += 1
                    *(u32 *)(r7 +%4$d) = r1
                    r1 = r6
                    r2 = r8
                    call bpf_qdisc_skb_drop
                    r0 = 1
                    exit
                """.formatted(capacity, capacity - 1, qlenOff(), dropsOff());
    }

    /** dequeue(sch): the head skb, or NULL. */
    String dequeue() {
        return """
                    r7 = *(u64 *)(r1 +0)
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = fifo_st ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto empty
                    r9 = r0
                    r1 = *(u64 *)(r9 +0)
                    r2 = *(u64 *)(r9 +8)
                    if r1 >= r2 goto empty
                    r1 &= %1$d
                    *(u32 *)(r10 -8) = r1
                    r2 = r10
                    r2 += -8
                    r1 = fifo ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto empty
                    r1 = r0
                    r2 = 0
                    call bpf_kptr_xchg
                    if r0 == 0 goto empty
                    r6 = r0
                    r1 = *(u64 *)(r9 +0)
                    r1 += 1
                    *(u64 *)(r9 +0) = r1
                    r1 = *(u32 *)(r7 +%2$d)
                    r1 -= 1
                    *(u32 *)(r7 +%2$d) = r1
                    r1 = r7
                    r2 = r6
                    call bpf_qdisc_bstats_update
                    r0 = r6
                    exit
                empty:
                    r0 = 0
                    exit
                """.formatted(capacity - 1, qlenOff());
    }

    /** reset(sch): every slot xchg()ed out and freed, the counters and qlen zeroed. */
    String reset() {
        StringBuilder sb = new StringBuilder("    r7 = *(u64 *)(r1 +0)\n");
        for (int i = 0; i < capacity; i++) {
            sb.append("""
                        *(u32 *)(r10 -4) = %1$d
                        r2 = r10
                        r2 += -4
                        r1 = fifo ll
                        call bpf_map_lookup_elem
                        if r0 == 0 goto next%1$d
                        r1 = r0
                        r2 = 0
                        call bpf_kptr_xchg
                        if r0 == 0 goto next%1$d
                        r1 = r0
                        call bpf_kfree_skb
                    next%1$d:
                    """.formatted(i));
        }
        sb.append("""
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = fifo_st ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto out
                    r1 = 0
                    *(u64 *)(r0 +0) = r1
                    *(u64 *)(r0 +8) = r1
                out:
                    r1 = 0
                    *(u32 *)(r7 +%d) = r1
                    r0 = 0
                    exit
                """.formatted(qlenOff()));
        return sb.toString();
    }

    /** An skb with one user and {@code pkt_len}, in the kernel's memory. */
    long skb(int pktLen) {
        synchronized (k.lock()) {
            Region r = k.memory().allocate("sk_buff", 256, Region.Access.READ_WRITE);
            mem.writeU32(r.start() + t.skbUsers, 1);
            mem.writeU32(r.start() + t.skbLen, pktLen);
            mem.writeU32(r.start() + t.skbPktLen, pktLen);
            return r.start();
        }
    }

    long qdisc(int limit) {
        synchronized (k.lock()) {
            Region r = k.memory().allocate("Qdisc", t.qdiscPrivdata + QdiscOps.BPF_SCHED_DATA_SIZE, Region.Access.READ_WRITE);
            mem.writeU32(r.start() + t.qdiscLimit, limit);
            mem.writeU32(r.start() + t.btf.offsetOf(t.qdiscId, "parent"), QdiscTypes.TC_H_ROOT);
            return r.start();
        }
    }

    /** Runs {@code p} on a u64 argument array {@code args} (the struct_ops ctx); R0. */
    long run(BpfProg p, long... args) {
        Region ctx;
        synchronized (k.lock()) {
            ctx = k.memory().allocate("ctx", 8 * 3, Region.Access.READ_WRITE);
            for (int i = 0; i < args.length; i++) {
                mem.writeU64(ctx.start() + 8L * i, args[i]);
            }
        }
        Outcome o = k.run(p, ctx.start());
        if (!(o instanceof Exit e)) {
            throw new AssertionError(p.name() + ": " + o + "\n" + m.dmesg);
        }
        return e.r0();
    }
}
