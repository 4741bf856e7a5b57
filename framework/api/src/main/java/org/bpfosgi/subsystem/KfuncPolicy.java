package org.bpfosgi.subsystem;

import java.util.Arrays;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How kfunc calls in a generated prologue or epilogue are handled. The CLI names
 * are {@code seed}, {@code upstream} and {@code emit-call}.
 */
@ProviderType
public enum KfuncPolicy {
    /**
     * The seed (dropped v2 6/8 + 7/8): the generator reports its module
     * ({@link InsnBuf#setThisModule()}); fixup_pro_epilogue_kfunc() gives each kfunc call the
     * kfunc_btf_tab offset of that module's BTF, taking a module reference, then add_kfunc_call().
     */
    SEED("seed"),
    /** What landed (v6.15 add_kfunc_in_insns()): the instruction's own {@code off}; vmlinux kfuncs only. */
    UPSTREAM("upstream"),
    /** The reviewer's alternative: {@code BPF_EMIT_CALL(fn)} to a plain function; no descriptor, no module reference. */
    EMIT_CALL("emit-call");

    private final String cliName;

    KfuncPolicy(String cliName) {
        this.cliName = cliName;
    }

    /** seed, upstream or emit-call. */
    public String cliName() {
        return cliName;
    }

    /** The policy with this CLI name, if any. */
    public static Optional<KfuncPolicy> ofCliName(String name) {
        return Arrays.stream(values()).filter(p -> p.cliName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return cliName;
    }
}
