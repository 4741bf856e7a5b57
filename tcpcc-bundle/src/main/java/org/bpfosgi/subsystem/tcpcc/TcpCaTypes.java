package org.bpfosgi.subsystem.tcpcc;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.api.BtfMember;
import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;

/**
 * What bpf_tcp_ca_init() (net/ipv4/bpf_tcp_ca.c) resolves in the owner's BTF — the ids of
 * {@code struct sock}, {@code struct tcp_sock} and {@code struct tcp_congestion_ops} — plus the
 * offsets the kernel's C code knows at compile time ({@code offsetof()} in
 * bpf_tcp_ca_btf_struct_access(), bpf_tcp_ca_init_member(), prog_ops_moff() and the tcp_sock
 * fields the tcp_reno kfuncs touch), taken from the same BTF. Immutable.
 */
final class TcpCaTypes {
    /** One {@code case} of bpf_tcp_ca_btf_struct_access()'s {@code switch (off)}: [first, last] and its offsetofend. */
    record WritableField(String path, int first, int last, int end) {
    }

    final BtfTypes btf;
    final int sockId;
    final int tcpSockId;
    final int tcpCongestionOpsId;
    final List<WritableField> writable;
    // tcp_sock fields of the tcp_reno kfuncs (net/ipv4/tcp_cong.c) and the harness
    final int sndCwnd;
    final int sndCwndCnt;
    final int sndSsthresh;
    final int sndCwndClamp;
    final int priorCwnd;
    final int maxPacketsOut;
    final long isCwndLimitedBit;
    final int icskCaPriv;
    final int icskCaState;
    final int tcpSockSize;
    // tcp_congestion_ops
    final int opsName;
    final int opsFlags;
    final int opsKey;
    final int opsSize;

    private TcpCaTypes(BtfTypes btf, int sockId, int tcpSockId, int opsId) {
        this.btf = btf;
        this.sockId = sockId;
        this.tcpSockId = tcpSockId;
        this.tcpCongestionOpsId = opsId;
        List<WritableField> w = new ArrayList<>();
        // the kernel's switch, case by case (v6.12: sk_pacing_* since 5.18, app_limited since 6.3,
        // snd_cwnd_stamp since 6.10); only icsk_ca_priv is a bpf_ctx_range()
        exact(w, "inet_conn.icsk_inet.sk.sk_pacing_rate");
        exact(w, "inet_conn.icsk_inet.sk.sk_pacing_status");
        BtfMember priv = btf.memberPath(tcpSockId, "inet_conn.icsk_ca_priv");
        int privOff = priv.byteOffset();
        int privEnd = privOff + (int) btf.resolveSize(priv.type());
        w.add(new WritableField("inet_conn.icsk_ca_priv", privOff, privEnd - 1, privEnd));
        exact(w, "inet_conn.icsk_ack.pending");
        exact(w, "snd_cwnd");
        exact(w, "snd_cwnd_cnt");
        exact(w, "snd_cwnd_stamp");
        exact(w, "snd_ssthresh");
        exact(w, "ecn_flags");
        exact(w, "app_limited");
        this.writable = List.copyOf(w);
        this.sndCwnd = btf.offsetOf(tcpSockId, "snd_cwnd");
        this.sndCwndCnt = btf.offsetOf(tcpSockId, "snd_cwnd_cnt");
        this.sndSsthresh = btf.offsetOf(tcpSockId, "snd_ssthresh");
        this.sndCwndClamp = btf.offsetOf(tcpSockId, "snd_cwnd_clamp");
        this.priorCwnd = btf.offsetOf(tcpSockId, "prior_cwnd");
        this.maxPacketsOut = btf.offsetOf(tcpSockId, "max_packets_out");
        this.isCwndLimitedBit = btf.memberPath(tcpSockId, "is_cwnd_limited").bitOffset();
        this.icskCaPriv = privOff;
        this.icskCaState = (int) (btf.memberPath(tcpSockId, "inet_conn.icsk_ca_state").bitOffset() / 8);
        this.tcpSockSize = (int) btf.resolveSize(tcpSockId);
        this.opsName = btf.offsetOf(opsId, "name");
        this.opsFlags = btf.offsetOf(opsId, "flags");
        this.opsKey = btf.offsetOf(opsId, "key");
        this.opsSize = (int) btf.resolveSize(opsId);
    }

    private void exact(List<WritableField> w, String path) {
        BtfMember m = btf.memberPath(tcpSockId, path);
        int off = m.byteOffset();
        w.add(new WritableField(path, off, off, off + (int) btf.resolveSize(m.type())));
    }

    /** Models bpf_tcp_ca_init(): -EINVAL when one of the three structs is missing. */
    static TcpCaTypes init(BtfTypes btf) {
        int sock = btf.findByNameKind("sock", BtfKind.STRUCT);
        if (sock < 0) {
            throw new KernelException(Errno.EINVAL, "bpf_tcp_ca_init: no struct sock in BTF");
        }
        int tcpSock = btf.findByNameKind("tcp_sock", BtfKind.STRUCT);
        if (tcpSock < 0) {
            throw new KernelException(Errno.EINVAL, "bpf_tcp_ca_init: no struct tcp_sock in BTF");
        }
        int ops = btf.findByNameKind("tcp_congestion_ops", BtfKind.STRUCT);
        if (ops < 0) {
            throw new KernelException(Errno.EINVAL, "bpf_tcp_ca_init: no struct tcp_congestion_ops in BTF");
        }
        return new TcpCaTypes(btf, sock, tcpSock, ops);
    }

    /** offsetof(struct tcp_congestion_ops, member). */
    int opsOffset(String member) {
        return btf.offsetOf(tcpCongestionOpsId, member);
    }
}
