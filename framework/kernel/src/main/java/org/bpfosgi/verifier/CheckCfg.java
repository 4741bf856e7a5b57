package org.bpfosgi.verifier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c check_cfg(): a non-recursive depth-first walk of the control-flow
 * graph from insn 0 (following bpf-to-bpf calls into their callees). Rejects jumps out of range
 * (including falling off the end), back-edges unless the loader is bpf_capable (loops are then
 * verified by exploration in do_check), unreachable instructions and jumps into the middle of an
 * ld_imm64. Also marks the prune points do_check saves states at (jump targets, branch
 * call return sites, conditional jumps), as visit_insn() does with mark_prune_point().
 */
final class CheckCfg {
    private static final byte DISCOVERED = 1;
    private static final byte EXPLORED = 2;

    private CheckCfg() {
    }

    static int run(VerifierEnv env, boolean[] prunePoint) {
        int n = env.insns.size();
        byte[] state = new byte[n];
        int[] stack = new int[n + 1];
        int[] nextEdge = new int[n];
        // each instruction's successors, computed once (the walk returns to t once per edge)
        int[][] succs = new int[n][];
        int sp = 0;
        stack[sp++] = 0;
        state[0] = DISCOVERED;
        while (sp > 0) {
            int t = stack[sp - 1];
            int[] succ = succs[t];
            if (succ == null) {
                succ = succs[t] = successors(env.insns, t);
            }
            if (nextEdge[t] < succ.length) {
                int w = succ[nextEdge[t]++];
                if (w < 0 || w >= n) {
                    return env.err(Errno.EINVAL, "jump out of range from insn %d to %d\n", t, w);
                }
                if (state[w] == 0) {
                    state[w] = DISCOVERED;
                    stack[sp++] = w;
                } else if (state[w] == DISCOVERED) {
                    if (!env.bpfCapable) {
                        return env.err(Errno.EINVAL, "back-edge from insn %d to %d\n", t, w);
                    }
                    // loops are allowed for CAP_BPF; do_check proves they terminate
                }
            } else {
                state[t] = EXPLORED;
                sp--;
            }
        }
        if (prunePoint != null) {
            markPrunePoints(env.insns, prunePoint);
        }
        for (int i = 0; i < n; i++) {
            if (state[i] != EXPLORED) {
                return env.err(Errno.EINVAL, "unreachable insn %d\n", i);
            }
            Insn insn = env.insns.get(i);
            if (insn.isLdImm64()) {
                if (i + 1 < n && state[i + 1] != 0) {
                    return env.err(Errno.EINVAL, "jump into the middle of ldimm64 insn %d\n", i);
                }
                i++;
            }
        }
        return 0;
    }

    /**
     * The mark_prune_point() calls of visit_insn() (v6.12): a conditional jump itself and its
     * target, the target of a ja, the instruction after a call, a bpf-to-bpf call and its callee's
     * first instruction. Nothing else (fall-throughs, exits) is a prune point.
     */
    static void markPrunePoints(java.util.List<Insn> insns, boolean[] prunePoint) {
        int n = insns.size();
        for (int t = 0; t < n; t++) {
            Insn insn = insns.get(t);
            int cls = insn.cls();
            if (insn.isLdImm64()) {
                t++;
                continue;
            }
            if ((cls != Bpf.BPF_JMP && cls != Bpf.BPF_JMP32) || insn.isExit()) {
                continue;
            }
            if (insn.isCall()) {
                mark(prunePoint, t + 1);
                if (insn.isPseudoCall()) {
                    mark(prunePoint, t);
                    mark(prunePoint, t + insn.imm() + 1);
                }
                continue;
            }
            if (insn.op() == Bpf.BPF_JA) {
                mark(prunePoint, t + (insn.isGotol() ? insn.imm() : insn.off()) + 1);
                continue;
            }
            mark(prunePoint, t);
            mark(prunePoint, t + insn.off() + 1);
        }
    }

    /**
     * The mark_jmp_point() calls of visit_insn(): the target of a conditional jump or a ja, the
     * instruction after a call, a callee's first instruction. do_check() records a jump history
     * entry there.
     */
    static void markJmpPoints(java.util.List<Insn> insns, boolean[] jmpPoint) {
        int n = insns.size();
        for (int t = 0; t < n; t++) {
            Insn insn = insns.get(t);
            int cls = insn.cls();
            if (insn.isLdImm64()) {
                t++;
                continue;
            }
            if ((cls != Bpf.BPF_JMP && cls != Bpf.BPF_JMP32) || insn.isExit()) {
                continue;
            }
            if (insn.isCall()) {
                mark(jmpPoint, t + 1);
                if (insn.isPseudoCall()) {
                    mark(jmpPoint, t + insn.imm() + 1);
                }
                continue;
            }
            mark(jmpPoint, t + (insn.op() == Bpf.BPF_JA ? (insn.isGotol() ? insn.imm() : insn.off()) : insn.off()) + 1);
        }
    }

    private static void mark(boolean[] prunePoint, int i) {
        if (i >= 0 && i < prunePoint.length) {
            prunePoint[i] = true;
        }
    }

    /** The successors of insn t, as visit_insn() pushes them. */
    static int[] successors(java.util.List<Insn> insns, int t) {
        Insn insn = insns.get(t);
        int cls = insn.cls();
        if (insn.isLdImm64()) {
            return new int[] {t + 2};
        }
        if (cls != Bpf.BPF_JMP && cls != Bpf.BPF_JMP32) {
            return new int[] {t + 1};
        }
        if (insn.isExit()) {
            return new int[0];
        }
        if (insn.isCall()) {
            if (insn.isPseudoCall()) {
                return new int[] {t + 1, t + insn.imm() + 1};
            }
            return new int[] {t + 1};
        }
        if (insn.op() == Bpf.BPF_JA) {
            return new int[] {t + (insn.isGotol() ? insn.imm() : insn.off()) + 1};
        }
        return new int[] {t + 1, t + insn.off() + 1};
    }
}
