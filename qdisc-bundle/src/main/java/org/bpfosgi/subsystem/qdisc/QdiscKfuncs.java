package org.bpfosgi.subsystem.qdisc;

import java.util.function.Supplier;

import org.bpfosgi.subsystem.KernelMemory;

/**
 * The Java bodies of {@code qdisc_kfunc_ids} (net/sched/bpf_qdisc.c), on a simulated
 * {@code struct Qdisc} and {@code struct sk_buff} at the offsets of the owner's BTF.
 *
 * <p>Not modelled: freeing (bpf_kfree_skb, bpf_qdisc_skb_drop and the dtor release nothing: the
 * model has no skb allocator), the watchdog hrtimer (schedule and cancel do nothing),
 * bpf_dynptr_from_skb (dynptrs: it returns -EINVAL), and qdisc_lookup() in
 * bpf_qdisc_init_prologue (a non-root qdisc's parent is never found, which the kernel treats as
 * the mq case: 0).
 */
final class QdiscKfuncs {
    private final Supplier<QdiscTypes> types;

    QdiscKfuncs(Supplier<QdiscTypes> types) {
        this.types = types;
    }

    /** {@code u32 bpf_skb_get_hash(struct sk_buff *skb)}: skb_get_hash(), here the stored {@code hash}. */
    long skbGetHash(KernelMemory m, long[] a) {
        return m.readU32(a[0] + types.get().skbHash) & 0xffffffffL;
    }

    /** {@code void bpf_kfree_skb(struct sk_buff *skb)}. */
    long kfreeSkb(KernelMemory m, long[] a) {
        return 0;
    }

    /** {@code void bpf_qdisc_skb_drop(struct sk_buff *skb, struct bpf_sk_buff_ptr *to_free_list)}. */
    long qdiscSkbDrop(KernelMemory m, long[] a) {
        return 0;
    }

    /** {@code void bpf_qdisc_watchdog_schedule(struct Qdisc *sch, u64 expire, u64 delta_ns)}. */
    long watchdogSchedule(KernelMemory m, long[] a) {
        return 0;
    }

    /** {@code void bpf_qdisc_bstats_update(struct Qdisc *sch, const struct sk_buff *skb)}: bstats_update(). */
    long bstatsUpdate(KernelMemory m, long[] a) {
        QdiscTypes t = types.get();
        long len = m.readU32(a[1] + t.skbLen) & 0xffffffffL;
        m.writeU64(a[0] + t.qdiscBstatsBytes, m.readU64(a[0] + t.qdiscBstatsBytes) + len);
        m.writeU64(a[0] + t.qdiscBstatsPackets, m.readU64(a[0] + t.qdiscBstatsPackets) + 1);
        return 0;
    }

    /** {@code int bpf_qdisc_init_prologue(struct Qdisc *sch, struct netlink_ext_ack *extack)}. */
    long initPrologue(KernelMemory m, long[] a) {
        return 0;
    }

    /** {@code void bpf_qdisc_reset_destroy_epilogue(struct Qdisc *sch)}: qdisc_watchdog_cancel(). */
    long resetDestroyEpilogue(KernelMemory m, long[] a) {
        return 0;
    }

    /** {@code int bpf_dynptr_from_skb(...)}: not modelled. */
    long dynptrFromSkb(KernelMemory m, long[] a) {
        return -22;
    }
}
