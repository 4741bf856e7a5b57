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

    /** module_init. */
    @Activate
    void init() {
        // registers the kfunc set and the struct_ops type once BTF and the verifier exist
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
