package org.bpfosgi.verifier;

import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * Models kernel/bpf/verifier.c bpf_check() for BPF_PROG_TYPE_STRUCT_OPS (and SYSCALL), with the kernel's pass
 * order (6.12): add_subprog_and_kfunc, check_subprogs, check_btf_info_early, check_attach_btf_id (for struct_ops:
 * check_struct_ops_btf_id), resolve_pseudo_ldimm64 (the instruction-field checks), check_cfg,
 * mark_fastcall_patterns, do_check, remove_fastcall_spills_fills, check_max_stack_depth, opt_hard_wire_dead_code_branches / opt_remove_dead_code /
 * opt_remove_nops (privileged), convert_ctx_accesses, do_misc_fixups, the verification
 * statistics, and — on every path — {@code module_put(env->attach_btf_mod)}.
 *
 * <p>Note on order: the issue lists check_struct_ops_btf_id first; the kernel runs
 * add_subprog_and_kfunc and check_subprogs before check_attach_btf_id, so module BTF references
 * of kfunc calls are taken before the attach module's. The model follows the kernel.
 *
 * <p>What bpf_check() takes beyond {@code env} (the kfunc_btf_tab references) stays with the
 * program's aux; the caller (bpf_prog_load) frees it when the load fails. A Java exception
 * anywhere inside is a verifier bug: it is caught here, logged, and the load fails with -EFAULT,
 * still putting attach_btf_mod.
 */
public final class BpfCheck {
    private BpfCheck() {
    }

    /** The outcome: 0 or a negative errno, the verifier log, and the rewritten instructions. */
    public record Result(int err, String log, List<Insn> insns) {
        public boolean ok() {
            return err == 0;
        }

        public Errno errno() {
            return Errno.of(err);
        }
    }

    /** The env->ops of a struct_ops program before check_struct_ops_btf_id(): bpf_struct_ops_verifier_ops. */
    private static final VerifierOps STRUCT_OPS_VERIFIER_OPS = new VerifierOps() { };

    /**
     * kernel/bpf/syscall.c {@code bpf_syscall_verifier_ops}: {@code syscall_prog_is_valid_access}
     * (any offset in [0, U16_MAX) aligned to the access size, read or write; the loaded value is
     * a scalar) and {@code syscall_prog_func_proto}. Not modelled: the helpers that proto adds to
     * the base set (bpf_sys_bpf, bpf_btf_find_by_name_kind, bpf_sys_close,
     * bpf_kallsyms_lookup_name and tracing_prog_func_proto's); only bpf_base_func_proto's.
     */
    static final VerifierOps SYSCALL_VERIFIER_OPS = new VerifierOps() {
        @Override
        public boolean isValidAccess(int off, int size, org.bpfosgi.subsystem.BpfAccessType type,
                                     org.bpfosgi.subsystem.BpfProgInfo prog, org.bpfosgi.subsystem.InsnAccessAux info) {
            if (off < 0 || off >= 0xffff) {
                return false;
            }
            return off % size == 0;
        }

        @Override
        public org.bpfosgi.subsystem.BpfFuncProto getFuncProto(int funcId, org.bpfosgi.subsystem.BpfProgInfo prog) {
            return prog.baseFuncProto(funcId);
        }
    };

