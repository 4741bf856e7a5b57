package org.bpfosgi.subsystem.qdisc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.bpfosgi.subsystem.KernelMemory;

/**
 * The Java bodies of {@code qdisc_kfunc_ids} and of the dtor {@code bpf_kfree_skb_dtor}
 * (net/sched/bpf_qdisc.c, v6.16), on a simulated {@code struct Qdisc} and {@code struct sk_buff}
 * in kernel memory, at the offsets of the owner's BTF:
 * <ul>
 * <li>skbs: {@code skb->users} is the refcount; freeing (__kfree_skb()) is recorded here, in
 * order, since the model has no skbuff_cache: a freed skb is one this object has recorded. An
 * skb freed twice, or freed with {@code users} 0, throws (the interpreter reports it as an
 * oops: in the kernel it is a refcount underflow or a KASAN double-free).</li>
 * <li>the qdisc watchdog: Java-side per qdisc (the built-in BTF has no {@code struct hrtimer}),
 * keyed by {@code qdisc_priv(sch)}: initialised by bpf_qdisc_init_prologue, armed by
 * bpf_qdisc_watchdog_schedule, cancelled by bpf_qdisc_reset_destroy_epilogue.</li>
 * <li>qdisc_lookup(): one simulated device's qdisc_hash, filled by {@link #qdiscHashAdd} (as
 * qdisc_hash_add() does when a qdisc is grafted); the extack message bpf_qdisc_init_prologue
 * sets is recorded per extack address.</li>
 * </ul>
 * Not modelled: flow dissection in skb_get_hash() (a simulated skb carries its hash, as if
 * {@code sw_hash} were set), GSO in bstats_update() (a simulated skb has no
 * {@code skb_shared_info}: one packet per skb), devices (one device's qdiscs), bpf_dynptr_from_skb
 * (dynptrs: -EINVAL).
 */
final class QdiscKfuncs {
    /** TCQ_F_MQROOT (include/net/sch_generic.h). */
    static final int TCQ_F_MQROOT = 8;
    /** "BPF qdisc only supported on root or mq" (NL_SET_ERR_MSG in bpf_qdisc_init_prologue). */
    static final String NOT_ROOT_OR_MQ = "BPF qdisc only supported on root or mq";
    /** __QDISC_STATE_DEACTIVATED in enum qdisc_state_t. */
    static final int QDISC_STATE_DEACTIVATED = 1;

    /** A qdisc_watchdog's hrtimer: whether it is queued and its soft expiry (ns). */
    record Watchdog(long qdisc, boolean queued, long softexpires) {
    }

    private final Supplier<QdiscTypes> types;
    private final Set<Long> freed = new LinkedHashSet<>();
    private final Map<Long, Watchdog> watchdogs = new HashMap<>();
    private final Map<Integer, Long> qdiscHash = new HashMap<>();
    private final Map<Long, String> extackMsgs = new HashMap<>();

    QdiscKfuncs(Supplier<QdiscTypes> types) {
        this.types = types;
    }

    /** The skbs freed so far, in the order they were freed. */
    synchronized List<Long> freedSkbs() {
        return new ArrayList<>(freed);
    }

    /** Whether {@code skb} has been freed. */
    synchronized boolean isFreed(long skb) {
        return freed.contains(skb);
    }

    /** The watchdog of {@code sch}, if bpf_qdisc_init_prologue initialised one. */
    synchronized java.util.Optional<Watchdog> watchdog(long sch) {
        return java.util.Optional.ofNullable(watchdogs.get(sch + types.get().qdiscPrivdata));
    }

    /** {@code u32 bpf_skb_get_hash(struct sk_buff *skb)}: skb_get_hash(), the stored {@code hash}. */
    long skbGetHash(KernelMemory m, long[] a) {
        return m.readU32(a[0] + types.get().skbHash) & 0xffffffffL;
    }

    /** {@code void bpf_kfree_skb(struct sk_buff *skb)}: kfree_skb(). Also {@code bpf_kfree_skb_dtor}. */
    long kfreeSkb(KernelMemory m, long[] a) {
        kfreeSkb(m, a[0]);
        return 0;
    }

    /**
     * kfree_skb(): skb_unref() — NULL is a no-op; with {@code users == 1} the skb is freed
     * without touching the count; otherwise refcount_dec_and_test() — then __kfree_skb().
     */
    synchronized void kfreeSkb(KernelMemory m, long skb) {
        if (skb == 0) {
            return;
        }
        QdiscTypes t = types.get();
        if (freed.contains(skb)) {
            throw new IllegalStateException(String.format("kfree_skb: skb 0x%x was already freed (double free)", skb));
        }
        int users = m.readU32(skb + t.skbUsers);
        if (users == 0) {
            throw new IllegalStateException(String.format("refcount_t: underflow; use-after-free. (skb 0x%x)", skb));
        }
        if (users != 1) {
            m.writeU32(skb + t.skbUsers, users - 1);
            return;
        }
        freed.add(skb);
    }

    /** kfree_skb_list(): what the qdisc layer does with the {@code to_free} list after enqueue. */
    void kfreeSkbList(KernelMemory m, long head) {
        long skb = head;
        while (skb != 0) {
            long next = m.readU64(skb + types.get().skbNext);
            kfreeSkb(m, skb);
            skb = next;
        }
    }

