package org.bpfosgi.subsystem.tcpcc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;

/**
 * A simulated TCP sender that calls a congestion control's ops as net/ipv4/tcp_input.c does
 * (tcp_ack → tcp_cong_control → tcp_cong_avoid; tcp_init_cwnd_reduction / tcp_end_cwnd_reduction
 * on a loss; tcp_undo_cwnd_reduction on an undo), on one {@code struct tcp_sock} in the
 * interpreter's memory. Each op is a program loaded (and so verified) by the model and run in
 * the interpreter. Sequence numbers count packets. Not modelled: PRR's gradual reduction during
 * recovery (cwnd goes to ssthresh when recovery ends), pacing, RTT samples, timeouts.
 */
final class TcpAckHarness {
    /** TCP_INFINITE_SSTHRESH. */
    static final long TCP_INFINITE_SSTHRESH = 0x7fffffff;
    /** TCP_CA_Open, TCP_CA_Recovery. */
    static final int TCP_CA_OPEN = 0;
    static final int TCP_CA_RECOVERY = 3;

    private final TcpCaMachine m;
    private final TcpCaTypes t;
    private final KernelMemory mem;
    private final Map<String, LoadedProgram> ops = new HashMap<>();
    private final Region tp;
    private final Region ctx;
    private final Region sample;
    private long priorSsthresh;

    TcpAckHarness(TcpCaMachine m, Path dir, int initialCwnd) throws IOException {
        this.m = m;
        this.t = m.types();
        this.mem = m.kernelMemory();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".s")).sorted().toList()) {
                ProgLoadResult r = m.load(Files.readString(f));
                if (!r.ok()) {
                    throw new IllegalStateException(f + " does not load: " + r.log());
                }
                String member = f.getFileName().toString().replace(".s", "");
                ops.put(member, m.prepare(r.prog()));
            }
        }
        tp = m.allocate("tcp_sock", t.tcpSockSize);
        ctx = m.allocate("ctx", 8 * 4);
        sample = m.allocate("ack_sample", 16);
        set(t.sndCwnd, initialCwnd);
        set(t.sndSsthresh, TCP_INFINITE_SSTHRESH);
        set(t.sndCwndClamp, 0xffffffffL);
        setIsCwndLimited();
        op("init");
    }

    private void setIsCwndLimited() {
        long byteAddr = tp.start() + t.isCwndLimitedBit / 8;
        long word = byteAddr & ~3L;
        int bit = (int) ((byteAddr - word) * 8 + t.isCwndLimitedBit % 8);
        mem.writeU32(word, mem.readU32(word) | (1 << bit));
    }

    long get(int off) {
        return mem.readU32(tp.start() + off) & 0xffffffffL;
    }

    void set(int off, long v) {
        mem.writeU32(tp.start() + off, (int) v);
    }

    long cwnd() {
        return get(t.sndCwnd);
    }

    long ssthresh() {
        return get(t.sndSsthresh);
    }

    /** The u32 at {@code off} of icsk_ca_priv (the congestion control's private state). */
    long priv(int off) {
        return get(t.icskCaPriv + off);
    }

    /** Runs op {@code member} with the u64 arguments, if the congestion control has it. */
    long op(String member, long... args) {
        LoadedProgram p = ops.get(member);
        if (p == null) {
            return 0;
        }
        mem.writeU64(ctx.start(), tp.start());
        for (int i = 0; i < args.length; i++) {
            mem.writeU64(ctx.start() + 8 * (i + 1), args[i]);
        }
        Outcome o = m.run(p, ctx.start());
        if (!(o instanceof Exit e)) {
            throw new IllegalStateException(member + " did not return: " + o);
        }
        return e.r0() & 0xffffffffL;
    }

    /**
     * One ACK of {@code acked} packets, {@code ce} of them CE-marked: the delivered counters and
     * snd_una advance, pkts_acked(sk, sample), then cong_avoid(sk, ack, acked).
     */
    void ack(int acked, int ce) {
        set(t.btf.offsetOf(t.tcpSockId, "delivered"), get(t.btf.offsetOf(t.tcpSockId, "delivered")) + acked);
        set(t.btf.offsetOf(t.tcpSockId, "delivered_ce"), get(t.btf.offsetOf(t.tcpSockId, "delivered_ce")) + ce);
        long una = get(t.btf.offsetOf(t.tcpSockId, "snd_una")) + acked;
        set(t.btf.offsetOf(t.tcpSockId, "snd_una"), una);
        set(t.btf.offsetOf(t.tcpSockId, "snd_nxt"), una + cwnd());
        op("cwnd_event", ce > 0 ? 5 : 4);
        mem.writeU32(sample.start(), acked);
        op("pkts_acked", sample.start());
        op("cong_avoid", una, acked);
    }

    /** A round trip: the whole window is acknowledged, one ACK per packet. */
    void roundTrip(boolean ceMarked) {
        long w = cwnd();
        for (long i = 0; i < w; i++) {
            ack(1, ceMarked ? 1 : 0);
        }
    }

    /**
     * A loss detected by duplicate ACKs: tcp_enter_recovery() → tcp_init_cwnd_reduction()
     * (prior_ssthresh, prior_cwnd, ssthresh = ops->ssthresh(sk)), set_state(TCP_CA_Recovery),
     * then recovery ends: tcp_end_cwnd_reduction() sets cwnd to ssthresh.
     */
    void loss() {
        long cw = cwnd();
        long ss = ssthresh();
        // tcp_current_ssthresh()
        priorSsthresh = Math.max(ss, (cw >> 1) + (cw >> 2));
        set(t.priorCwnd, cw);
        set(t.sndSsthresh, op("ssthresh"));
        op("set_state", TCP_CA_RECOVERY);
        set(t.sndCwnd, ssthresh());
        op("set_state", TCP_CA_OPEN);
    }

    /** The loss was spurious: tcp_undo_cwnd_reduction() with ops->undo_cwnd(sk). */
    void undo() {
        set(t.sndCwnd, op("undo_cwnd"));
        if (priorSsthresh > ssthresh()) {
            set(t.sndSsthresh, priorSsthresh);
        }
    }
}
