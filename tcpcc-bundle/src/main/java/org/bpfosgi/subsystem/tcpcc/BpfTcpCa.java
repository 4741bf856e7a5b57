package org.bpfosgi.subsystem.tcpcc;

import java.util.List;
import java.util.Map;

import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.Kfunc;
import org.bpfosgi.subsystem.KfuncSet;
import org.bpfosgi.subsystem.StructOps;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The bpf_tcp_ca code (net/ipv4/bpf_tcp_ca.c, v6.12): activate is its initcall
 * bpf_tcp_ca_kfunc_init(), which registers the kfunc set {@code bpf_tcp_ca_check_kfunc_ids} for
 * STRUCT_OPS programs and then the struct_ops type {@code tcp_congestion_ops}.
 *
 * <p>Not modelled: the module-provided congestion-control kfuncs (cubic, dctcp, bbr register
 * their own sets); {@code tcp_congestion_ops} programs running on real sockets (the kfunc bodies
 * and the test harness work on a simulated {@code struct tcp_sock}); jhash key collisions are
 * modelled, the RCU grace period of unregister is not.
 */
@Component(service = BpfSubsystem.class, immediate = true, property = "bpf.module=bpf_tcp_ca")
public class BpfTcpCa implements BpfSubsystem {
    private final TcpCongestionOps tcpCongestionOps = new TcpCongestionOps(line -> { });
    private final TcpCaKfuncs kfuncs = new TcpCaKfuncs(tcpCongestionOps::types);

    /** bpf_tcp_ca_kfunc_init: the registrations themselves are made by the kernel from this service. */
    @Activate
    void init() {
    }

    /** exit. */
    @Deactivate
    void exit() {
    }

    @Override
    public List<StructOps> structOps() {
        return List.of(tcpCongestionOps);
    }

    /** {@code register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS, &bpf_tcp_ca_kfunc_set)}. */
    @Override
    public List<KfuncSet> kfuncSets() {
        return List.of(new KfuncSet("bpf_tcp_ca_check_kfunc_ids", List.of(BpfProgType.STRUCT_OPS)));
    }

    @Override
    public Map<String, Kfunc> functions() {
        return Map.of(
                "tcp_reno_ssthresh", kfuncs::renoSsthresh,
                "tcp_reno_cong_avoid", kfuncs::renoCongAvoid,
                "tcp_reno_undo_cwnd", kfuncs::renoUndoCwnd,
                "tcp_slow_start", kfuncs::slowStart,
                "tcp_cong_avoid_ai", kfuncs::congAvoidAi,
                // BPF_CALL_2(bpf_tcp_send_ack, ...): __tcp_send_ack() on a simulated socket sends nothing
                "bpf_tcp_send_ack", (mem, args) -> 0);
    }

    /** The names on tcp_cong_list (reno, cubic, then registered BPF ones). */
    public List<String> availableCongestionControl() {
        return tcpCongestionOps.tcpCong().available();
    }
}
