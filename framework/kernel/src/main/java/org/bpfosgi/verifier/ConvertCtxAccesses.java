package org.bpfosgi.verifier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.subsystem.InsnBuf;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * Models kernel/bpf/verifier.c convert_ctx_accesses() — the structure only, in this issue.
 *
 * <p><b>Unfinished, by design (next issue, the seed):</b> step A (gen_epilogue, the ctx save at
 * {@code -(stack_depth + 8)}), step B (gen_prologue), step C (adjust_jmp_off) and the exit
 * rewriting of step D (spec §1.4–1.7) with bpf_patch_insn_data(). This pass asks the subsystem's
 * generators, as the kernel does (the epilogue, then the prologue; each too-long count and a
 * seen_direct_write without gen_prologue are the kernel's "bpf verifier is misconfigured"), and
 * if either has something to generate it refuses the load loudly instead of pretending to have
 * inserted it. Struct_ops contexts need no
 * convert_ctx_access rewriting (the kernel's struct_ops ops have none), and the
 * BPF_PROBE_MEM rewriting of untrusted PTR_TO_BTF_ID loads is not modelled yet either.
 */
final class ConvertCtxAccesses {
    /** INSN_BUF_SIZE (6.12). */
    static final int INSN_BUF_SIZE = 16;

    private ConvertCtxAccesses() {
    }

    static int run(VerifierEnv env) {
        ProgInfo prog = new ProgInfo(env);
        int epilogueCnt = 0;
        int prologueCnt = 0;
        try {
            // step A: if (ops->gen_epilogue)
            if (hasGenEpilogue(env.ops)) {
                short ctxStackOff = (short) -(env.subprogStackDepth[0] + 8);
                epilogueCnt = env.ops.genEpilogue().get().generate(new InsnBuf(INSN_BUF_SIZE), prog, ctxStackOff);
                if (epilogueCnt >= INSN_BUF_SIZE) {
                    return env.err(Errno.EINVAL, "bpf verifier is misconfigured\n");
                }
                // (epilogue_cnt > 0: the kernel patches the ctx save here and goes on to step B)
            }
            // step B: if (ops->gen_prologue || env->seen_direct_write)
            boolean hasGenPrologue = hasGenPrologue(env.ops);
            if (hasGenPrologue || env.seenDirectWrite) {
                if (!hasGenPrologue) {
                    // v6.12 (spec §1.8): -EINVAL; -EFAULT from ~v6.16, "verifier bug: gen_prologue is null" from v6.17
                    return env.err(Errno.EINVAL, "bpf verifier is misconfigured\n");
                }
                prologueCnt = env.ops.genPrologue().get().generate(new InsnBuf(INSN_BUF_SIZE), env.seenDirectWrite, prog);
                if (prologueCnt >= INSN_BUF_SIZE) {
                    return env.err(Errno.EINVAL, "bpf verifier is misconfigured\n");
                }
            }
        } catch (RuntimeException e) {
            String who = env.aux.stOps != null ? env.aux.stOps.name() : "the subsystem";
            env.verbose("bpf-osgi: %s's pro/epilogue generator threw %s\n", who, e.toString());
            return Errno.EFAULT.negative();
        }
        if (epilogueCnt > 0 || prologueCnt > 0) {
            // SEAM: the seed issue inserts the generated sequences here (spec §1.4-§1.7)
            return env.err(Errno.ENOTSUPP, "bpf-osgi: gen_prologue/gen_epilogue patching is not implemented yet\n");
        }
        return 0;
    }

    /** {@code ops->gen_prologue != NULL}. */
    static boolean hasGenPrologue(VerifierOps ops) {
        return ops != null && ops.genPrologue().isPresent();
    }

    /** {@code ops->gen_epilogue != NULL}. */
    static boolean hasGenEpilogue(VerifierOps ops) {
        return ops != null && ops.genEpilogue().isPresent();
    }
}
