package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Oops;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.junit.jupiter.api.Test;

/**
 * The qdisc kfunc bodies on a simulated Qdisc and sk_buff: directly, and called from verified
 * programs run in the interpreter (the init prologue and reset epilogue included).
 */
class QdiscKfuncsTest {
    private final QdiscMachine m = new QdiscMachine();
    private final QdiscTypes t = m.types();
    private final KernelMemory mem = m.kernelMemory();
    private final QdiscKfuncs k = m.qdisc.kfuncs();

    /** An skb with one user, {@code pkt_len} in its qdisc cb and {@code hash}. */
    private long skb(int pktLen, int hash) {
        Region r = m.allocate("sk_buff", 256);
        mem.writeU32(r.start() + t.skbUsers, 1);
        mem.writeU32(r.start() + t.skbLen, pktLen);
        mem.writeU32(r.start() + t.skbPktLen, pktLen);
        mem.writeU32(r.start() + t.skbHash, hash);
        return r.start();
    }

    private long qdisc(int limit) {
        Region r = m.allocate("Qdisc", t.qdiscPrivdata + QdiscOps.BPF_SCHED_DATA_SIZE);
        mem.writeU32(r.start() + t.qdiscLimit, limit);
        mem.writeU32(r.start() + t.btf.offsetOf(t.qdiscId, "parent"), QdiscTypes.TC_H_ROOT);
        return r.start();
    }

    private LoadedProgram load(String member, String body) {
        ProgLoadResult r = m.load(member, body);
        assertTrue(r.ok(), r.log());
        return m.prepare(r.prog());
    }

    private long run(LoadedProgram p, long... args) {
        Region ctx = m.allocate("ctx", 8 * 3);
        for (int i = 0; i < args.length; i++) {
            mem.writeU64(ctx.start() + 8L * i, args[i]);
        }
        Outcome o = m.run(p, ctx.start());
        if (!(o instanceof Exit e)) {
            throw new AssertionError(p + ": " + o);
        }
        return e.r0();
    }

