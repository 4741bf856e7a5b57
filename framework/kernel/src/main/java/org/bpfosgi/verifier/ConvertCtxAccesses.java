package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c convert_ctx_accesses() — the structure only, in this issue.
 *
 * <p><b>Unfinished, by design (next issue, the seed):</b> step A (gen_epilogue, the ctx save at
 * {@code -(stack_depth + 8)}), step B (gen_prologue), step C (adjust_jmp_off) and the exit
 * rewriting of step D (spec §1.4–1.7) with bpf_patch_insn_data(). This pass asks the subsystem's
 * generators, as the kernel does, and if either has something to generate it refuses the load
 * loudly instead of pretending to have inserted it. Struct_ops contexts need no
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
        List<Insn> epilogueBuf = new ArrayList<>();
        int epilogueCnt;
        int prologueCnt = 0;
        try {
            short ctxStackOff = (short) -(env.subprogStackDepth[0] + 8);
            epilogueCnt = env.ops.genEpilogue(epilogueBuf, prog, ctxStackOff);
            if (epilogueCnt == 0 && !env.seenDirectWrite) {
                prologueCnt = env.ops.genPrologue(new ArrayList<>(), env.seenDirectWrite, prog);
            }
        } catch (RuntimeException e) {
            env.verbose("bpf-osgi: %s's pro/epilogue generator threw %s\n", env.aux.stOps.name(), e.toString());
            return Errno.EFAULT.negative();
        }
        if (epilogueCnt >= INSN_BUF_SIZE || prologueCnt >= INSN_BUF_SIZE) {
            return env.err(Errno.EINVAL, "bpf verifier is misconfigured\n");
        }
        if (epilogueCnt > 0 || prologueCnt > 0) {
            // SEAM: the seed issue inserts the generated sequences here (spec §1.4-§1.7)
            return env.err(Errno.ENOTSUPP, "bpf-osgi: gen_prologue/gen_epilogue patching is not implemented yet\n");
        }
        return 0;
    }
}
