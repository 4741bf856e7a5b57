package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Macros;
import org.bpfosgi.module.Module;
import org.bpfosgi.subsystem.InsnBuf;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * Models kernel/bpf/verifier.c convert_ctx_accesses() in its v6.12 form, with
 * the kfunc handling of the load's {@link KfuncPolicy}:
 * <ol>
 * <li>Step A: gen_epilogue with {@code ctx_stack_off = -(stack_depth + 8)}; a count ≥
 * INSN_BUF_SIZE is "bpf verifier is misconfigured" (-EINVAL); a non-zero count grows subprog 0's
 * stack by 8 and patches {@code *(u64 *)(r10 -depth) = r1} in front of insn 0; the epilogue is
 * kept aside.</li>
 * <li>Step B: gen_prologue (when set, or seen_direct_write: without it "bpf verifier is
 * misconfigured"); its sequence replaces insn 0 (then the ctx save).</li>
 * <li>Step C: {@link AdjustJmpOff adjust_jmp_off(prog, 0, delta)} (failure only WARNs).</li>
 * <li>Step D: over the original instructions, a main-program exit ({@code i + delta <
 * subprog[1].start}) is replaced by the epilogue the first time and by {@code gotol} back to it
 * afterwards; inserted code is never revisited.</li>
 * </ol>
 * Policies: {@code seed} runs {@link FixupProEpilogueKfunc} right after each generator (dropped
 * v2 7/8); {@code upstream} runs {@link AddKfuncInInsns} after each patch (v6.15);
 * {@code emit-call} checks the BPF_EMIT_CALL targets and marks them finalized
 * ({@link MarkHelperCallsFinalized}) and registers no kfunc (a kfunc call in its sequences then
 * fails in fixup_kfunc_call(), as in 6.12).
 *
 * <p>A generator that throws, writes past INSN_BUF_SIZE, returns a negative count or more than it
 * wrote, or writes a malformed sequence fails the load with -EFAULT and a "bpf-osgi:" log line
 * (in the kernel these are verifier-memory corruption or an oops); whatever the load took is
 * given back when its aux is freed. Not modelled: convert_ctx_access of ctx fields (struct_ops
 * ops have none), BPF_PROBE_MEM rewriting of untrusted PTR_TO_BTF_ID loads, nospec insertion,
 * arena probe modes, offloaded programs.
 */
final class ConvertCtxAccesses {
    /** INSN_BUF_SIZE as introduced by the Aug 2024 series (v5 1/9) and the seed's 16-entry arrays. */
    static final int INSN_BUF_SIZE = 16;

    private ConvertCtxAccesses() {
    }

    /** What one generator call produced: the count it returned and its buffer, or an error. */
    private record Generated(int err, int cnt, List<Insn> insns, boolean thisModule) {
    }

    static int run(VerifierEnv env) {
        ProgInfo prog = new ProgInfo(env);
        VerifierOps ops = env.ops;
        KfuncPolicy policy = env.aux.kfuncPolicy;
        final int insnCnt = env.insns.size();
        int delta = 0;
        int epilogueCnt = 0;
        List<Insn> epilogueBuf = List.of();

        if (hasGenEpilogue(ops)) {
            short ctxStackOff = (short) -(env.subprogStackDepth[0] + 8);
            InsnBuf buf = new InsnBuf(INSN_BUF_SIZE);
            Generated g = generate(env, "gen_epilogue", buf,
                    () -> ops.genEpilogue().get().generate(buf, prog, ctxStackOff));
            if (g.err < 0) {
                return g.err;
            }
            epilogueCnt = g.cnt;
            if (epilogueCnt != 0) {
                List<Insn> ebuf = g.insns;
                int r = beforePatch(env, policy, ebuf, epilogueCnt, g.thisModule, "gen_epilogue");
                if (r < 0) {
                    return r;
                }
                // save the ARG_PTR_TO_CTX for the epilogue to use
                env.subprogStackDepth[0] += 8;
                List<Insn> save = List.of(Macros.BPF_STX_MEM(BPF_DW, BPF_REG_FP, BPF_REG_1, -env.subprogStackDepth[0]),
                        env.insns.get(0));
                r = BpfPatchInsnData.run(env, 0, save);
                if (r < 0) {
                    return r;
                }
                delta += save.size() - 1;
                if (policy == KfuncPolicy.UPSTREAM) {
                    r = AddKfuncInInsns.run(env, ebuf, epilogueCnt - 1);
                    if (r < 0) {
                        return r;
                    }
                }
                epilogueBuf = ebuf;
            }
        }

        boolean hasGenPrologue = hasGenPrologue(ops);
        if (hasGenPrologue || env.seenDirectWrite) {
            if (!hasGenPrologue) {
                // v6.12: -EINVAL; -EFAULT from ~v6.16, "verifier bug: gen_prologue is null" from v6.17
                return env.err(Errno.EINVAL, "bpf verifier is misconfigured\n");
            }
            InsnBuf buf = new InsnBuf(INSN_BUF_SIZE);
            boolean directWrite = env.seenDirectWrite;
            Generated g = generate(env, "gen_prologue", buf,
                    () -> ops.genPrologue().get().generate(buf, directWrite, prog));
            if (g.err < 0) {
                return g.err;
            }
            int cnt = g.cnt;
            if (cnt != 0) {
                List<Insn> pbuf = g.insns;
                int r = beforePatch(env, policy, pbuf, cnt, g.thisModule, "gen_prologue");
                if (r < 0) {
                    return r;
                }
                r = BpfPatchInsnData.run(env, 0, pbuf);
                if (r < 0) {
                    return r;
                }
                delta += cnt - 1;
                if (policy == KfuncPolicy.UPSTREAM) {
                    r = AddKfuncInInsns.run(env, pbuf, cnt - 1);
                    if (r < 0) {
                        return r;
                    }
                } else if (policy == KfuncPolicy.EMIT_CALL) {
                    MarkHelperCallsFinalized.run(env, 0, cnt - 1);
                }
            }
        }

        if (delta != 0 && AdjustJmpOff.run(env, 0, delta) < 0) {
            // WARN_ON(adjust_jmp_off(env->prog, 0, delta)): the kernel warns and carries on
            env.verbose("bpf-osgi: WARN_ON(adjust_jmp_off(prog, 0, %d)): a displacement overflowed\n", delta);
        }

        int epilogueIdx = 0;
        for (int i = 0; i < insnCnt; i++) {
            int idx = i + delta;
            Insn insn = env.insns.get(idx);
            if (!(insn.isExit() && epilogueCnt != 0 && idx < env.subprogStarts.get(1))) {
                continue; // ctx conversions, PROBE_MEM, nospec: not modelled (see the class comment)
            }
            List<Insn> buf;
            boolean isEpilogue = false;
            if (epilogueIdx != 0) {
                // jump back to the earlier generated epilogue
                buf = List.of(Macros.BPF_JMP32_A(epilogueIdx - i - delta - 1));
            } else {
                buf = epilogueBuf;
                // epilogue_idx cannot be 0: the ctx save is always before it
                epilogueIdx = idx;
                isEpilogue = true;
            }
            int r = BpfPatchInsnData.run(env, idx, buf);
            if (r < 0) {
                return r;
            }
            delta += buf.size() - 1;
            if (isEpilogue && policy == KfuncPolicy.EMIT_CALL) {
                MarkHelperCallsFinalized.run(env, epilogueIdx, buf.size() - 1);
            }
        }
        return 0;
    }

    /** The policy's work on a generated sequence before it is patched in. */
    private static int beforePatch(VerifierEnv env, KfuncPolicy policy, List<Insn> buf, int cnt, boolean thisModule,
                                   String generator) {
        switch (policy) {
            case SEED: {
                // *module = THIS_MODULE: the module owning the struct_ops type (NULL when built in)
                Module module = thisModule && env.aux.stOps != null ? env.aux.stOps.owner() : null;
                return FixupProEpilogueKfunc.run(env, buf, cnt, module);
            }
            case EMIT_CALL:
                return MarkHelperCallsFinalized.checkTargets(env, buf, cnt, generator);
            default:
                return 0;
        }
    }

    /**
     * Calls one generator and checks what it did: the kernel's count check (≥ INSN_BUF_SIZE:
     * "bpf verifier is misconfigured", -EINVAL in 6.12) and bpf-osgi's containment of generator
     * bugs (-EFAULT with a "bpf-osgi:" line).
     */
    private static Generated generate(VerifierEnv env, String which, InsnBuf buf, Callable<Integer> gen) {
        String who = env.aux.stOps != null ? env.aux.stOps.name() : "the subsystem";
        int cnt;
        try {
            cnt = gen.call();
        } catch (Exception | StackOverflowError e) {
            if (buf.overflowed()) {
                return bug(env, "bpf-osgi: %s's %s wrote past insn_buf[%d]\n", who, which, INSN_BUF_SIZE);
            }
            return bug(env, "bpf-osgi: %s's %s threw %s\n", who, which, e.toString());
        }
        if (buf.overflowed()) {
            return bug(env, "bpf-osgi: %s's %s wrote past insn_buf[%d]\n", who, which, INSN_BUF_SIZE);
        }
        if (cnt >= INSN_BUF_SIZE) {
            env.verbose("bpf verifier is misconfigured\n");
            return new Generated(Errno.EINVAL.negative(), 0, List.of(), false);
        }
        if (cnt < 0) {
            return bug(env, "bpf-osgi: %s's %s returned a negative count %d\n", who, which, cnt);
        }
        if (cnt > buf.written()) {
            return bug(env, "bpf-osgi: %s's %s returned %d but wrote %d instructions\n", who, which, cnt,
                    buf.written());
        }
        List<Insn> insns = new ArrayList<>(buf.insns().subList(0, cnt));
        for (int i = 0; i < cnt; i++) {
            Insn insn = insns.get(i);
            if (insn == null) {
                return bug(env, "bpf-osgi: %s's %s wrote a null instruction at %d\n", who, which, i);
            }
            if (insn.isLdImm64()) {
                // a prologue's copy of an ld_imm64 insn 0 is its first slot only: the original
                // second slot stays after the patched insn 0 (bpf_patch_insn_data() replaces one slot)
                if (i == cnt - 1 && which.equals("gen_prologue")) {
                    break;
                }
                if (i + 1 >= cnt || insns.get(i + 1) == null || insns.get(i + 1).code() != 0) {
                    return bug(env, "bpf-osgi: %s's %s wrote an ld_imm64 without its second slot at %d\n", who,
                            which, i);
                }
                i++;
            }
        }
        return new Generated(0, cnt, insns, buf.thisModule());
    }

    private static Generated bug(VerifierEnv env, String fmt, Object... args) {
        env.verbose(fmt, args);
        return new Generated(Errno.EFAULT.negative(), 0, List.of(), false);
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
