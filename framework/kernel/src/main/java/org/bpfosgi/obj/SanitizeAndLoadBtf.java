package org.bpfosgi.obj;

import java.util.List;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.verifier.BtfNewFd;

/**
 * Models libbpf 1.5 bpf_object__sanitize_and_load_btf() for a v6.12 kernel (every BTF feature
 * supported: nothing to sanitise): the object's BTF goes to BPF_BTF_LOAD
 * ({@link BtfNewFd}: btf_parse_struct_metas() may refuse a {@code __kptr} the kernel has no
 * destructor for). On failure btf_load_into_kernel() warns "BTF loading error: %d"; an object
 * with struct_ops sections then fails ("Error loading .BTF into kernel: %d. BTF is mandatory,
 * can't proceed."), any other goes on without BTF ("... BTF is optional, ignoring.", INFO):
 * its maps are created without btf_fd. The BTF object stays referenced by the loaded object
 * until it is unloaded (bpf_object__close() closes the fd).
 */
final class SanitizeAndLoadBtf {
    private SanitizeAndLoadBtf() {
    }

    /**
     * The loaded BTF, or null (the object has none, or it was refused and is optional); libbpf's
     * lines go to {@code log}.
     *
     * @throws ObjLoader.ObjLoadException when the BTF was refused and the object needs it
     */
    static BtfObject load(OpenedObject o, String objName, StructOpsKernel k, List<String> log) {
        if (o.btf() == null) {
            return null;
        }
        BtfNewFd.Result r = BtfNewFd.load(k.progs().services(), objName, o.btf());
        if (r.ok()) {
            return r.btf();
        }
        log.add("BTF loading error: " + r.err());
        if (!o.structOpsVars().isEmpty()) { // kernel_needs_btf(): obj->efile.has_st_ops
            throw new ObjLoader.ObjLoadException(r.err(),
                    List.of("Error loading .BTF into kernel: " + r.err() + ". BTF is mandatory, can't proceed."));
        }
        log.add("Error loading .BTF into kernel: " + r.err() + ". BTF is optional, ignoring.");
        return null;
    }
}