    @Test
    void kfreeSkbDropsAUserThenFrees() {
        long skb = skb(100, 0);
        mem.writeU32(skb + t.skbUsers, 2);
        k.kfreeSkb(mem, skb);
        assertEquals(1, mem.readU32(skb + t.skbUsers), "skb_unref(): refcount_dec_and_test()");
        assertFalse(k.isFreed(skb));
        k.kfreeSkb(mem, skb);
        assertTrue(k.isFreed(skb), "users == 1: __kfree_skb()");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.kfreeSkb(mem, skb));
        assertTrue(e.getMessage().contains("double free"), e.getMessage());
        k.kfreeSkb(mem, 0); // kfree_skb(NULL)
    }

    @Test
    void bstatsUpdateCountsQdiscPktLen() {
        long sch = qdisc(10);
        long skb = skb(1500, 0);
        mem.writeU32(skb + t.skbLen, 1400); // skb->len is not what bstats counts
        k.bstatsUpdate(mem, new long[] {sch, skb});
        k.bstatsUpdate(mem, new long[] {sch, skb});
        assertEquals(3000, mem.readU64(sch + t.qdiscBstatsBytes));
        assertEquals(2, mem.readU64(sch + t.qdiscBstatsPackets));
    }

    @Test
    void enqueueDropsIntoToFreeAndTheCallerFreesTheList() {
        // if (sch->q.qlen >= sch->limit) drop, else (no BPF-side queue here) free; hash as r0
        LoadedProgram enqueue = load("enqueue", "    r6 = *(u64 *)(r1 +0)\n    r7 = *(u64 *)(r1 +8)\n"
                + "    r8 = *(u64 *)(r1 +16)\n    r1 = r6\n    call bpf_skb_get_hash\n    r9 = r0\n"
                + "    r3 = *(u32 *)(r7 +" + t.qdiscQlen + ")\n    r4 = *(u32 *)(r7 +" + t.qdiscLimit + ")\n"
                + "    if r3 < r4 goto keep\n    r1 = r6\n    r2 = r8\n    call bpf_qdisc_skb_drop\n"
                + "    r0 = r9\n    exit\nkeep:\n    r1 = r6\n    call bpf_kfree_skb\n    r0 = r9\n    exit\n");
        long sch = qdisc(0);
        Region toFree = m.allocate("to_free", 8);
        long a = skb(60, 0xabc);
        long b = skb(60, 0xdef);
        assertEquals(0xabc, run(enqueue, a, sch, toFree.start()));
        assertEquals(0xdef, run(enqueue, b, sch, toFree.start()));
        assertEquals(b, mem.readU64(toFree.start()), "*to_free = skb");
        assertEquals(a, mem.readU64(b + t.skbNext), "skb->next = the previous head");
        assertEquals(List.of(), k.freedSkbs(), "__qdisc_drop() defers the free");
        k.kfreeSkbList(mem, mem.readU64(toFree.start()));
        assertEquals(List.of(b, a), k.freedSkbs());
        // room in the queue: the same program frees at once
        mem.writeU32(sch + t.qdiscLimit, 5);
        long c = skb(60, 1);
        run(enqueue, c, sch, toFree.start());
        assertEquals(List.of(b, a, c), k.freedSkbs());
        // a freed skb freed again is an oops, not a silent success
        Region ctx = m.allocate("ctx", 24);
        mem.writeU64(ctx.start(), c);
        mem.writeU64(ctx.start() + 8, sch);
        Outcome o = m.run(enqueue, ctx.start());
        assertTrue(o instanceof Oops oops && oops.reason().contains("double free"), o.toString());
    }

    @Test
    void theWatchdogIsInitialisedByTheInitPrologueArmedAndCancelledByTheEpilogue() {
        long sch = qdisc(10);
        assertTrue(k.watchdog(sch).isEmpty());
        LoadedProgram init = load("init", "    r0 = 0\n    exit\n");
        assertEquals(0, run(init, sch, 0, 0));
        assertEquals(new QdiscKfuncs.Watchdog(sch, false, 0), k.watchdog(sch).orElseThrow());
        LoadedProgram dequeue = load("dequeue", "    r1 = *(u64 *)(r1 +0)\n    r2 = 5000\n    r3 = 100\n"
                + "    call bpf_qdisc_watchdog_schedule\n    r0 = 0\n    exit\n");
        run(dequeue, sch);
        assertEquals(new QdiscKfuncs.Watchdog(sch, true, 5000), k.watchdog(sch).orElseThrow());
        // armed at 5000: a request for [4950, 5050] is left alone, one for [6000, 6000] re-arms
        k.watchdogSchedule(mem, new long[] {sch, 4950, 100});
        assertEquals(5000, k.watchdog(sch).orElseThrow().softexpires());
        k.watchdogSchedule(mem, new long[] {sch, 6000, 0});
        assertEquals(6000, k.watchdog(sch).orElseThrow().softexpires());
        LoadedProgram reset = load("reset", "    exit\n");
        run(reset, sch);
        assertFalse(k.watchdog(sch).orElseThrow().queued(), "the reset epilogue cancelled it");
        // a deactivated qdisc is not scheduled
        mem.writeU64(sch + t.qdiscState, 1L << QdiscKfuncs.QDISC_STATE_DEACTIVATED);
        k.watchdogSchedule(mem, new long[] {sch, 7000, 0});
        assertFalse(k.watchdog(sch).orElseThrow().queued());
    }

    @Test
    void initUnderANonMqParentExitsWithEinvalBeforeTheProgramsBody() {
        LoadedProgram init = load("init", "    r0 = 7\n    exit\n");
        long root = qdisc(10);
        mem.writeU32(root + t.btf.offsetOf(t.qdiscId, "handle"), 0x10000);
        k.qdiscHashAdd(0x10000, root);
        long child = qdisc(10);
        mem.writeU32(child + t.btf.offsetOf(t.qdiscId, "parent"), 0x10001);
        Region extack = m.allocate("netlink_ext_ack", 64);
        // the generated "if r0 == 0 goto +1; exit": init returns -EINVAL, its body (r0 = 7) never runs
        assertEquals(-22, (int) run(init, child, 0, extack.start()));
        assertEquals(java.util.Optional.of("BPF qdisc only supported on root or mq"), k.extackMsg(extack.start()));
        // under an mq root it is fine, and so is a parent not hashed yet (qdisc_create_dflt())
        mem.writeU32(root + t.qdiscFlags, QdiscKfuncs.TCQ_F_MQROOT);
        assertEquals(7, run(init, child, 0, 0));
        mem.writeU32(child + t.btf.offsetOf(t.qdiscId, "parent"), 0x20001);
        assertEquals(7, run(init, child, 0, 0));
    }

    @Test
    void underEmitCallThePrologueCallsTheFunctionDirectly() {
        long sch = qdisc(10);
        ProgLoadResult r = m.load("init", "    r0 = 0\n    exit\n", org.bpfosgi.subsystem.KfuncPolicy.EMIT_CALL, false);
        assertTrue(r.ok(), r.log());
        assertEquals(0, run(m.prepare(r.prog()), sch, 0, 0));
        assertTrue(k.watchdog(sch).isPresent(), "BPF_EMIT_CALL(bpf_qdisc_init_prologue) ran its body");
    }

    @Test
    void theInitPrologueRunsBeforeTheProgramsBody() {
        // the generated "if r0 == 0 goto +1; exit": bpf_qdisc_init_prologue() returned 0 (a root
        // qdisc), so the program's own body runs and its r0 = 7 is init's return
        long sch = qdisc(10);
        assertEquals(7, run(load("init", "    r0 = 7\n    exit\n"), sch, 0, 0));
        assertTrue(k.watchdog(sch).isPresent(), "the prologue initialised the watchdog first");
    }
}
