package org.bpfosgi.subsystem.tcpcc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bpfosgi.obj.BpfObject;
import org.bpfosgi.obj.ObjLoader;
import org.bpfosgi.obj.ObjectText;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.vm.Region;

/**
 * A simulated TCP sender that calls a congestion control's ops as net/ipv4/tcp_input.c does
 * (tcp_ack → tcp_cong_control → tcp_cong_avoid; tcp_init_cwnd_reduction / tcp_end_cwnd_reduction
 * on a loss; tcp_undo_cwnd_reduction on an undo), on one {@code struct tcp_sock} in the kernel's
 * memory. The congestion control is an object (examples/tcp-cc/*.bpf) loaded with its
 * {@code .struct_ops.link} map: the link registers it on tcp_cong_list, and every op is called as
 * the kernel calls it — {@code icsk->icsk_ca_ops->member(sk, ...)}: the function pointer read from
 * the registered {@code struct tcp_congestion_ops} (the map's kdata, found by name with
 * tcp_ca_find()), a NULL member skipped as tcp_input.c's {@code if (icsk->icsk_ca_ops->X)} does,
 * and the call going through the member's struct_ops trampoline into the verified program.
 * Sequence numbers count packets. Not modelled: PRR's gradual reduction during recovery (cwnd
 * goes to ssthresh when recovery ends), pacing, RTT samples, timeouts.
 */
final class TcpAckHarness implements AutoCloseable {
    /** TCP_INFINITE_SSTHRESH. */
    static final long TCP_INFINITE_SSTHRESH = 0x7fffffff;
    /** TCP_CA_Open, TCP_CA_Recovery. */
    static final int TCP_CA_OPEN = 0;
    static final int TCP_CA_RECOVERY = 3;

    private final TcpCaTypes t;
    private final StructOpsKernel k;
    private final KernelMemory mem;
    private final BpfObject object;
    private final long caOps;
    private final Region tp;
    private final Region sample;
    private long priorSsthresh;

    /** Loads {@code object} (its link registers the congestion control) and runs its init op. */
    TcpAckHarness(TcpCaMachine m, Path object, int initialCwnd) throws IOException {
        this.t = m.types();
        this.k = new StructOpsKernel(m.pk, m.dmesg::add);
        this.mem = k.kernelMemory();
        ObjectText text = ObjectText.parse(Files.readString(object), object.getFileName().toString());
        String name = object.getFileName().toString().replace(".bpf", "");
        this.object = ObjLoader.load(text, name, null, k);
        String caName = ((ObjectText.Str) text.structOpsVars().get(0).data().get("name")).text();
        this.caOps = ((TcpCongestionOps) m.tcpCa.structOps().get(0)).tcpCong().find(caName)
                .orElseThrow(() -> new IllegalStateException(caName + " is not on tcp_cong_list: " + m.dmesg)).addr();
        tp = k.memory().allocate("tcp_sock", t.tcpSockSize, Region.Access.READ_WRITE);
        sample = k.memory().allocate("ack_sample", 16, Region.Access.READ_WRITE);
        set(t.sndCwnd, initialCwnd);
        set(t.sndSsthresh, TCP_INFINITE_SSTHRESH);
        set(t.sndCwndClamp, 0xffffffffL);
        setIsCwndLimited();
        op("init");
    }

    /** The object's unload: the link goes (tcp_unregister_congestion_control), then maps and programs. */
    @Override
    public void close() {
        k.memory().free(tp);
        k.memory().free(sample);
        ObjLoader.unload(object, k);
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

    /**
     * {@code icsk->icsk_ca_ops->member(sk, args...)}: the u32 result, 0 when the congestion
     * control leaves the member NULL.
     */
    long op(String member, long... args) {
        long fn = mem.readU64(caOps + t.opsOffset(member));
        if (fn == 0) {
            return 0;
        }
        long[] all = new long[args.length + 1];
        all[0] = tp.start();
        System.arraycopy(args, 0, all, 1, args.length);
        return mem.indirectCall(fn, all) & 0xffffffffL;
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
