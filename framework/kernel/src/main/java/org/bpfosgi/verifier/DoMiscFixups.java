package org.bpfosgi.verifier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c do_misc_fixups(), the parts a struct_ops program needs: kfunc
 * calls through {@link FixupKfuncCall}, helper calls' imm turned into the helper's address
 * relative to {@code __bpf_call_base} ({@code fn->func - __bpf_call_base}), and at the end
 * sort_kfunc_descs_by_imm_off(). A bpf_tail_call becomes {@code BPF_JMP | BPF_TAIL_CALL} with
 * imm 0 (what the interpreter runs; the x86 JIT's poke descriptor for a constant map and key,
 * imm = index + 1, is not modelled). may_goto becomes a stack-slot countdown ({@link FixupMayGoto}).
 * Map-op inlining and the hidden exception subprogram do not exist in the model yet.
 */
final class DoMiscFixups {
    private DoMiscFixups() {
    }

    static int run(VerifierEnv env) {
        // the may_goto rewrites of the same loop (done first here: each patch is local, so the
        // order of the rewrites does not change the result)
        int mg = FixupMayGoto.run(env);
        if (mg < 0) {
            return mg;
        }
        for (int i = 0; i < env.insns.size(); i++) {
            Insn insn = env.insns.get(i);
            if (insn.isLdImm64()) {
                i++;
                continue;
            }
            if (insn.isKfuncCall()) {
                if (!env.seen[i]) {
                    continue; // dead code is removed before this pass in the kernel
                }
                int r = FixupKfuncCall.run(env, i);
                if (r < 0) {
                    return r;
                }
                continue;
            }
            if (insn.isHelperCall() && insn.imm() == org.bpfosgi.isa.HelperIds.BPF_FUNC_tail_call) {
                // "mark bpf_tail_call as different opcode to avoid conditional branch in the interpreter"
                env.insns.set(i, new Insn(org.bpfosgi.isa.Bpf.BPF_JMP | 0xf0, 0, 0, 0, 0));
                continue;
            }
            if (insn.isHelperCall()) {
                if (env.finalizedCall[i]) {
                    continue; // patch_call_imm: a finalized call (emit-call policy) keeps its imm
                }
                String name = BaseFuncProtos.name(insn.imm());
                long addr = env.kernel.kallsyms().lookupName(name);
                if (addr == 0) {
                    return env.err(Errno.EFAULT, "kernel subsystem misconfigured func %s#%d\n", name, insn.imm());
                }
                env.insns.set(i, insn.withImm((int) Kallsyms.callImm(addr)));
            }
        }
        env.aux.sortKfuncDescsByImmOff();
        return 0;
    }
}
