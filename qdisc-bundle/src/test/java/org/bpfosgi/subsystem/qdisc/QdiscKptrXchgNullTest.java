package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/**
 * check_reg_type() (kernel/bpf/verifier.c v6.12) for bpf_kptr_xchg's release argument: a
 * PTR_TO_BTF_ID | PTR_MAYBE_NULL pointer is refused ("Possibly NULL pointer passed to helper
 * arg%d", -EACCES) although the argument type takes NULL, because it is a release argument — the
 * kernel's selftest kptr_xchg_possibly_null (tools/testing/selftests/bpf/progs/map_kptr_fail.c).
 * A known NULL (the scalar 0) still skips the type check.
 */
class QdiscKptrXchgNullTest {
    private final QdiscFifo f = new QdiscFifo(new QdiscMachine(), 4);

    /** Moves the skb into fifo[0], then xchg()es the old value (maybe NULL, not checked) back into it. */
    private static final String BODY = """
                r6 = *(u64 *)(r1 +0)
                r8 = *(u64 *)(r1 +16)
                *(u32 *)(r10 -4) = 0
                r2 = r10
                r2 += -4
                r1 = fifo ll
                call bpf_map_lookup_elem
                if r0 == 0 goto drop
                r7 = r0
                r1 = r7
                r2 = r6
                call bpf_kptr_xchg
                r1 = r7
                r2 = %s
                call bpf_kptr_xchg
                if r0 == 0 goto out
                r1 = r0
                call bpf_kfree_skb
            out:
                r0 = 0
                exit
            drop:
                r1 = r6
                r2 = r8
                call bpf_qdisc_skb_drop
                r0 = 1
                exit
            """;

    @Test
    void aMaybeNullPointerIsNotReleasedIntoTheMap() {
        ProgLoadResult r = f.load("enqueue", BODY.formatted("r0"));
        assertFalse(r.ok(), r.log());
        assertEquals(Errno.EACCES, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("15: (85) call bpf_kptr_xchg#194\nPossibly NULL pointer passed to helper arg2\n"), r.log());
    }

    @Test
    void aKnownNullIsStillAccepted() {
        // the old value checked and released; a known NULL (the scalar 0) xchg()ed in instead
        ProgLoadResult r = f.load("enqueue", """
                    r6 = *(u64 *)(r1 +0)
                    r8 = *(u64 *)(r1 +16)
                    *(u32 *)(r10 -4) = 0
                    r2 = r10
                    r2 += -4
                    r1 = fifo ll
                    call bpf_map_lookup_elem
                    if r0 == 0 goto drop
                    r7 = r0
                    r1 = r7
                    r2 = r6
                    call bpf_kptr_xchg
                    if r0 == 0 goto put
                    r1 = r0
                    call bpf_kfree_skb
                put:
                    r1 = r7
                    r2 = 0
                    call bpf_kptr_xchg
                    if r0 == 0 goto out
                    r1 = r0
                    call bpf_kfree_skb
                out:
                    r0 = 0
                    exit
                drop:
                    r1 = r6
                    r2 = r8
                    call bpf_qdisc_skb_drop
                    r0 = 1
                    exit
                """);
        assertTrue(r.ok(), r.log());
    }
}
