package org.bpfosgi.verifier;

import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Macros;
import org.bpfosgi.subsystem.BpfFuncProto;

/**
 * Models the bpf_fastcall spill/fill removal of kernel/bpf/verifier.c v6.12 (Eduard Zingerman,
 * "bpf: no_caller_saved_registers attribute for helper calls", renamed by "bpf: rename nocsr ->
 * bpf_fastcall in verifier"): {@link #markFastcallPatterns} (mark_fastcall_patterns() /
 * mark_fastcall_pattern_for_call(), run by bpf_check() after check_cfg()),
 * {@link #checkFastcallStackContract} (check_fastcall_stack_contract(), called by the four
 * check_stack_{read,write}_{fixed,var}_off() functions during do_check) and
 * {@link #removeFastcallSpillsFills} (remove_fastcall_spills_fills(), run by bpf_check() right
 * after do_check, before check_max_stack_depth()).
 *
 * <p>Helpers only: in v6.12 only {@code bpf_get_smp_processor_id_proto} has
 * {@code allow_fastcall} ({@link #BPF_GET_SMP_PROCESSOR_ID_PROTO}: not a proto struct_ops or
 * syscall programs get, so for them every pattern is kept, with keep_fastcall_stack), and
 * verifier_inlines_helper_call() is true for it with the JIT requested
 * ({@link DoMiscFixups#verifierInlinesHelperCall}); the x86-64 JIT has no
 * bpf_jit_inlines_helper_call() (the weak one returns false). Not modelled: v6.12's kfunc
 * branch ("bpf: support bpf_fastcall patterns for kfuncs": kfunc_fastcall_clobber_mask(), and
 * can_be_inlined = {@code meta.kfunc_flags & KF_FASTCALL}, set on bpf_cast_to_kern_ctx and
 * bpf_rdonly_cast, which fixup_kfunc_call() turns into {@code r0 = r1}; the model inlines
 * neither): here a kfunc call clobbers every caller-saved register, so it never starts a
 * pattern, and such a program keeps its spills, fills and stack depth where v6.12 drops them.
 *
 * <p>v6.12 has no extra stack room for pattern spills/fills below MAX_BPF_STACK: the original
 * patch's check_stack_slot_within_bounds() change was reverted by d0b98f6a17a5 "bpf: disallow
 * 40-bytes extra stack for bpf_fastcall patterns" (v6.12-rc6).
 *
 * <p>State: {@code insn_aux_data[].fastcall_pattern / fastcall_spills_num} by instruction index
 * (no instruction is patched between marking and removal), {@code subprog_info[].fastcall_stack_off
 * / keep_fastcall_stack} by subprogram.
 */
final class MarkFastcallPatterns {
    /** {@code CALLER_SAVED_REGS}: r0-r5. */
    static final int CALLER_SAVED_REGS = 6;
    /** {@code ALL_CALLER_SAVED_REGS}. */
    static final int ALL_CALLER_SAVED_REGS = (1 << CALLER_SAVED_REGS) - 1;
    private static final int S16_MIN = Short.MIN_VALUE;
    private static final int STX_DW = Bpf.BPF_STX | Bpf.BPF_MEM | Bpf.BPF_DW;
    private static final int LDX_DW = Bpf.BPF_LDX | Bpf.BPF_MEM | Bpf.BPF_DW;
    private static final Insn NOP = Macros.BPF_JMP_A(0);

    private MarkFastcallPatterns() {
    }

    /** Sets up the aux arrays (zeroed, as the kernel's vzalloc'ed insn_aux_data / subprog_info). */
    private static void init(VerifierEnv env) {
        env.fastcallPattern = new boolean[env.insns.size()];
        env.fastcallSpillsNum = new int[env.insns.size()];
        env.fastcallStackOff = new int[Math.max(1, env.subprogCount())];
        env.keepFastcallStack = new boolean[Math.max(1, env.subprogCount())];
    }

    /**
     * Models kernel/bpf/helpers.c {@code bpf_get_smp_processor_id_proto}, the one proto with
     * {@code allow_fastcall} in v6.12. tracing_prog_func_proto and a few others return it; none of
     * the model's get_func_proto does: struct_ops and syscall programs get bpf_base_func_proto's
     * {@code bpf_get_raw_smp_processor_id_proto} (net/core/filter.c), without allow_fastcall. So
     * a struct_ops or syscall program keeps its spills and fills around bpf_get_smp_processor_id
     * (the live kernel: misc-fixups-xlated-6.18.txt "fastcall" keeps them, a raw_tp program of
     * the same instructions, "raw_tp_fastcall", loses them).
     */
    static final BpfFuncProto BPF_GET_SMP_PROCESSOR_ID_PROTO = new BpfFuncProto("bpf_get_smp_processor_id", false,
            BpfFuncProto.RetType.RET_INTEGER, java.util.List.of(), java.util.List.of());

    /** Models {@code fn->allow_fastcall}: true only for {@link #BPF_GET_SMP_PROCESSOR_ID_PROTO} itself (identity: records compare by value). */
    static boolean allowFastcall(BpfFuncProto fn) {
        return fn == BPF_GET_SMP_PROCESSOR_ID_PROTO;
    }

