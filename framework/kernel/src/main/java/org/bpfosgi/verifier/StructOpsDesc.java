package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.module.Module;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * Models {@code struct bpf_struct_ops_desc} with its {@code st_ops}: the struct_ops type's name
 * and id in its BTF, the value type's id ({@code bpf_struct_ops_<name>}), the owner module
 * ({@code st_ops->owner}, null when built in) and the subsystem's {@code struct bpf_struct_ops}.
 */
public record StructOpsDesc(String name, BtfObject btf, int typeId, int valueId, Module owner, StructOps stOps) {
    /** {@code st_ops->verifier_ops}. */
    public VerifierOps ops() {
        return stOps.verifierOps();
    }
}
