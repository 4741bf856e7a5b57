package org.bpfosgi.subsystem.tcpcc;

import java.util.List;
import java.util.Set;

import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.subsystem.VerifierOps;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The bpf_tcp_ca code (net/ipv4/bpf_tcp_ca.c): activate is its init (bpf_tcp_ca_kfunc_init),
 * deactivate its exit, and the service it publishes registers the struct_ops type
 * {@code tcp_congestion_ops}.
 *
 * <p>Not modelled (spec §8): bpf_tcp_ca_verifier_ops (is_valid_access with the tcp_sock
 * promotion, bpf_tcp_ca_btf_struct_access, bpf_tcp_ca_get_func_proto), the kfunc set
 * bpf_tcp_ca_check_kfunc_ids, bpf_tcp_ca_init_member, and reg/unreg/validate
 * (tcp_register_congestion_control and friends). Until then the type has the kernel's
 * NULL-callback behaviour and no kfunc is callable from its programs.
 */
@Component(service = BpfSubsystem.class, immediate = true, property = "bpf.module=bpf_tcp_ca")
public class BpfTcpCa implements BpfSubsystem {
    private final StructOps tcpCongestionOps = new StructOps() {
        private final VerifierOps verifierOps = new VerifierOps() { };

        @Override
        public String name() {
            return "tcp_congestion_ops";
        }

        @Override
        public VerifierOps verifierOps() {
            return verifierOps;
        }

        /** __bpf_ops_tcp_congestion_ops: every function member but get_info has a stub. */
        @Override
        public Set<String> cfiStubs() {
            return Set.of("ssthresh", "cong_avoid", "set_state", "cwnd_event", "in_ack_event", "pkts_acked",
                    "min_tso_segs", "cong_control", "undo_cwnd", "sndbuf_expand", "init", "release");
        }

        @Override
        public void init(BtfTypes btf) {
        }

        @Override
        public boolean initMember(StructOpsMember member, KernelMemory mem, long kdata, long udata) {
            return false;
        }

        @Override
        public void reg(KernelMemory mem, long kdata) {
        }

        @Override
        public void unreg(KernelMemory mem, long kdata) {
        }
    };

    /** init: the registrations themselves are made by the kernel from this service. */
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
}
