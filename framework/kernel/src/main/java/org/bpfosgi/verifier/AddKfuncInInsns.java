package org.bpfosgi.verifier;

import java.util.List;

import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c add_kfunc_in_insns() (v6.15, d519594ee244 "bpf: Search and add
 * kfuncs in struct_ops prologue and epilogue"), the {@code upstream} policy: every
 * {@code BPF_PSEUDO_KFUNC_CALL} among the first {@code cnt} insns goes to add_kfunc_call() with
 * the insn's own {@code off}; the first negative result is returned.
 *
 * <p>So only vmlinux kfuncs work: a module kfunc emitted with off 0 is looked up in vmlinux BTF,
 * where its split-BTF id (always ≥ vmlinux's type count) is no type, and add_kfunc_call() fails
 * with "kernel btf_id %u is not a function" (-EINVAL) — verifier.c add_kfunc_call(),
 * {@code func = btf_type_by_id(desc_btf, func_id); if (!func || !btf_type_is_func(func))}.
 */
final class AddKfuncInInsns {
    private AddKfuncInInsns() {
    }

    static int run(VerifierEnv env, List<Insn> insns, int cnt) {
        for (int i = 0; i < cnt; i++) {
            Insn insn = insns.get(i);
            if (insn.isKfuncCall()) {
                int ret = AddKfuncCall.run(env, insn.imm(), insn.off());
                if (ret < 0) {
                    return ret;
                }
            }
        }
        return 0;
    }
}