    /** Models helper_fastcall_clobber_mask(). */
    static int helperFastcallClobberMask(BpfFuncProto fn) {
        int mask = 0;
        if (fn.retType() != BpfFuncProto.RetType.RET_VOID) {
            mask |= 1;
        }
        for (int i = 0; i < fn.argTypes().size() && i < 5; i++) {
            mask |= 1 << (1 + i); // every listed argument is a described one (not ARG_DONTCARE)
        }
        return mask;
    }

    /** Models mark_fastcall_patterns(). */
    static int markFastcallPatterns(VerifierEnv env) {
        init(env);
        int cnt = env.subprogCount();
        for (int s = 0; s < cnt; s++) {
            int start = env.subprogStarts.get(s);
            int end = env.subprogStarts.get(s + 1);
            int lowestOff = 0;
            for (int i = start; i < end; i++) {
                Insn insn = env.insns.get(i);
                if (insn.code() != STX_DW || insn.dst() != Bpf.BPF_REG_10) {
                    continue;
                }
                lowestOff = Math.min(lowestOff, insn.off());
            }
            for (int i = start; i < end; i++) {
                Insn insn = env.insns.get(i);
                if (insn.code() != (Bpf.BPF_JMP | Bpf.BPF_CALL)) {
                    continue;
                }
                markFastcallPatternForCall(env, s, i, lowestOff);
            }
        }
        return 0;
    }

    /** Models mark_fastcall_pattern_for_call(). */
    static void markFastcallPatternForCall(VerifierEnv env, int subprog, int insnIdx, int lowestOff) {
        Insn call = env.insns.get(insnIdx);
        int clobbered = ALL_CALLER_SAVED_REGS;
        boolean canBeInlined = false;
        if (call.isHelperCall()) {
            BpfFuncProto[] fnOut = {null};
            if (CheckHelperCall.getHelperProto(env, call.imm(), fnOut, false) < 0) {
                return; // error would be reported later (check_helper_call())
            }
            BpfFuncProto fn = fnOut[0];
            clobbered = helperFastcallClobberMask(fn);
            canBeInlined = allowFastcall(fn) && DoMiscFixups.verifierInlinesHelperCall(env, call.imm());
        }
        if (clobbered == ALL_CALLER_SAVED_REGS) {
            return;
        }
        int expected = ~clobbered & ALL_CALLER_SAVED_REGS;
        int len = env.insns.size();
        int i;
        int off;
        for (i = 1, off = lowestOff; i <= CALLER_SAVED_REGS; ++i, off = (short) (off + 8)) {
            if (insnIdx - i < 0 || insnIdx + i >= len) {
                break;
            }
            Insn stx = env.insns.get(insnIdx - i);
            Insn ldx = env.insns.get(insnIdx + i);
            if (stx.code() != STX_DW || ldx.code() != LDX_DW || stx.dst() != Bpf.BPF_REG_10 || ldx.src() != Bpf.BPF_REG_10) {
                break;
            }
            if (stx.src() != ldx.dst()) {
                break;
            }
            // BIT(stx->src_reg) & expected_regs_mask: r6-r10 are never expected
            if (((1L << stx.src()) & expected) == 0) {
                break;
            }
            if (stx.off() != off || ldx.off() != off) {
                break;
            }
            expected &= ~(1 << stx.src());
            env.fastcallPattern[insnIdx - i] = true;
            env.fastcallPattern[insnIdx + i] = true;
        }
        if (i == 1) {
            return;
        }
        if (canBeInlined) {
            env.fastcallSpillsNum[insnIdx] = i - 1;
        } else {
            env.keepFastcallStack[subprog] = true;
        }
        env.fastcallStackOff[subprog] = Math.min(env.fastcallStackOff[subprog], off);
    }

    /** Models check_fastcall_stack_contract(). */
    static void checkFastcallStackContract(VerifierEnv env, int subprog, int insnIdx, int off) {
        if (env.fastcallPattern == null) {
            return;
        }
        if (env.fastcallStackOff[subprog] <= off || env.fastcallPattern[insnIdx]) {
            return;
        }
        env.fastcallStackOff[subprog] = S16_MIN;
        int start = env.subprogStarts.get(subprog);
        int end = env.subprogStarts.get(subprog + 1);
        for (int i = start; i < end; i++) {
            env.fastcallSpillsNum[i] = 0;
            env.fastcallPattern[i] = false;
        }
    }

    /** Models remove_fastcall_spills_fills(): the NOPs are removed by opt_remove_nops(). */
    static int removeFastcallSpillsFills(VerifierEnv env) {
        int cnt = env.insns.size();
        int subprog = 0;
        boolean modified = false;
        for (int i = 0; i < cnt; i++) {
            int spills = env.fastcallSpillsNum[i];
            if (spills > 0) {
                for (int j = 1; j <= spills; j++) {
                    env.insns.set(i - j, NOP);
                    env.insns.set(i + j, NOP);
                }
                modified = true;
            }
            if (env.subprogStarts.get(subprog + 1) == i + 1) {
                if (modified && !env.keepFastcallStack[subprog]) {
                    // subprog->stack_depth is u16
                    env.subprogStackDepth[subprog] = (-env.fastcallStackOff[subprog]) & 0xffff;
                }
                subprog++;
                modified = false;
            }
        }
        return 0;
    }
}