    /**
     * {@code void bpf_qdisc_skb_drop(struct sk_buff *skb, struct bpf_sk_buff_ptr *to_free_list)}:
     * __qdisc_drop(): {@code skb->next = *to_free; *to_free = skb} — freed later by the caller
     * of enqueue.
     */
    long qdiscSkbDrop(KernelMemory m, long[] a) {
        long skb = a[0];
        long toFree = a[1];
        m.writeU64(skb + types.get().skbNext, m.readU64(toFree));
        m.writeU64(toFree, skb);
        return 0;
    }

    /**
     * {@code void bpf_qdisc_watchdog_schedule(struct Qdisc *sch, u64 expire, u64 delta_ns)}:
     * qdisc_watchdog_schedule_range_ns(): nothing when the (root) qdisc is deactivated; an armed
     * timer whose soft expiry is already in [expire, expire + delta_ns] is left alone; otherwise
     * hrtimer_start_range_ns(expire).
     */
    synchronized long watchdogSchedule(KernelMemory m, long[] a) {
        QdiscTypes t = types.get();
        long sch = a[0];
        long expires = a[1];
        long deltaNs = a[2];
        long wdAddr = sch + t.qdiscPrivdata;
        Watchdog wd = watchdogs.get(wdAddr);
        if (wd == null) {
            // the hrtimer was never initialised: in the kernel a crash in hrtimer_start
            throw new IllegalStateException(String.format("qdisc_watchdog of Qdisc 0x%x was never initialised", sch));
        }
        if ((m.readU64(wd.qdisc() + t.qdiscState) & (1L << QDISC_STATE_DEACTIVATED)) != 0) {
            return 0;
        }
        if (wd.queued() && Long.compareUnsigned(wd.softexpires() - expires, deltaNs) <= 0) {
            return 0;
        }
        watchdogs.put(wdAddr, new Watchdog(wd.qdisc(), true, expires));
        return 0;
    }

    /**
     * {@code void bpf_qdisc_bstats_update(struct Qdisc *sch, const struct sk_buff *skb)}:
     * {@code bstats_update(&sch->bstats, skb)}: bytes += qdisc_pkt_len(skb), packets += 1.
     */
    long bstatsUpdate(KernelMemory m, long[] a) {
        QdiscTypes t = types.get();
        long len = m.readU32(a[1] + t.skbPktLen) & 0xffffffffL;
        m.writeU64(a[0] + t.qdiscBstatsBytes, m.readU64(a[0] + t.qdiscBstatsBytes) + len);
        m.writeU64(a[0] + t.qdiscBstatsPackets, m.readU64(a[0] + t.qdiscBstatsPackets) + 1);
        return 0;
    }

    /** qdisc_hash_add(): the device's qdisc with {@code handle} is {@code sch}. */
    synchronized void qdiscHashAdd(int handle, long sch) {
        qdiscHash.put(handle, sch);
    }

    /** The message NL_SET_ERR_MSG() put into {@code extack}, if any. */
    synchronized java.util.Optional<String> extackMsg(long extack) {
        return java.util.Optional.ofNullable(extackMsgs.get(extack));
    }

    /**
     * {@code int bpf_qdisc_init_prologue(struct Qdisc *sch, struct netlink_ext_ack *extack)}:
     * {@code qdisc_watchdog_init(&q->watchdog, sch)}; then, for a qdisc that is not root, its
     * parent is qdisc_lookup(dev, TC_H_MAJ(sch->parent)): NULL (mq_init/mqprio_init's
     * qdisc_create_dflt(), the parent not hashed yet) or an mq root is fine, any other parent is
     * "BPF qdisc only supported on root or mq", -EINVAL.
     */
    synchronized long initPrologue(KernelMemory m, long[] a) {
        QdiscTypes t = types.get();
        long sch = a[0];
        long extack = a[1];
        watchdogs.put(sch + t.qdiscPrivdata, new Watchdog(sch, false, 0));
        int parent = m.readU32(sch + t.qdiscParent);
        if (parent != QdiscTypes.TC_H_ROOT) {
            Long p = qdiscHash.get(parent & 0xFFFF0000);
            if (p != null && (m.readU32(p + t.qdiscFlags) & TCQ_F_MQROOT) == 0) {
                if (extack != 0) {
                    extackMsgs.put(extack, NOT_ROOT_OR_MQ);
                }
                return -22;
            }
        }
        return 0;
    }

    /** {@code void bpf_qdisc_reset_destroy_epilogue(struct Qdisc *sch)}: qdisc_watchdog_cancel(). */
    synchronized long resetDestroyEpilogue(KernelMemory m, long[] a) {
        long wdAddr = a[0] + types.get().qdiscPrivdata;
        Watchdog wd = watchdogs.get(wdAddr);
        if (wd != null) {
            watchdogs.put(wdAddr, new Watchdog(wd.qdisc(), false, wd.softexpires()));
        }
        return 0;
    }

    /** {@code int bpf_dynptr_from_skb(...)}: not modelled. */
    long dynptrFromSkb(KernelMemory m, long[] a) {
        return -22;
    }
}