    public static Result run(BpfProgLoadAttr attr, BpfProgAux aux, KernelServices kernel) {
        if ((attr.logLevel() & ~BpfVerifierLog.BPF_LOG_MASK) != 0) {
            // bpf_vlog_init(): an invalid log level
            return new Result(Errno.EINVAL.negative(), "", attr.insns());
        }
        VerifierEnv env = new VerifierEnv(attr, aux, kernel);
        boolean syscall = attr.progType() == BpfProgType.SYSCALL;
        env.ops = syscall ? SYSCALL_VERIFIER_OPS : STRUCT_OPS_VERIFIER_OPS;
        int ret;
        DoCheck dc = null;
        try {
            if (attr.progType() != BpfProgType.STRUCT_OPS && !syscall) {
                // the model verifies struct_ops and syscall programs only
                ret = Errno.EINVAL.negative();
            } else {
                ret = AddSubprogAndKfunc.run(env);
                env.subprogStackDepth = new int[Math.max(1, env.subprogCount())];
                if (ret >= 0) {
                    ret = CheckSubprogs.run(env);
                }
                if (ret >= 0) {
                    ret = CheckBtfInfo.early(env); // check_btf_info_early()
                }
                if (ret >= 0) {
                    ret = syscall ? checkSyscallAttach(env) : CheckStructOpsBtfId.run(env);
                }
                if (ret >= 0) {
                    ret = CheckSubprogs.checkInsnFields(env);
                }
                boolean[] prune = new boolean[env.insns.size()];
                if (ret >= 0) {
                    ret = CheckCfg.run(env, prune);
                }
                if (ret >= 0) {
                    ret = CheckBtfInfo.run(env); // check_btf_info()
                }
                if (ret >= 0) {
                    ret = MarkFastcallPatterns.markFastcallPatterns(env);
                }
                if (ret >= 0) {
                    dc = new DoCheck(env, prune);
                    ret = dc.run();
                    dc.printer.flush();
                }
                if (ret >= 0) {
                    // "might decrease stack depth, keep it before passes that allocate additional slots"
                    ret = MarkFastcallPatterns.removeFastcallSpillsFills(env);
                }
                if (ret >= 0) {
                    ret = CheckMaxStackDepth.run(env);
                }
                if (ret >= 0 && env.bpfCapable) {
                    // is_priv: dead code is hard-wired away and removed (unprivileged loads would
                    // sanitize_dead_code() instead; struct_ops loads are always privileged)
                    OptHardWireDeadCodeBranches.run(env);
                    ret = OptRemoveDeadCode.run(env);
                    if (ret >= 0) {
                        ret = OptRemoveNops.run(env);
                    }
                }
                if (ret >= 0) {
                    ret = ConvertCtxAccesses.run(env);
                }
                if (ret >= 0) {
                    ret = DoMiscFixups.run(env);
                }
                if (ret > 0) {
                    ret = 0;
                }
            }
        } catch (RuntimeException | StackOverflowError e) {
            if (dc != null) {
                dc.printer.flush();
            }
            env.verbose("verifier bug: bpf-osgi model threw %s\n", e.toString());
            ret = Errno.EFAULT.negative();
        }
        printVerificationStats(env);
        aux.stackDepths = env.subprogStackDepth.clone();
        aux.verifiedInsns = env.insnProcessed;
        // err_release_maps: the verifier's reference on the struct_ops owner ends with bpf_check()
        env.modules().modulePut(env.attachBtfMod, env.attachBtfModHolder);
        env.attachBtfMod = null;
        return new Result(ret, env.log.toString(), List.copyOf(env.insns));
    }

    /**
     * check_attach_btf_id() for BPF_PROG_TYPE_SYSCALL: "Syscall programs can only be sleepable"
     * (-EINVAL) unless BPF_F_SLEEPABLE (libbpf's SEC("syscall") sets it: SEC_SLEEPABLE).
     */
    private static int checkSyscallAttach(VerifierEnv env) {
        if (env.aux.sleepable) {
            return 0;
        }
        return env.err(Errno.EINVAL, "Syscall programs can only be sleepable\n");
    }

    /** Models print_verification_stats(). */
    private static void printVerificationStats(VerifierEnv env) {
        if ((env.log.level() & BpfVerifierLog.BPF_LOG_STATS) != 0) {
            env.verbose("verification time %d usec\n", (System.nanoTime() - env.startNanos) / 1000);
            StringBuilder sb = new StringBuilder("stack depth ");
            for (int i = 0; i < env.subprogStackDepth.length; i++) {
                sb.append(i == 0 ? "" : "+").append(env.subprogStackDepth[i]);
            }
            env.verbose("%s\n", sb.toString());
        }
        env.verbose("processed %d insns (limit %d) max_states_per_insn %d total_states %d peak_states %d mark_read %d\n",
                env.insnProcessed, DoCheck.BPF_COMPLEXITY_LIMIT_INSNS, env.maxStatesPerInsn, env.totalStates,
                env.peakStates, 0);
    }
}
