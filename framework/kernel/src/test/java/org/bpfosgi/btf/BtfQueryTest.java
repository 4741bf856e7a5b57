package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfMember;

import org.bpfosgi.btf.api.BtfKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.errno.Errno;
import org.junit.jupiter.api.Test;

/** Queries the verifier and subsystems make, on the built-in base. */
class BtfQueryTest {
    private final Btf btf = VmlinuxBtf.builtin();

    private int struct(String name) {
        int id = btf.findByNameKind(name, BtfKind.STRUCT);
        assertTrue(id > 0, name);
        return id;
    }

    @Test
    void findByNameAndKind() {
        assertTrue(btf.findByNameKind("sk_buff", BtfKind.STRUCT) > 0);
        assertEquals(Errno.ENOENT.negative(), btf.findByNameKind("sk_buff", BtfKind.UNION));
        assertEquals(Errno.ENOENT.negative(), btf.findByNameKind("no_such_type", BtfKind.STRUCT));
        assertTrue(btf.findByNameKind("u32", BtfKind.TYPEDEF) > 0);
        assertTrue(btf.findByNameKind("bpf_cgroup_from_id", BtfKind.FUNC) > 0);
        assertEquals(1, btf.findAllByName("Qdisc_ops").size());
    }

    @Test
    void offsetofWithNestedPathsAndAnonymousMembers() {
        int qdisc = struct("Qdisc");
        int q = btf.offsetOf(qdisc, "q");
        assertEquals(q + 16, btf.offsetOf(qdisc, "q.qlen"));
        assertEquals(btf.offsetOf(qdisc, "limit"), btf.offsetOf("Qdisc", "limit"));
        int skb = struct("sk_buff");
        // next/prev/dev live in an anonymous struct inside an anonymous union, overlaying rbnode
        assertEquals(0, btf.offsetOf(skb, "next"));
        assertEquals(8, btf.offsetOf(skb, "prev"));
        assertEquals(16, btf.offsetOf(skb, "dev"));
        assertEquals(16, btf.offsetOf(skb, "dev_scratch"));
        assertEquals(0, btf.offsetOf(skb, "rbnode"));
        assertEquals(32, btf.offsetOf(skb, "tstamp"));
        assertEquals(40, btf.offsetOf(skb, "cb"));
        assertEquals(48, btf.resolveSize(btf.memberPath(skb, "cb").type()));
        int tp = struct("tcp_sock");
        assertTrue(btf.offsetOf(tp, "inet_conn.icsk_ack.pending") > 0);
        assertEquals(btf.offsetOf(tp, "inet_conn.icsk_inet.sk.sk_pacing_rate"),
                btf.offsetOf(struct("sock"), "sk_pacing_rate"));
        BtfException e = assertThrows(BtfException.class, () -> btf.offsetOf(qdisc, "q.nope"));
        assertTrue(e.getMessage().contains("has no member 'nope'"), e.getMessage());
        BtfException bf = assertThrows(BtfException.class, () -> btf.offsetOf(skb, "cloned"));
        assertTrue(bf.getMessage().contains("bitfield"), bf.getMessage());
    }

    @Test
    void memberAtAnOffset() {
        int skb = struct("sk_buff");
        assertEquals("dev", btf.memberAt(skb, 16).orElseThrow().path());
        assertEquals("tstamp", btf.memberAt(skb, 36).orElseThrow().path());
        assertEquals("cb", btf.memberAt(skb, 50).orElseThrow().path());
        int qdisc = struct("Qdisc");
        assertEquals("q.qlen", btf.memberAt(qdisc, btf.offsetOf(qdisc, "q.qlen")).orElseThrow().path());
        assertTrue(btf.memberAt(qdisc, 1 << 20).isEmpty());
    }

    @Test
    void sizesModifiersTypedefsAndPointers() {
        int u64 = btf.findByNameKind("u64", BtfKind.TYPEDEF);
        assertEquals(8, btf.resolveSize(u64));
        assertEquals(BtfKind.INT, btf.kind(btf.resolve(u64)));
        int ops = struct("Qdisc_ops");
        BtfMember enq = btf.memberPath(ops, "enqueue");
        BtfType.FuncProto proto = btf.funcProto(enq.type());
        assertEquals(3, proto.params().size());
        assertEquals(struct("sk_buff"), btf.pointedStruct(proto.params().get(0).type()).getAsInt());
        BtfMember clOps = btf.memberPath(ops, "cl_ops");
        assertEquals(BtfKind.FWD, btf.kind(btf.resolve(((BtfType.Ref) btf.type(clOps.type())).type())));
        assertTrue(btf.pointedStruct(clOps.type()).isEmpty(), "a FWD is not a struct");
        BtfMember qops = btf.memberPath(struct("Qdisc"), "ops");
        assertEquals(BtfKind.CONST, btf.kind(((BtfType.Ref) btf.type(qops.type())).type()));
        assertEquals(ops, btf.pointedStruct(qops.type()).getAsInt(), "const is skipped");
        BtfType.FuncProto fromId = btf.funcProto(btf.findByNameKind("bpf_cgroup_from_id", BtfKind.FUNC));
        assertEquals("cgid", btf.str(fromId.params().get(0).nameOff()));
        assertEquals(struct("cgroup"), btf.pointedStruct(fromId.returnType()).getAsInt());
        assertThrows(BtfException.class, () -> btf.resolveSize(btf.findByNameKind("bpf_cgroup_from_id", BtfKind.FUNC)));
        assertThrows(BtfException.class, () -> btf.type(btf.nrTypes()));
        assertEquals(16, btf.resolveSize(btf.memberPath(ops, "id").type()));
    }
}
