package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.module.ModuleTable;

/**
 * What bpf_check() reaches in the rest of the kernel: the module table, the BTF objects, the
 * struct_ops / kfunc-set registrations and kallsyms. Also the JIT facts add_kfunc_call() asks
 * about: x86-64 with the JIT always on ({@code jit_requested}, {@code bpf_jit_supports_kfunc_call()}
 * true, {@code bpf_jit_supports_far_kfunc_call()} false).
 */
public record KernelServices(ModuleTable modules, BtfRegistry btfs, StructOpsRegistry registry, boolean jitRequested,
                             boolean jitSupportsKfuncCall, boolean jitSupportsFarKfuncCall, VerifierMaps maps) {
    /** An x86-64 kernel with CONFIG_BPF_JIT_ALWAYS_ON and no maps. */
    public static KernelServices x86(ModuleTable modules, BtfRegistry btfs, StructOpsRegistry registry) {
        return x86(modules, btfs, registry, VerifierMaps.NONE);
    }

    /** An x86-64 kernel with CONFIG_BPF_JIT_ALWAYS_ON whose maps are {@code maps}. */
    public static KernelServices x86(ModuleTable modules, BtfRegistry btfs, StructOpsRegistry registry, VerifierMaps maps) {
        return new KernelServices(modules, btfs, registry, true, true, false, maps);
    }

    public Kallsyms kallsyms() {
        return registry.kallsyms();
    }
}
