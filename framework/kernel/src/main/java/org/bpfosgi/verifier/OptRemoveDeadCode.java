package org.bpfosgi.verifier;

/**
 * Models kernel/bpf/verifier.c opt_remove_dead_code() (privileged loads): every run of
 * instructions do_check never reached is removed ({@link VerifierRemoveInsns}).
 */
final class OptRemoveDeadCode {
    private OptRemoveDeadCode() {
    }

    static int run(VerifierEnv env) {
        int i = 0;
        while (i < env.insns.size()) {
            int j = 0;
            while (i + j < env.insns.size() && !env.seen[i + j]) {
                j++;
            }
            if (j == 0) {
                i++;
                continue;
            }
            int r = VerifierRemoveInsns.run(env, i, j);
            if (r < 0) {
                return r;
            }
        }
        return 0;
    }
}
