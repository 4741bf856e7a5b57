package org.bpfosgi.subsystem.tcpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/** bpf_tcp_ca_verifier_ops on the built-in base: each check with the kernel's message and errno. */
class TcpCaVerifierTest {
    private final TcpCaMachine m = TcpCaMachine.builtin();

    private ProgLoadResult load(String member, String body) {
        return m.load(".license \"GPL\"\nSEC(\"struct_ops/" + member + "\")\nprog:\n" + body);
    }

    private void rejected(String member, String body, Errno errno, String message) {
        ProgLoadResult r = load(member, body);
        assertTrue(!r.ok(), "expected a rejection with " + message + "\n" + r.log());
        assertEquals(errno, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains(message), "log lacks [" + message + "]:\n" + r.log());
    }

    private void accepted(String member, String body) {
        ProgLoadResult r = load(member, body);
        assertTrue(r.ok(), r.log());
    }

    private int off(String path) {
        TcpCaTypes t = m.types();
        return t.btf.offsetOf(t.tcpSockId, path);
    }

    @Test
    void sockArgumentIsPromotedToTcpSockAndItsWritableFieldsTakeWrites() {
        int cwnd = off("snd_cwnd");
        ProgLoadResult r = load("cong_avoid", "    r1 = *(u64 *)(r1 +0)\n    r2 = *(u32 *)(r1 +" + cwnd + ")\n"
                + "    r2 += 1\n    *(u32 *)(r1 +" + cwnd + ") = r2\n    exit\n");
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("type STRUCT 'sock'") || r.log().contains("'sock'"), r.log());
    }

    @Test
    void everyWritableFieldAcceptsAWriteOfItsSize() {
        for (TcpCaTypes.WritableField f : m.types().writable) {
            int size = f.end() - f.first() >= 8 ? 8 : f.end() - f.first();
            String st = switch (size) {
                case 8 -> "u64";
                case 4 -> "u32";
                case 2 -> "u16";
                default -> "u8";
            };
            accepted("cong_avoid", "    r1 = *(u64 *)(r1 +0)\n    *(" + st + " *)(r1 +" + f.first() + ") = 0\n    exit\n");
        }
    }

    @Test
    void writeOutsideTheListIsNoWriteSupport() {
        int off = off("snd_cwnd_clamp");
        rejected("cong_avoid", "    r1 = *(u64 *)(r1 +0)\n    *(u32 *)(r1 +" + off + ") = 0\n    exit\n",
                Errno.EACCES, "no write support to tcp_sock at off " + off + "\n");
    }

    @Test
    void writeStartingInsideAFieldIsNoWriteSupport() {
        int off = off("snd_cwnd") + 1;
        rejected("cong_avoid", "    r1 = *(u64 *)(r1 +0)\n    *(u8 *)(r1 +" + off + ") = 0\n    exit\n",
                Errno.EACCES, "no write support to tcp_sock at off " + off + "\n");
    }

    @Test
    void writePastTheFieldEndIsBeyondTheMember() {
        int off = off("snd_cwnd");
        rejected("cong_avoid", "    r1 = *(u64 *)(r1 +0)\n    *(u64 *)(r1 +" + off + ") = 0\n    exit\n",
                Errno.EACCES, "write access at off " + off + " with size 8 beyond the member of tcp_sock ended at "
                        + (off + 4) + "\n");
    }

    @Test
    void writeThroughAnotherStructIsReadOnly() {
        // pkts_acked's second argument is a const struct ack_sample *
        rejected("pkts_acked", "    r1 = *(u64 *)(r1 +8)\n    *(u32 *)(r1 +0) = 0\n    exit\n",
                Errno.EACCES, "only read is supported\n");
    }

    @Test
    void setsockoptIsNotAvailableInRelease() {
        String body = "    r1 = *(u64 *)(r1 +0)\n    r2 = 6\n    r3 = 13\n    *(u64 *)(r10 -8) = 0\n    r4 = r10\n"
                + "    r4 += -8\n    r5 = 8\n    call 49\n    exit\n";
        accepted("init", body);
        rejected("release", body, Errno.EINVAL, "program of this type cannot use helper bpf_setsockopt#49\n");
        String get = body.replace("call 49", "call 57");
        accepted("cong_avoid", get);
        rejected("release", get, Errno.EINVAL, "program of this type cannot use helper bpf_getsockopt#57\n");
    }

    @Test
    void tcpSendAckTakesTheTcpSock() {
        accepted("cwnd_event", "    r1 = *(u64 *)(r1 +0)\n    r2 = 0\n    call 116\n    exit\n");
        rejected("pkts_acked", "    r1 = *(u64 *)(r1 +8)\n    r2 = 0\n    call 116\n    exit\n",
                Errno.EACCES, "R1 is of type ack_sample but tcp_sock is expected\n");
    }

    @Test
    void getInfoIsUnsupported() {
        rejected("get_info", "    r0 = 0\n    exit\n", Errno.ENOTSUPP,
                "attach to unsupported member get_info of struct tcp_congestion_ops\n");
    }

    @Test
    void kfuncsOfTheSetAreCallable() {
        accepted("ssthresh", "    r1 = *(u64 *)(r1 +0)\n    call tcp_reno_ssthresh\n    exit\n");
        accepted("cong_avoid", "    r6 = *(u64 *)(r1 +0)\n    r1 = r6\n    r2 = 10\n    call tcp_slow_start\n"
                + "    r1 = r6\n    r2 = 10\n    r3 = 1\n    call tcp_cong_avoid_ai\n    exit\n");
    }
}
