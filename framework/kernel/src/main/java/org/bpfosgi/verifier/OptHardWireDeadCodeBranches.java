package org.bpfosgi.verifier;

import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Macros;

/**
 * Models kernel/bpf/verifier.c opt_hard_wire_dead_code_branches() (privileged loads): a
 * conditional jump one of whose sides do_check never reached becomes a plain {@code goto}
 * (to the taken side, or {@code goto +0} when only the fall-through was reached).
 */
final class OptHardWireDeadCodeBranches {
    private OptHardWireDeadCodeBranches() {
    }

    static void run(VerifierEnv env) {
        int n = env.insns.size();
        for (int i = 0; i < n; i++) {
            Insn insn = env.insns.get(i);
            if (!isCondJump(insn)) {
                continue;
            }
            int off;
            if (i + 1 < n && !env.seen[i + 1]) {
                off = insn.off();
            } else if (!env.seen[i + 1 + insn.off()]) {
                off = 0;
            } else {
                continue;
            }
            env.insns.set(i, Macros.BPF_JMP_A(off));
        }
    }

    /** Models insn_is_cond_jump(). */
    static boolean isCondJump(Insn insn) {
        int cls = insn.cls();
        if (cls != Bpf.BPF_JMP && cls != Bpf.BPF_JMP32) {
            return false;
        }
        int op = insn.op();
        return op != Bpf.BPF_JA && op != Bpf.BPF_EXIT && op != Bpf.BPF_CALL && op != Bpf.BPF_JCOND;
    }
}
