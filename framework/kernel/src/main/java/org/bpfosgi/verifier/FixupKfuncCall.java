package org.bpfosgi.verifier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c fixup_kfunc_call() (6.12): the call's imm becomes the
 * address of the kfunc relative to {@code __bpf_call_base} (x86-64 has no far kfunc calls). The
 * special inline rewrites of vmlinux kfuncs (bpf_obj_new_impl, bpf_cast_to_kern_ctx, ...) are not
 * modelled: the model's vmlinux has none of those kfuncs.
 */
final class FixupKfuncCall {
    private FixupKfuncCall() {
    }

    static int run(VerifierEnv env, int idx) {
        Insn insn = env.insns.get(idx);
        if (insn.imm() == 0) {
            return env.err(Errno.EINVAL, "invalid kernel function call not eliminated in verifier pass\n");
        }
        KfuncDesc desc = null;
        for (KfuncDesc d : env.aux.kfuncTab) {
            if (d.funcId() == insn.imm() && d.offset() == insn.off()) {
                desc = d;
                break;
            }
        }
        if (desc == null) {
            return env.err(Errno.EFAULT, "verifier internal error: kernel function descriptor not found for func_id %u\n",
                    insn.imm());
        }
        if (!env.kernel.jitSupportsFarKfuncCall()) {
            env.insns.set(idx, insn.withImm(desc.imm()));
        }
        return 0;
    }
}
