package org.bpfosgi.subsystem.tcpcc;

import java.util.function.Supplier;

import org.bpfosgi.subsystem.KernelMemory;

/**
 * The Java bodies of {@code bpf_tcp_ca_check_kfunc_ids} (net/ipv4/tcp_cong.c, v6.12), bound by
 * name, on a {@code struct tcp_sock} in {@link KernelMemory} at the offsets of vmlinux BTF.
 * {@code tcp_snd_cwnd()} / {@code tcp_snd_cwnd_set()} are plain reads/writes of {@code snd_cwnd}
 * (the kernel's WARN_ON_ONCE for a 0 cwnd is not modelled).
 */
final class TcpCaKfuncs {
    private final Supplier<TcpCaTypes> types;

    TcpCaKfuncs(Supplier<TcpCaTypes> types) {
        this.types = types;
    }

    private static long u32(KernelMemory m, long addr) {
        return m.readU32(addr) & 0xffffffffL;
    }

    private static void setU32(KernelMemory m, long addr, long v) {
        m.writeU32(addr, (int) v);
    }

    /** {@code u32 tcp_reno_ssthresh(struct sock *sk)}: {@code max(tcp_snd_cwnd(tp) >> 1U, 2U)}. */
    long renoSsthresh(KernelMemory m, long[] a) {
        TcpCaTypes t = types.get();
        return Math.max(u32(m, a[0] + t.sndCwnd) >>> 1, 2);
    }

    /** {@code u32 tcp_reno_undo_cwnd(struct sock *sk)}: {@code max(tcp_snd_cwnd(tp), tp->prior_cwnd)}. */
    long renoUndoCwnd(KernelMemory m, long[] a) {
        TcpCaTypes t = types.get();
        return Math.max(u32(m, a[0] + t.sndCwnd), u32(m, a[0] + t.priorCwnd));
    }

    /** {@code void tcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked)}. */
    long renoCongAvoid(KernelMemory m, long[] a) {
        long tp = a[0];
        long acked = a[2] & 0xffffffffL;
        if (!isCwndLimited(m, tp)) {
            return 0;
        }
        if (inSlowStart(m, tp)) {
            acked = slowStart(m, tp, acked);
            if (acked == 0) {
                return 0;
            }
        }
        congAvoidAi(m, tp, u32(m, tp + types.get().sndCwnd), acked);
        return 0;
    }

    /** {@code u32 tcp_slow_start(struct tcp_sock *tp, u32 acked)}. */
    long slowStart(KernelMemory m, long[] a) {
        return slowStart(m, a[0], a[1] & 0xffffffffL);
    }

    /** {@code void tcp_cong_avoid_ai(struct tcp_sock *tp, u32 w, u32 acked)}. */
    long congAvoidAi(KernelMemory m, long[] a) {
        congAvoidAi(m, a[0], a[1] & 0xffffffffL, a[2] & 0xffffffffL);
        return 0;
    }

    private long slowStart(KernelMemory m, long tp, long acked) {
        TcpCaTypes t = types.get();
        long sndCwnd = u32(m, tp + t.sndCwnd);
        long cwnd = Math.min((sndCwnd + acked) & 0xffffffffL, u32(m, tp + t.sndSsthresh));
        acked = (acked - (cwnd - sndCwnd)) & 0xffffffffL;
        setU32(m, tp + t.sndCwnd, Math.min(cwnd, u32(m, tp + t.sndCwndClamp)));
        return acked;
    }

    private void congAvoidAi(KernelMemory m, long tp, long w, long acked) {
        TcpCaTypes t = types.get();
        // If credits accumulated at a higher w, apply them gently now.
        if (u32(m, tp + t.sndCwndCnt) >= w) {
            setU32(m, tp + t.sndCwndCnt, 0);
            setU32(m, tp + t.sndCwnd, u32(m, tp + t.sndCwnd) + 1);
        }
        setU32(m, tp + t.sndCwndCnt, u32(m, tp + t.sndCwndCnt) + acked);
        if (u32(m, tp + t.sndCwndCnt) >= w) {
            long delta = u32(m, tp + t.sndCwndCnt) / w;
            setU32(m, tp + t.sndCwndCnt, u32(m, tp + t.sndCwndCnt) - delta * w);
            setU32(m, tp + t.sndCwnd, u32(m, tp + t.sndCwnd) + delta);
        }
        setU32(m, tp + t.sndCwnd, Math.min(u32(m, tp + t.sndCwnd), u32(m, tp + t.sndCwndClamp)));
    }

    /** {@code tcp_in_slow_start()}: {@code tcp_snd_cwnd(tp) < tp->snd_ssthresh}. */
    private boolean inSlowStart(KernelMemory m, long tp) {
        TcpCaTypes t = types.get();
        return u32(m, tp + t.sndCwnd) < u32(m, tp + t.sndSsthresh);
    }

    /** {@code tcp_is_cwnd_limited()}: the flag, or in slow start cwnd &lt; 2 * max_packets_out. */
    private boolean isCwndLimited(KernelMemory m, long tp) {
        TcpCaTypes t = types.get();
        long byteAddr = tp + t.isCwndLimitedBit / 8;
        long word = byteAddr & ~3L;
        int bit = (int) ((byteAddr - word) * 8 + t.isCwndLimitedBit % 8);
        if (((m.readU32(word) >>> bit) & 1) != 0) {
            return true;
        }
        if (inSlowStart(m, tp)) {
            return u32(m, tp + t.sndCwnd) < 2 * u32(m, tp + t.maxPacketsOut);
        }
        return false;
    }
}
