package org.bpfosgi.verifier;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.module.Module;

/**
 * Models fixup_pro_epilogue_kfunc() of the dropped seed patch (v2 7/8, seed/), the
 * {@code seed} policy: run right after a generator, before anything is patched. For every
 * {@code BPF_PSEUDO_KFUNC_CALL} among the {@code cnt} generated insns (the trailing copy of insn
 * 0, or the exit, included, as in the patch): btf_get_module_btf(module) ("cannot find BTF from
 * %s for kfunc used in pro/epilogue", -EINVAL), a vmlinux member of special_kfunc_set is refused
 * ("pro/epilogue cannot use special kfunc", -EINVAL), {@link FindKfuncDescBtfOffset} gives the
 * offset (taking the module reference), the BTF reference is dropped, {@code insn->off} is
 * written and add_kfunc_call() registers the call.
 */
final class FixupProEpilogueKfunc {
    /**
     * special_kfunc_set (6.12/6.13), by name: btf_id_set_contains() on vmlinux ids
     * the model resolves from these names.
     */
    static final Set<String> SPECIAL_KFUNC_SET = Set.of("bpf_obj_new_impl", "bpf_obj_drop_impl",
            "bpf_refcount_acquire_impl", "bpf_list_push_front_impl", "bpf_list_push_back_impl", "bpf_list_pop_front",
            "bpf_list_pop_back", "bpf_cast_to_kern_ctx", "bpf_rdonly_cast", "bpf_rbtree_remove", "bpf_rbtree_add_impl",
            "bpf_rbtree_first", "bpf_dynptr_from_skb", "bpf_dynptr_from_xdp", "bpf_dynptr_slice",
            "bpf_dynptr_slice_rdwr", "bpf_dynptr_clone", "bpf_percpu_obj_new_impl", "bpf_percpu_obj_drop_impl",
            "bpf_throw", "bpf_wq_set_callback_impl", "bpf_iter_css_task_new");

    private FixupProEpilogueKfunc() {
    }

    /** Rewrites {@code insns} (the generator's buffer) in place; 0 or a negative errno. */
    static int run(VerifierEnv env, List<Insn> insns, int cnt, Module module) {
        for (int i = 0; i < cnt; i++) {
            Insn insn = insns.get(i);
            if (!insn.isKfuncCall()) {
                continue;
            }
            // the kernel may not have BTF available, so only get a btf if a kfunc is called
            env.modules().point("fixup_pro_epilogue_kfunc:before_btf_get_module_btf");
            Optional<BtfObject> got = env.btfs().btfGetModuleBtf(module);
            if (got.isEmpty()) {
                return env.err(Errno.EINVAL, "cannot find BTF from %s for kfunc used in pro/epilogue\n",
                        module == null ? "vmlinux" : module.name());
            }
            BtfObject btf = got.get();
            int funcId = insn.imm();
            if (!btf.isModule() && isSpecial(btf, funcId)) {
                env.verbose("pro/epilogue cannot use special kfunc\n");
                env.btfs().btfPut(btf);
                return Errno.EINVAL.negative();
            }
            int off = FindKfuncDescBtfOffset.run(env, btf, module);
            env.btfs().btfPut(btf);
            if (off < 0) {
                return off;
            }
            insns.set(i, insn.withOff(off));
            int err = AddKfuncCall.run(env, funcId, off);
            if (err != 0) {
                return err;
            }
        }
        return 0;
    }

    private static boolean isSpecial(BtfObject vmlinux, int funcId) {
        if (funcId <= 0 || funcId >= vmlinux.btf().nrTypes()) {
            return false;
        }
        return SPECIAL_KFUNC_SET.contains(vmlinux.btf().name(funcId));
    }
}
