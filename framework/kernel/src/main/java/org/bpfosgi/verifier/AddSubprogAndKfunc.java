package org.bpfosgi.verifier;

import java.util.Collections;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c add_subprog_and_kfunc() with add_subprog(): subprogram starts
 * from bpf-to-bpf calls (and callback addresses), kfunc descriptors from kfunc calls, then the
 * fake "exit" subprogram at the end.
 */
final class AddSubprogAndKfunc {
    private AddSubprogAndKfunc() {
    }

    static int run(VerifierEnv env) {
        int ret = addSubprog(env, 0);
        if (ret < 0) {
            return ret;
        }
        int n = env.insns.size();
        for (int i = 0; i < n; i++) {
            Insn insn = env.insns.get(i);
            boolean pseudoFunc = insn.isLdImm64() && insn.src() == Bpf.BPF_PSEUDO_FUNC;
            if (!pseudoFunc && !insn.isPseudoCall() && !insn.isKfuncCall()) {
                continue;
            }
            if (!env.bpfCapable) {
                return env.err(Errno.EPERM,
                        "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN\n");
            }
            if (pseudoFunc || insn.isPseudoCall()) {
                ret = addSubprog(env, i + insn.imm() + 1);
            } else {
                ret = AddKfuncCall.run(env, insn.imm(), insn.off());
            }
            if (ret < 0) {
                return ret;
            }
        }
        // the fake 'exit' subprog: subprog[subprog_cnt].start = insn_cnt
        env.subprogStarts.add(n);
        return 0;
    }

    /** Models add_subprog(). */
    static int addSubprog(VerifierEnv env, int off) {
        int n = env.insns.size();
        if (off >= n || off < 0) {
            return env.err(Errno.EINVAL, "call to invalid destination\n");
        }
        int pos = Collections.binarySearch(env.subprogStarts, off);
        if (pos >= 0) {
            return pos;
        }
        if (env.subprogStarts.size() >= VerifierEnv.BPF_MAX_SUBPROGS) {
            return env.err(Errno.E2BIG, "too many subprograms\n");
        }
        env.subprogStarts.add(-pos - 1, off);
        return -pos - 1;
    }
}
