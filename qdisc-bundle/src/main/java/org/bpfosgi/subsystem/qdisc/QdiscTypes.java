package org.bpfosgi.subsystem.qdisc;

import java.util.Set;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.api.BtfMember;
import org.bpfosgi.btf.api.BtfTypes;

/**
 * What net/sched/bpf_qdisc.c knows of the owner's BTF: the ids of its {@code BTF_ID_LIST}s and
 * {@code BTF_SET}s (resolve_btfids; an unresolvable name is 0, as resolve_btfids leaves it) and
 * the {@code offsetof()}s of its switches, taken from the same BTF. Immutable.
 */
final class QdiscTypes {
    /** QDISC_CB_PRIV_LEN. */
    static final int QDISC_CB_PRIV_LEN = 20;
    /** TC_H_ROOT. */
    static final int TC_H_ROOT = 0xFFFFFFFF;

    final BtfTypes btf;
    final int qdiscId;
    final int skBuffId;
    final int skBuffPtrId;
    final int initPrologueId;
    final int resetDestroyEpilogueId;
    /** qdisc_kfunc_ids (the BTF_KFUNCS set). */
    final Set<Integer> kfuncIds;
    final Set<Integer> commonSet;
    final Set<Integer> enqueueSet;
    final Set<Integer> dequeueSet;
    // Qdisc_ops
    final int opsEnqueue;
    final int opsDequeue;
    final int opsPeek;
    final int opsInit;
    final int opsReset;
    final int opsDestroy;
    final int opsPrivSize;
    final int opsId;
    final int opsIdSize;
    // Qdisc and sk_buff writable ranges
    final int qdiscLimit;
    final int qdiscLimitEnd;
    final int qdiscQlen;
    final int qdiscQlenEnd;
    final int qdiscQstats;
    final int qdiscQstatsEnd;
    final int qdiscParent;
    final int qdiscBstatsBytes;
    final int qdiscBstatsPackets;
    final int skbTstamp;
    final int skbTstampEnd;
    final int skbCbData;
    final int skbCbDataEnd;
    final int skbLen;
    final int skbHash;
    final int skbNext;
    final int skbUsers;
    /** offsetof(struct sk_buff, cb) + offsetof(struct qdisc_skb_cb, pkt_len): qdisc_pkt_len(). */
    final int skbPktLen;
    final int qdiscState;
    final int qdiscFlags;
    /** qdisc_priv(sch): {@code &sch->privdata}. */
    final int qdiscPrivdata;

    QdiscTypes(BtfTypes btf) {
        this.btf = btf;
        qdiscId = id(BtfKind.STRUCT, "Qdisc");
        skBuffId = id(BtfKind.STRUCT, "sk_buff");
        skBuffPtrId = id(BtfKind.STRUCT, "bpf_sk_buff_ptr");
        initPrologueId = id(BtfKind.FUNC, "bpf_qdisc_init_prologue");
        resetDestroyEpilogueId = id(BtfKind.FUNC, "bpf_qdisc_reset_destroy_epilogue");
        kfuncIds = ids("bpf_skb_get_hash", "bpf_kfree_skb", "bpf_qdisc_skb_drop", "bpf_dynptr_from_skb",
                "bpf_qdisc_watchdog_schedule", "bpf_qdisc_init_prologue", "bpf_qdisc_reset_destroy_epilogue",
                "bpf_qdisc_bstats_update");
        commonSet = ids("bpf_skb_get_hash", "bpf_kfree_skb", "bpf_dynptr_from_skb");
        enqueueSet = ids("bpf_qdisc_skb_drop", "bpf_qdisc_watchdog_schedule");
        dequeueSet = ids("bpf_qdisc_watchdog_schedule", "bpf_qdisc_bstats_update");
        int ops = id(BtfKind.STRUCT, "Qdisc_ops");
        opsEnqueue = btf.offsetOf(ops, "enqueue");
        opsDequeue = btf.offsetOf(ops, "dequeue");
        opsPeek = btf.offsetOf(ops, "peek");
        opsInit = btf.offsetOf(ops, "init");
        opsReset = btf.offsetOf(ops, "reset");
        opsDestroy = btf.offsetOf(ops, "destroy");
        opsPrivSize = btf.offsetOf(ops, "priv_size");
        opsId = btf.offsetOf(ops, "id");
        opsIdSize = (int) btf.resolveSize(btf.memberPath(ops, "id").type());
        qdiscLimit = btf.offsetOf(qdiscId, "limit");
        qdiscLimitEnd = end(qdiscId, "limit");
        qdiscQlen = btf.offsetOf(qdiscId, "q.qlen");
        qdiscQlenEnd = end(qdiscId, "q.qlen");
        qdiscQstats = btf.offsetOf(qdiscId, "qstats");
        qdiscQstatsEnd = end(qdiscId, "qstats");
        qdiscParent = btf.offsetOf(qdiscId, "parent");
        qdiscBstatsBytes = btf.offsetOf(qdiscId, "bstats.bytes");
        qdiscBstatsPackets = btf.offsetOf(qdiscId, "bstats.packets");
        skbTstamp = btf.offsetOf(skBuffId, "tstamp");
        skbTstampEnd = end(skBuffId, "tstamp");
        int cbData = btf.offsetOf(id(BtfKind.STRUCT, "qdisc_skb_cb"), "data");
        skbCbData = btf.offsetOf(skBuffId, "cb") + cbData;
        skbCbDataEnd = skbCbData + QDISC_CB_PRIV_LEN;
        skbLen = btf.offsetOf(skBuffId, "len");
        skbHash = btf.offsetOf(skBuffId, "hash");
        skbNext = btf.offsetOf(skBuffId, "next");
        skbUsers = btf.offsetOf(skBuffId, "users");
        skbPktLen = btf.offsetOf(skBuffId, "cb") + btf.offsetOf(id(BtfKind.STRUCT, "qdisc_skb_cb"), "pkt_len");
        qdiscState = btf.offsetOf(qdiscId, "state");
        qdiscFlags = btf.offsetOf(qdiscId, "flags");
        qdiscPrivdata = btf.offsetOf(qdiscId, "privdata");
    }

    private int id(BtfKind kind, String name) {
        int id = btf.findByNameKind(name, kind);
        return Math.max(id, 0);
    }

    private Set<Integer> ids(String... names) {
        java.util.HashSet<Integer> s = new java.util.HashSet<>();
        for (String n : names) {
            int id = id(BtfKind.FUNC, n);
            if (id > 0) {
                s.add(id);
            }
        }
        return Set.copyOf(s);
    }

    private int end(int type, String path) {
        BtfMember m = btf.memberPath(type, path);
        return m.byteOffset() + (int) btf.resolveSize(m.type());
    }
}
