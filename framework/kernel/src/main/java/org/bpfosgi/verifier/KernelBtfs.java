package org.bpfosgi.verifier;

import java.util.List;
import java.util.Optional;

import org.bpfosgi.module.Module;

/**
 * The kernel/bpf/btf.c functions the verifier calls on BTF objects: {@code btf_vmlinux},
 * {@code btf_get}, {@code btf_put} and {@code btf_try_get_module}.
 */
public interface KernelBtfs {
    /** {@code btf_vmlinux}; never null in this model (there is always a base BTF). */
    BtfHandle vmlinux();

    /** Models btf_get(). */
    void btfGet(BtfHandle btf);

    /** Models btf_put(). */
    void btfPut(BtfHandle btf);

    /**
     * Models btf_try_get_module(): the owning module with a reference held by {@code holder},
     * only if the module's btf_modules entry is LIVE and try_module_get() succeeds.
     */
    Optional<Module> btfTryGetModule(BtfHandle btf, String holder);

    /** The BTF objects of loaded modules, in load order (what a loader searches for kfuncs). */
    List<BtfHandle> moduleBtfs();

    /** The reference count of a BTF object, for tests and {@code btf list}. */
    int refcnt(BtfHandle btf);

    /**
     * Models kernel/bpf/btf.c btf_get_module_btf(): a NULL module is vmlinux BTF; a module's BTF
     * from btf_modules (gone once its GOING notification ran), with a reference; empty if none.
     */
    Optional<BtfHandle> btfGetModuleBtf(Module mod);
}
