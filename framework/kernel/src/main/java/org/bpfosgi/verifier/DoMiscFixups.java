package org.bpfosgi.verifier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.HelperIds;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c do_misc_fixups(), the parts a struct_ops program needs: kfunc
 * calls through {@link FixupKfuncCall}, helper calls' imm turned into the helper's address
 * relative to {@code __bpf_call_base} ({@code fn->func - __bpf_call_base}), and at the end
 * sort_kfunc_descs_by_imm_off(). A bpf_tail_call becomes {@code BPF_JMP | BPF_TAIL_CALL} with
 * imm 0 (what the interpreter runs; the x86 JIT's poke descriptor for a constant map and key,
 * imm = index + 1, is not modelled). may_goto becomes a stack-slot countdown ({@link FixupMayGoto}).
 * With the JIT requested (always, in the model: x86-64 with CONFIG_BPF_JIT_ALWAYS_ON), a map
 * helper call whose map_ptr_state is not poisoned is inlined (bpf_map_lookup_elem with
 * {@code ops->map_gen_lookup}: {@link MapGenLookup}) or calls the map's own ops
 * ({@code BPF_CALL_IMM(ops->map_update_elem)}: {@link MapOps}), and bpf_kptr_xchg is inlined as
 * an atomic 64-bit xchg ({@link #inlineKptrXchg}), bpf_get_smp_processor_id as a per-cpu load
 * ({@link #inlineGetSmpProcessorId}), bpf_jiffies64 as a load of {@code jiffies}
 * ({@link #inlineJiffies64}). Not modelled: the tracing-only ones (get_func_arg/ret/arg_cnt/ip: BPF_PROG_TYPE_TRACING, which the
 * model does not verify). The hidden exception subprogram
 * does not exist in the model yet.
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
                if (env.kernel.jitRequested() && isMapOpHelper(insn.imm())) {
                    int cnt = fixupMapHelper(env, i, insn);
                    if (cnt < 0 && cnt != PATCH_CALL_IMM) {
                        return cnt;
                    }
                    if (cnt > 0) {
                        i += cnt - 1; // delta += cnt - 1; goto next_insn
                        continue;
                    }
                }
                if (env.kernel.jitRequested() && insn.imm() == HelperIds.BPF_FUNC_jiffies64) {
                    int r = inlineJiffies64(env, i);
                    if (r < 0) {
                        return r;
                    }
                    i += r - 1; // delta += cnt - 1; goto next_insn
                    continue;
                }
                if (insn.imm() == HelperIds.BPF_FUNC_get_smp_processor_id && verifierInlinesHelperCall(env, insn.imm())) {
                    int r = inlineGetSmpProcessorId(env, i);
                    if (r < 0) {
                        return r;
                    }
                    i += r - 1; // delta += cnt - 1; goto next_insn
                    continue;
                }
                if (env.kernel.jitRequested() && insn.imm() == HelperIds.BPF_FUNC_kptr_xchg) {
                    int r = inlineKptrXchg(env, i);
                    if (r < 0) {
                        return r;
                    }
                    i += r - 1; // delta += cnt - 1; goto next_insn
                    continue;
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

    /**
     * Models do_misc_fixups()'s "Implement bpf_jiffies64 inline" block (kernel/bpf/verifier.c
     * v6.12): with {@code prog->jit_requested && BITS_PER_LONG == 64} the call becomes
     * {@code BPF_LD_IMM64(BPF_REG_0, (unsigned long)&jiffies)} (two slots) and
     * {@code BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 0)}; {@code &jiffies} is
     * {@link org.bpfosgi.vm.Jiffies#ADDRESS}, which the interpreter maps and keeps current.
     *
     * @return the number of instructions the call became (3), or a negative errno
     */
    static int inlineJiffies64(VerifierEnv env, int i) {
        java.util.List<Insn> buf = new java.util.ArrayList<>(org.bpfosgi.isa.Macros.BPF_LD_IMM64(0, org.bpfosgi.vm.Jiffies.ADDRESS));
        buf.add(org.bpfosgi.isa.Macros.BPF_LDX_MEM(org.bpfosgi.isa.Bpf.BPF_DW, 0, 0, 0));
        int r = BpfPatchInsnData.run(env, i, buf);
        return r < 0 ? r : buf.size(); // bpf_patch_insn_data() NULL: -ENOMEM
    }

    /**
     * Models verifier_inlines_helper_call() (kernel/bpf/verifier.c v6.12, x86-64): true only for
     * bpf_get_smp_processor_id, with {@code prog->jit_requested && bpf_jit_supports_percpu_insn()}
     * (the x86-64 JIT supports BPF_MOV64_PERCPU_REG: arch/x86/net/bpf_jit_comp.c).
     */
    static boolean verifierInlinesHelperCall(VerifierEnv env, int imm) {
        return imm == HelperIds.BPF_FUNC_get_smp_processor_id && env.kernel.jitRequested();
    }

    /**
     * Models do_misc_fixups()'s "Implement bpf_get_smp_processor_id() inline" block
     * (kernel/bpf/verifier.c v6.12, {@code CONFIG_X86_64 && !CONFIG_UML}, CONFIG_SMP): the call
     * becomes {@code BPF_MOV32_IMM(BPF_REG_0, (u32)(unsigned long)&pcpu_hot.cpu_number)},
     * {@code BPF_MOV64_PERCPU_REG(BPF_REG_0, BPF_REG_0)}, {@code BPF_LDX_MEM(BPF_W, BPF_REG_0,
     * BPF_REG_0, 0)}: this CPU's cpu_number ({@link org.bpfosgi.vm.PerCpu#PCPU_HOT_CPU_NUMBER}).
     * v6.15 emits BPF_MOV64_IMM instead (18cdd90aba79 "x86/bpf: Fix BPF percpu accesses", after
     * 9d7de2aa8b41 made x86-64's per-cpu offsets relative, i.e. kernel addresses that a 32-bit
     * move would truncate) of {@code &cpu_number} ("x86/smp: Move cpu number to percpu hot
     * section"): what the live 6.18 kernel shows.
     *
     * @return the number of instructions the call became (3), or a negative errno
     */
    static int inlineGetSmpProcessorId(VerifierEnv env, int i) {
        java.util.List<Insn> buf = java.util.List.of(
                org.bpfosgi.isa.Macros.BPF_MOV32_IMM(0, org.bpfosgi.vm.PerCpu.PCPU_HOT_CPU_NUMBER),
                org.bpfosgi.isa.Macros.BPF_MOV64_PERCPU_REG(0, 0),
                org.bpfosgi.isa.Macros.BPF_LDX_MEM(org.bpfosgi.isa.Bpf.BPF_W, 0, 0, 0));
        int r = BpfPatchInsnData.run(env, i, buf);
        return r < 0 ? r : buf.size(); // bpf_patch_insn_data() NULL: -ENOMEM
    }

    /**
     * Models do_misc_fixups()'s "Implement bpf_kptr_xchg inline" block (kernel/bpf/verifier.c
     * v6.12, added in v6.8): with {@code prog->jit_requested && BITS_PER_LONG == 64} and
     * bpf_jit_supports_ptr_xchg() (true on x86-64: arch/x86/net/bpf_jit_comp.c) the call becomes
     * {@code BPF_MOV64_REG(BPF_REG_0, BPF_REG_2)}, {@code BPF_ATOMIC_OP(BPF_DW, BPF_XCHG,
     * BPF_REG_1, BPF_REG_0, 0)}: the helper's own xchg(kptr, ptr) (kernel/bpf/helpers.c), with
     * the old pointer left in R0. The kernel's block has no other condition (not the
     * map_ptr_state nor reachability), so neither has this one.
     *
     * @return the number of instructions the call became (2), or a negative errno
     */
    static int inlineKptrXchg(VerifierEnv env, int i) {
        java.util.List<Insn> buf = java.util.List.of(
                org.bpfosgi.isa.Macros.BPF_MOV64_REG(0, 2),
                org.bpfosgi.isa.Macros.BPF_ATOMIC_OP(org.bpfosgi.isa.Bpf.BPF_DW, org.bpfosgi.isa.Bpf.BPF_XCHG, 1, 0, 0));
        int r = BpfPatchInsnData.run(env, i, buf);
        return r < 0 ? r : buf.size(); // bpf_patch_insn_data() NULL: -ENOMEM
    }

    /** include/linux/bpf_verifier.h INSN_BUF_SIZE (v6.12). */
    static final int INSN_BUF_SIZE = 32;
    /** fixupMapHelper(): leave the call to patch_call_imm (the generic helper). */
    private static final int PATCH_CALL_IMM = Integer.MIN_VALUE;

    /**
     * The map helpers of do_misc_fixups()'s {@code prog->jit_requested && BITS_PER_LONG == 64}
     * block that the model has (v6.12 lists also redirect_map and for_each_map_elem, which the
     * model's helper table does not offer).
     */
    static boolean isMapOpHelper(int imm) {
        return imm == HelperIds.BPF_FUNC_map_lookup_elem || imm == HelperIds.BPF_FUNC_map_update_elem
                || imm == HelperIds.BPF_FUNC_map_delete_elem || imm == HelperIds.BPF_FUNC_map_push_elem
                || imm == HelperIds.BPF_FUNC_map_pop_elem || imm == HelperIds.BPF_FUNC_map_peek_elem
                || imm == HelperIds.BPF_FUNC_map_lookup_percpu_elem;
    }

    /**
     * Models that block of do_misc_fixups() (v6.12) for the call at {@code i}: a poisoned
     * map_ptr_state (two maps reached the call: bpf_map_ptr_poisoned()) goes to patch_call_imm;
     * bpf_map_lookup_elem with {@code ops->map_gen_lookup} is replaced by the generated
     * instructions (-EOPNOTSUPP falls through to patch_map_ops_generic; 0 or INSN_BUF_SIZE and
     * more instructions: "bpf verifier is misconfigured", -EINVAL); otherwise
     * (patch_map_ops_generic) the imm becomes {@code BPF_CALL_IMM(ops->map_lookup_elem)},
     * {@code ops->map_push_elem} (queue_stack_map_push_elem), {@code ops->map_pop_elem}
     * (queue_map_pop_elem, stack_map_pop_elem), etc.
     *
     * @return the number of instructions the call became (1 when patched in place),
     *         {@link #PATCH_CALL_IMM}, or a negative errno
     */
    private static int fixupMapHelper(VerifierEnv env, int i, Insn insn) {
        MapPtrState aux = env.mapPtrState[i];
        if (aux == null || aux.poison()) {
            // bpf_map_ptr_poisoned(aux) (null: a call no path reached, which the kernel removed as dead code)
            return PATCH_CALL_IMM;
        }
        VerifierMaps.UsedMap mapPtr = aux.mapPtr();
        MapOps ops = MapOps.of(mapPtr.mapType());
        if (ops == null) {
            return PATCH_CALL_IMM;
        }
        if (insn.imm() == HelperIds.BPF_FUNC_map_lookup_elem && ops.mapGenLookup()) {
            java.util.List<Insn> buf = MapGenLookup.gen(env, mapPtr);
            if (buf != null) { // null: -EOPNOTSUPP, goto patch_map_ops_generic
                if (buf.isEmpty() || buf.size() >= INSN_BUF_SIZE) {
                    return env.err(Errno.EINVAL, "bpf verifier is misconfigured\n");
                }
                int r = BpfPatchInsnData.run(env, i, buf);
                return r < 0 ? r : buf.size();
            }
        }
        // patch_map_ops_generic:
        String fn = switch (insn.imm()) {
            case HelperIds.BPF_FUNC_map_lookup_elem -> ops.mapLookupElem();
            case HelperIds.BPF_FUNC_map_update_elem -> ops.mapUpdateElem();
            case HelperIds.BPF_FUNC_map_delete_elem -> ops.mapDeleteElem();
            case HelperIds.BPF_FUNC_map_push_elem -> ops.mapPushElem();
            case HelperIds.BPF_FUNC_map_pop_elem -> ops.mapPopElem();
            case HelperIds.BPF_FUNC_map_peek_elem -> ops.mapPeekElem();
            case HelperIds.BPF_FUNC_map_lookup_percpu_elem -> ops.mapLookupPercpuElem();
            default -> null;
        };
        if (fn == null) {
            return PATCH_CALL_IMM; // an op the map type leaves unset: check_map_func_compatibility() refused the call
        }
        long addr = env.kernel.kallsyms().lookupName(fn);
        if (addr == 0) {
            return env.err(Errno.EFAULT, "kernel subsystem misconfigured func %s#%d\n", fn, insn.imm());
        }
        env.insns.set(i, insn.withImm((int) Kallsyms.callImm(addr)));
        return 1;
    }
}
