package org.bpfosgi.verifier;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.CompiledBtf;
import org.bpfosgi.module.Module;

/**
 * A kernel BTF object as the verifier holds it ({@code struct btf *}): vmlinux's or a module's,
 * with its name (the module name for module BTF), the parsed types and the owning module.
 * Reference counting goes through {@link KernelBtfs}.
 *
 * <p>The kernel's BTF registry ({@code btf_idr}, btf_get/btf_put, btf_try_get_module,
 * {@link org.bpfosgi.btf.BtfRegistry}) is seen through {@link RegistryKernelBtfs}.
 */
public interface BtfHandle {
    /** "vmlinux" or the module's name. */
    String name();

    /** The types. */
    Btf btf();

    /** The owning module; null for vmlinux (and for built-in subsystems folded into it). */
    Module module();

    /** The resolved {@code .BTF_ids} lists and sets (kfunc sets) of this BTF. */
    CompiledBtf compiled();

    /** Models btf_is_module(). */
    default boolean isModule() {
        return module() != null;
    }
}
