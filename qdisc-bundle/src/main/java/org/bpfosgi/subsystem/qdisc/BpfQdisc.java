package org.bpfosgi.subsystem.qdisc;

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
 * The bpf_qdisc module (net/sched/bpf_qdisc.c, v6.16): activate is its module_init, deactivate
 * its module_exit, and the service it publishes registers the struct_ops type {@code Qdisc_ops}.
 *
 * <p>Not modelled (spec §7): bpf_qdisc_verifier_ops (is_valid_access, btf_struct_access,
 * gen_prologue, gen_epilogue), its kfunc set and filter, bpf_qdisc_init_member and
 * bpf_qdisc_validate. Until then the type has the kernel's NULL-callback behaviour, every
 * function member has a stub, and no kfunc is callable from its programs.
 */
@Component(service = BpfSubsystem.class, immediate = true, property = "bpf.module=bpf_qdisc")
public class BpfQdisc implements BpfSubsystem {
    private final StructOps qdiscOps = new StructOps() {
        private final VerifierOps verifierOps = new VerifierOps() { };

        @Override
        public String name() {
            return "Qdisc_ops";
        }

        @Override
        public VerifierOps verifierOps() {
            return verifierOps;
        }

        /** bpf_qdisc_cfi_stubs: the five members a BPF qdisc implements. */
        @Override
        public Set<String> cfiStubs() {
            return Set.of("enqueue", "dequeue", "init", "reset", "destroy");
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

    /** module_init: the registrations themselves are made by the kernel from this service. */
    @Activate
    void init() {
    }

    /** module_exit. */
    @Deactivate
    void exit() {
    }

    @Override
    public List<StructOps> structOps() {
        return List.of(qdiscOps);
    }
}
