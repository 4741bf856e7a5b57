package org.bpfosgi.verifier;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Macros;

/**
 * Models kernel/bpf/verifier.c opt_remove_nops() (privileged loads): {@code goto +0} — left by
 * {@link OptHardWireDeadCodeBranches}, or written by the program — is removed.
 */
final class OptRemoveNops {
    private static final Insn JA = Macros.BPF_JMP_A(0);

    private OptRemoveNops() {
    }

    static int run(VerifierEnv env) {
        for (int i = 0; i < env.insns.size(); i++) {
            if (!env.insns.get(i).equals(JA)) {
                continue;
            }
            int r = VerifierRemoveInsns.run(env, i, 1);
            if (r < 0) {
                return r;
            }
            i--;
        }
        return 0;
    }
}
