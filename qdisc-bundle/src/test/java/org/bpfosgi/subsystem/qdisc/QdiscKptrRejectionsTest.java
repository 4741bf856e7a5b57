package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/**
 * The verifier's answers (kernel/bpf/verifier.c v6.12: check_map_kptr_access(),
 * check_map_access(), process_kptr_func(), check_reference_leak()) to the mistakes a FIFO qdisc
 * author makes with the {@code struct sk_buff __kptr *} ring of {@link QdiscFifo}: each the
 * kernel's message, errno and the instruction it stops at.
 */
class QdiscKptrRejectionsTest {
    private final QdiscFifo f = new QdiscFifo(new QdiscMachine(), 4);

    /** Looks up {@code map}[0] into r0 (r6 = skb, r7 = sch, r8 = to_free for enqueue; insns 0-2 are the ctx loads). */
    private static String slot0(String map) {
        return """
                    r6 = *(u64 *)(r1 +0)
                    r7 = *(u64 *)(r1 +8)
                    r8 = *(u64 *)(r1 +16)
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = %s ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto drop
                """.formatted(map);
    }

    /** fifo[0] into r0: the ring's slot, a {@code struct sk_buff __kptr *}. */
    private static final String SLOT0 = slot0("fifo");
    private static final String DROP = """
            drop:
                r1 = r6
                r2 = r8
                call bpf_qdisc_skb_drop
                r0 = 1
                exit
            """;

    private ProgLoadResult rejected(String member, String body, Errno errno, String... lines) {
        ProgLoadResult r = f.load(member, body);
        assertFalse(r.ok(), r.log());
        assertEquals(errno, r.errno().orElseThrow(), r.log());
        for (String l : lines) {
            assertTrue(r.log().contains(l), "missing '" + l + "' in\n" + r.log());
        }
        return r;
    }

    @Test
    void storingTheSkbDirectlyIntoTheKptrField() {
        rejected("enqueue", SLOT0 + """
                    *(u64 *)(r0 +0) = r6
                    r0 = 0
                    exit
                """ + DROP, Errno.EACCES, "10: (7b) *(u64 *)(r0 +0) = r6\n", "store to referenced kptr disallowed\n");
    }

    @Test
    void readingTheKptrWithoutANullCheck() {
        int len = f.t.skbLen;
        rejected("dequeue", """
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = fifo ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto out
                    r1 = *(u64 *)(r0 +0)
                    r2 = *(u32 *)(r1 +%d)
                out:
                    r0 = 0
                    exit
                """.formatted(len), Errno.EACCES, "R1 invalid mem access 'untrusted_ptr_or_null_'\n");
    }

    @Test
    void aLoadedKptrIsUntrustedButReadableAfterTheNullCheck() {
        int len = f.t.skbLen;
        ProgLoadResult r = f.load("dequeue", """
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = fifo ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto out
                    r1 = *(u64 *)(r0 +0)
                    if r1 == 0 goto out
                    r2 = *(u32 *)(r1 +%d)
                out:
                    r0 = 0
                    exit
                """.formatted(len));
        assertTrue(r.ok(), r.log());
    }

    @Test
    void forgettingToReleaseTheOldValueXchgReturns() {
        rejected("enqueue", SLOT0 + """
                    r1 = r0
                    r2 = r6
                    call bpf_kptr_xchg
                    r0 = 0
                    exit
                """ + DROP, Errno.EINVAL,
                // ids: 1 the skb (__ref ctx argument), 2 the lookup's map_value_or_null, 3 R0's
                // maybe-null id, 4 the reference acquire_reference_state() gives the old value
                "12: (85) call bpf_kptr_xchg#194       ; R0=ptr_or_null_sk_buff(id=4,ref_obj_id=4) refs=4\n",
                "Unreleased reference id=4 alloc_insn=12\n");
    }

    @Test
    void releasingTheSkbAfterXchgHandedItToTheMap() {
        rejected("enqueue", SLOT0 + """
                    r1 = r0
                    r2 = r6
                    call bpf_kptr_xchg
                    if r0 == 0 goto out
                    r1 = r0
                    call bpf_kfree_skb
                out:
                    r1 = r6
                    call bpf_kfree_skb
                    r0 = 0
                    exit
                """ + DROP, Errno.EINVAL, "16: (bf) r1 = r6                      ; R1=scalar(id=5) R6=scalar(id=5)\n",
                // the xchg released r6's reference: mark_reg_invalid() (allow_ptr_leaks: unknown scalar)
                "arg#0 pointer type STRUCT sk_buff must point to scalar, or struct with scalar\n");
    }

    @Test
    void xchgIntoAMapWithoutBtf() {
        rejected("enqueue", slot0("fifo_st") + """
                    r1 = r0
                    r2 = r6
                    call bpf_kptr_xchg
                    r0 = 0
                    exit
                """ + DROP, Errno.EINVAL, "map 'fifo_st' has to have BTF in order to use bpf_kptr_xchg\n");
    }

    @Test
    void xchgWithoutTheNullCheckOfTheLookup() {
        rejected("enqueue", """
                    r6 = *(u64 *)(r1 +0)
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = fifo ll
                    call bpf_map_lookup_elem
                    r1 = r0
                    r2 = r6
                    call bpf_kptr_xchg
                    r0 = 0
                    exit
                """, Errno.EACCES, "R1 type=map_value_or_null expected=map_value, ptr_\n");
    }

    @Test
    void aHelperMayNotReadOverTheKptr() {
        rejected("enqueue", SLOT0 + """
                    r2 = r0
                    r1 = fifo_st ll
                    call bpf_map_lookup_elem
                    r1 = r6
                    call bpf_kfree_skb
                    r0 = 0
                    exit
                """ + DROP, Errno.EACCES, "kptr cannot be accessed indirectly by helper\n");
    }
}
