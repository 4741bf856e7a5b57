package org.bpfosgi.obj.core;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfRegistry;

/**
 * Where CO-RE candidates come from (bpf_core_find_cands()): vmlinux BTF first (ids from 1), and
 * only when vmlinux has no candidate for a type, the kernel's module BTFs, each scanned from the
 * first id after vmlinux, in the order load_module_btfs() found them (BTF object id order). An
 * override ({@code btf_custom_path}) replaces vmlinux and turns the module search off.
 *
 * @param vmlinux  vmlinux BTF, or the override
 * @param override whether {@code vmlinux} is a {@code btf_custom_path} override
 * @param modules  the module BTFs (split over vmlinux), asked for at most once per relocator, as
 *                 load_module_btfs() runs once per object
 */
public record CoreTargets(Btf vmlinux, boolean override, Supplier<List<TargetBtf>> modules) {
    /** A module's BTF and the name libbpf prints for it ("bpf_testmod"). */
    public record TargetBtf(String name, Btf btf) {
    }

    public CoreTargets {
        Objects.requireNonNull(vmlinux, "vmlinux");
        Objects.requireNonNull(modules, "modules");
    }

    /** vmlinux and these module BTFs. */
    public static CoreTargets of(Btf vmlinux, List<TargetBtf> modules) {
        List<TargetBtf> copy = List.copyOf(modules);
        return new CoreTargets(vmlinux, false, () -> copy);
    }

    /** vmlinux only (no module BTFs loaded, as on a kernel without module BTF). */
    public static CoreTargets vmlinuxOnly(Btf vmlinux) {
        return new CoreTargets(vmlinux, false, List::of);
    }

    /** A {@code btf_custom_path} override: only this BTF is searched. */
    public static CoreTargets override(Btf custom) {
        return new CoreTargets(custom, true, List::of);
    }

    /**
     * The model kernel's BTFs: its vmlinux and, when asked, the module BTFs registered at that
     * moment (BtfRegistry.moduleBtfs(), in BTF id order).
     */
    public static CoreTargets of(BtfRegistry registry) {
        return new CoreTargets(registry.vmlinuxBtf(), false, () -> registry.moduleBtfs().stream()
                .map((BtfObject o) -> new TargetBtf(o.name(), o.btf())).toList());
    }
}
