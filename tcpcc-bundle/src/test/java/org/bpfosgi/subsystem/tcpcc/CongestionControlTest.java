package org.bpfosgi.subsystem.tcpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The Reno-like and DCTCP-like congestion-control objects of examples/tcp-cc, loaded and
 * registered by their links, verified by the model and driven through their registered ops on a
 * simulated tcp_sock by {@link TcpAckHarness}.
 */
class CongestionControlTest {
    private static final Path EXAMPLES = Path.of("..", "examples", "tcp-cc");

    @Test
    void theHarnessDrivesTheRegisteredOpsAndTheUnloadUnregistersThem() throws IOException {
        TcpCaMachine m = TcpCaMachine.builtin();
        TcpAckHarness h = new TcpAckHarness(m, EXAMPLES.resolve("dctcp.bpf"), 10);
        assertEquals(java.util.List.of("reno", "cubic", "bpf_dctcp"), m.tcpCa.availableCongestionControl());
        assertEquals(1024, h.priv(8), "init ran through the registered tcp_congestion_ops");
        h.close();
        assertEquals(java.util.List.of("reno", "cubic"), m.tcpCa.availableCongestionControl());
        // a caller still holding the ops table after the unregistration reads freed memory
        org.bpfosgi.vm.MemoryFault f = org.junit.jupiter.api.Assertions.assertThrows(org.bpfosgi.vm.MemoryFault.class,
                () -> h.op("init"));
        assertTrue(f.getMessage().contains("use after free"), f.getMessage());
    }

    @Test
    void renoGrowsInSlowStartHalvesOnLossAndIsRestoredByUndo() throws IOException {
        TcpAckHarness h = new TcpAckHarness(TcpCaMachine.builtin(), EXAMPLES.resolve("reno.bpf"), 10);
        h.roundTrip(false);
        assertEquals(20, h.cwnd(), "slow start doubles cwnd per round trip");
        h.roundTrip(false);
        assertEquals(40, h.cwnd());
        h.loss();
        assertEquals(20, h.ssthresh(), "ssthresh = cwnd / 2");
        assertEquals(20, h.cwnd(), "cwnd halves");
        h.roundTrip(false);
        assertEquals(21, h.cwnd(), "congestion avoidance: +1 per round trip");
        h.undo();
        assertEquals(40, h.cwnd(), "undo restores prior_cwnd");
        assertEquals(TcpAckHarness.TCP_INFINITE_SSTHRESH, h.ssthresh(), "and the prior ssthresh");
    }

    @Test
    void renoSsthreshNeverGoesBelowTwo() throws IOException {
        TcpAckHarness h = new TcpAckHarness(TcpCaMachine.builtin(), EXAMPLES.resolve("reno.bpf"), 3);
        h.loss();
        assertEquals(2, h.ssthresh());
        assertEquals(2, h.cwnd());
    }

    @Test
    void dctcpCutsByAlphaHalfWhenEverythingIsMarkedLessWhenNothingIs() throws IOException {
        // every packet CE-marked: alpha stays at 1024, the cut is cwnd * 1024 >> 11 = half
        TcpAckHarness marked = new TcpAckHarness(TcpCaMachine.builtin(), EXAMPLES.resolve("dctcp.bpf"), 10);
        assertEquals(1024, marked.priv(8), "init: alpha = DCTCP_MAX_ALPHA");
        marked.roundTrip(true);
        marked.roundTrip(true);
        assertEquals(40, marked.cwnd());
        assertEquals(1024, marked.priv(8));
        marked.loss();
        assertEquals(20, marked.cwnd());
        assertEquals(40, marked.priv(16), "ssthresh remembered loss_cwnd");
        marked.undo();
        assertEquals(40, marked.cwnd(), "undo restores loss_cwnd");

        // nothing marked: alpha decays by 1/16 per window, the cut shrinks
        TcpAckHarness clean = new TcpAckHarness(TcpCaMachine.builtin(), EXAMPLES.resolve("dctcp.bpf"), 10);
        for (int i = 0; i < 3; i++) {
            clean.roundTrip(false);
        }
        long alpha = clean.priv(8);
        assertTrue(alpha < 1024 && alpha > 0, "alpha decayed: " + alpha);
        long cw = clean.cwnd();
        clean.loss();
        assertEquals(Math.max(cw - ((cw * alpha) >> 11), 2), clean.cwnd());
        assertTrue(clean.cwnd() > cw / 2, "a smaller cut than Reno's");
    }

    @Test
    void theProgramsAlsoLoadOnTheRealVmlinuxBtf() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(RecordingKernel.isThisMachine(),
                "not the kernel whose tcp_sock offsets the examples use (" + RecordingKernel.release() + ")");
        TcpAckHarness h = new TcpAckHarness(TcpCaMachine.real(), EXAMPLES.resolve("reno.bpf"), 10);
        h.roundTrip(false);
        assertEquals(20, h.cwnd());
    }
}
