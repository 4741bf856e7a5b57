package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.MAX_BPF_STACK;
import static org.bpfosgi.isa.Bpf.MAX_CALL_FRAMES;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c check_max_stack_depth() / check_max_stack_depth_subprog(): walks
 * the static call graph from the main program; each frame's depth is rounded by
 * round_up_stack_depth(): to 16 bytes when the JIT is requested, which it always is for
 * struct_ops (their trampolines need JITed code; v6.12: {@code round_up(stack_depth, 16)}), the
 * interpreter's 32-byte granularity otherwise; the deepest chain of frames must fit in
 * MAX_BPF_STACK and MAX_CALL_FRAMES. Like the kernel, every bpf-to-bpf call counts, also one do_check found dead.
 */
final class CheckMaxStackDepth {
    private CheckMaxStackDepth() {
    }

    static int run(VerifierEnv env) {
        int[] depth = env.subprogStackDepth;
        return walk(env, 0, 0, 1, depth);
    }

    private static int walk(VerifierEnv env, int subprog, int depthSoFar, int frames, int[] depths) {
        if (frames > MAX_CALL_FRAMES) {
            return env.err(Errno.E2BIG, "the call stack of %d frames is too deep !\n", frames);
        }
        int d = depthSoFar + roundUpStackDepth(depths[subprog]);
        if (d > MAX_BPF_STACK) {
            return env.err(Errno.EACCES, "combined stack size of %d calls is %d. Too large\n", frames, d);
        }
        int start = env.subprogStarts.get(subprog);
        int end = env.subprogStarts.get(subprog + 1);
        for (int i = start; i < end; i++) {
            Insn insn = env.insns.get(i);
            if (insn.isPseudoCall()) {
                int callee = env.findSubprog(i + insn.imm() + 1);
                if (callee >= 0) {
                    int r = walk(env, callee, d, frames + 1, depths);
                    if (r < 0) {
                        return r;
                    }
                }
            }
        }
        return 0;
    }

    /** Models round_up_stack_depth() with env->prog->jit_requested (struct_ops). */
    static int roundUpStackDepth(int stackDepth) {
        return (stackDepth + 15) / 16 * 16;
    }
}
