package org.bpfosgi.verifier;

import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * The {@code emit-call} policy: generators call plain kernel functions through
 * {@code BPF_EMIT_CALL(fn)} (imm = BPF_CALL_IMM(fn)), as Alexei Starovoitov proposed in the seed's
 * review (seed/, v2 7/8). The kernel part is mark_helper_calls_finalized() of the Jan 2026 RFC
 * "skb-meta bpf_emit_call from prologue" (not landed): helper calls of an inserted
 * prologue/epilogue get {@code insn_aux_data[].finalized_call} and do_misc_fixups() leaves
 * their imm alone. (In 6.12 itself such a call would reach patch_call_imm, where
 * get_func_proto(imm) finds no helper: the kernel dereferences the NULL proto.)
 *
 * <p>{@link #checkTargets} is bpf-osgi's: the review made "functions called from gen_epilogue
 * must be in kernel text" a design requirement, so a target in module text is refused unless
 * the load asked for {@code unsafe-module-calls}.
 */
final class MarkHelperCallsFinalized {
    private MarkHelperCallsFinalized() {
    }

    /** mark_helper_calls_finalized(env, start, cnt). */
    static void run(VerifierEnv env, int start, int cnt) {
        for (int i = start; i < start + cnt; i++) {
            if (env.insns.get(i).isHelperCall()) {
                env.finalizedCall[i] = true;
            }
        }
    }

    /** Every BPF_EMIT_CALL among the first {@code cnt} insns must name a function in kernel text. */
    static int checkTargets(VerifierEnv env, List<Insn> insns, int cnt, String generator) {
        for (int i = 0; i < cnt; i++) {
            Insn insn = insns.get(i);
            if (!insn.isHelperCall()) {
                continue;
            }
            Optional<Kallsyms.Symbol> sym = env.kernel.kallsyms().at(Kallsyms.callTarget(insn.imm()));
            if (sym.isEmpty()) {
                return env.err(Errno.EFAULT, "bpf-osgi: %s insn %d calls imm %d, which is no kernel function\n",
                        generator, i, insn.imm());
            }
            if (sym.get().owner() != null && !env.aux.unsafeModuleCalls) {
                return env.err(Errno.EINVAL,
                        "bpf-osgi: %s calls %s in module %s text; functions called from a pro/epilogue must be in "
                                + "kernel text (policy emit-call; load with unsafe-module-calls to allow it)\n",
                        generator, sym.get().name(), sym.get().owner().name());
            }
        }
        return 0;
    }
}
