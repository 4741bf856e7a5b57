package org.bpfosgi.subsystem.qdisc;

import java.util.List;

import org.bpfosgi.subsystem.VerifierOps;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The bpf_qdisc module: activate is its module_init, deactivate its module_exit, and the
 * service it publishes is its verifier ops.
 */
@Component(service = VerifierOps.class, immediate = true, property = "bpf.module=bpf_qdisc")
public class BpfQdisc implements VerifierOps {

    /**
     * module_init. Publishing this service is what registers the struct_ops type (the host
     * hands it to the kernel's registry during init). Not modelled yet (spec §7): its verifier
     * callbacks and kfunc set, so for now the type has the kernel's NULL-callback defaults and
     * no kfunc is callable from its programs.
     */
    @Activate
    void init() {
        // nothing to set up beyond the registration the service stands for
    }

    /** module_exit. */
    @Deactivate
    void exit() {
    }

    @Override
    public List<String> structOpsTypes() {
        return List.of("Qdisc_ops");
    }
}
