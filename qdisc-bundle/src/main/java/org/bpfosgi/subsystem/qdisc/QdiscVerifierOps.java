package org.bpfosgi.subsystem.qdisc;

import static org.bpfosgi.isa.Bpf.BPF_DW;
import static org.bpfosgi.isa.Bpf.BPF_JEQ;
import static org.bpfosgi.isa.Macros.BPF_CALL_KFUNC;
import static org.bpfosgi.isa.Macros.BPF_EMIT_CALL;
import static org.bpfosgi.isa.Macros.BPF_EXIT_INSN;
import static org.bpfosgi.isa.Macros.BPF_JMP_IMM;
import static org.bpfosgi.isa.Macros.BPF_LDX_MEM;
import static org.bpfosgi.isa.Macros.BPF_MOV64_REG;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.BtfRegInfo;
import org.bpfosgi.subsystem.GenEpilogue;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.InsnBuf;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.VerifierLog;
import org.bpfosgi.subsystem.VerifierOps;

/** net/sched/bpf_qdisc.c {@code bpf_qdisc_verifier_ops} (v6.16). */
final class QdiscVerifierOps implements VerifierOps {
    private final Supplier<QdiscTypes> types;

    QdiscVerifierOps(Supplier<QdiscTypes> types) {
        this.types = types;
    }

    /**
     * Models bpf_qdisc_is_valid_access(): enqueue's argument 2 ({@code struct sk_buff **to_free})
     * reads as a trusted pointer to {@code struct bpf_sk_buff_ptr}; everything else is
     * bpf_tracing_btf_ctx_access().
     */
    @Override
    public boolean isValidAccess(int off, int size, BpfAccessType type, BpfProgInfo prog, InsnAccessAux info) {
        QdiscTypes t = types.get();
        int arg = off / 8; // btf_ctx_arg_idx(): every argument takes one u64 slot
        if (prog.attachStOpsMemberOff() == t.opsEnqueue && arg == 2 && type == BpfAccessType.BPF_READ) {
            info.regType = InsnAccessAux.RegType.PTR_TO_BTF_ID;
            info.trusted = true;
            info.btfId = t.skBuffPtrId;
            return true;
        }
        return prog.tracingBtfCtxAccess(off, size, type, info);
    }

    /**
     * Models bpf_qdisc_btf_struct_access() with bpf_qdisc_sk_buff_access() (tstamp; the bytes of
     * {@code qdisc_skb_cb.data}) and bpf_qdisc_qdisc_access() ({@code limit}, {@code q.qlen},
     * any byte of {@code qstats}).
     */
    @Override
    public void btfStructAccess(VerifierLog log, BtfRegInfo reg, int off, int size) {
        QdiscTypes t = types.get();
        String name;
        int end;
        if (reg.btfId() == t.skBuffId) {
            name = "sk_buff";
            if (off == t.skbTstamp) {
                end = t.skbTstampEnd;
            } else if (off >= t.skbCbData && off <= t.skbCbDataEnd - 1) {
                end = t.skbCbDataEnd;
            } else {
                end = -1;
            }
        } else if (reg.btfId() == t.qdiscId) {
            name = "Qdisc";
            if (off == t.qdiscLimit) {
                end = t.qdiscLimitEnd;
            } else if (off == t.qdiscQlen) {
                end = t.qdiscQlenEnd;
            } else if (off >= t.qdiscQstats && off <= t.qdiscQstatsEnd - 1) {
                end = t.qdiscQstatsEnd;
            } else {
                end = -1;
            }
        } else {
            log.log("only read is supported\n");
            throw new KernelException(Errno.EACCES);
        }
        if (end < 0) {
            log.log("no write support to %s at off %d\n", name, off);
            throw new KernelException(Errno.EACCES);
        }
        if (off + size > end) {
            log.log("write access at off %d with size %d beyond the member of %s ended at %zu\n", off, size, name, end);
            throw new KernelException(Errno.EACCES);
        }
    }

    /** {@code .get_func_proto = bpf_base_func_proto}. */
    @Override
    public BpfFuncProto getFuncProto(int funcId, BpfProgInfo prog) {
        return prog.baseFuncProto(funcId);
    }

    /**
     * Models bpf_qdisc_gen_prologue(), for {@code init} only: {@code r6 = r1; r2 = ctx[2]
     * (extack); r1 = ctx[0] (sch); call bpf_qdisc_init_prologue; if r0 == 0 goto +1; exit;
     * r1 = r6;} then the program's first instruction. The call is the kernel's
     * {@code BPF_CALL_KFUNC(0, bpf_qdisc_init_prologue_ids[0])} under every policy but
     * {@code emit-call}; see {@link #call}.
     */
    @Override
    public Optional<GenPrologue> genPrologue() {
        return Optional.of(QdiscVerifierOps.this::genPrologue);
    }

    int genPrologue(InsnBuf buf, boolean directWrite, BpfProgInfo prog) {
        List<Insn> insns = prologue(prog);
        insns.forEach(buf::add);
        thisModule(buf, prog, insns);
        return insns.size();
    }

    /** What bpf_qdisc_gen_prologue() writes for {@code prog}: empty unless it implements init. */
    List<Insn> prologue(BpfProgInfo prog) {
        QdiscTypes t = types.get();
        if (prog.attachStOpsMemberOff() != t.opsInit) {
            return List.of();
        }
        return List.of(
                BPF_MOV64_REG(6, 1),
                BPF_LDX_MEM(BPF_DW, 2, 1, 16),
                BPF_LDX_MEM(BPF_DW, 1, 1, 0),
                call(prog, "bpf_qdisc_init_prologue", t.initPrologueId),
                BPF_JMP_IMM(BPF_JEQ, 0, 0, 1),
                BPF_EXIT_INSN(),
                BPF_MOV64_REG(1, 6),
                prog.firstInsn());
    }

    /**
     * Models bpf_qdisc_gen_epilogue(), for {@code reset} and {@code destroy}: {@code r1 =
     * *(u64 *)(r10 + ctx_stack_off); r1 = ctx[0] (sch); call bpf_qdisc_reset_destroy_epilogue;
     * exit}.
     */
    @Override
    public Optional<GenEpilogue> genEpilogue() {
        return Optional.of(QdiscVerifierOps.this::genEpilogue);
    }

    int genEpilogue(InsnBuf buf, BpfProgInfo prog, short ctxStackOff) {
        List<Insn> insns = epilogue(prog, ctxStackOff);
        insns.forEach(buf::add);
        thisModule(buf, prog, insns);
        return insns.size();
    }

    /** What bpf_qdisc_gen_epilogue() writes for {@code prog}: empty unless it implements reset or destroy. */
    List<Insn> epilogue(BpfProgInfo prog, short ctxStackOff) {
        QdiscTypes t = types.get();
        if (prog.attachStOpsMemberOff() != t.opsReset && prog.attachStOpsMemberOff() != t.opsDestroy) {
            return List.of();
        }
        return List.of(
                BPF_LDX_MEM(BPF_DW, 1, 10, ctxStackOff),
                BPF_LDX_MEM(BPF_DW, 1, 1, 0),
                call(prog, "bpf_qdisc_reset_destroy_epilogue", t.resetDestroyEpilogueId),
                BPF_EXIT_INSN());
    }

    /**
     * The generated call of {@code kfunc}, as each policy's world writes it:
     * <ul>
     * <li>{@code upstream} (what landed in 6.16): {@code BPF_CALL_KFUNC(0, id)}, off 0 = a vmlinux
     * kfunc. bpf_qdisc is built-in only (CONFIG_NET_SCH_BPF is a bool); built as a module, the id
     * is a split-BTF id that add_kfunc_in_insns() looks up in vmlinux BTF, where it is no type:
     * "kernel btf_id %u is not a function", -EINVAL.</li>
     * <li>{@code seed} (dropped v2 7/8): the same instruction, and the generator reports
     * {@code *module = THIS_MODULE} (NULL when built in, so vmlinux and off 0);
     * fixup_pro_epilogue_kfunc() then gives a module's kfunc the module BTF's kfunc_btf_tab
     * offset, and the program holds the module until it is freed.</li>
     * <li>{@code emit-call}: {@code BPF_EMIT_CALL(kfunc)} to the function itself (no descriptor,
     * no module reference); the verifier refuses a target in module text.</li>
     * </ul>
     */
    private static Insn call(BpfProgInfo prog, String kfunc, int btfId) {
        if (prog.kfuncPolicy() == KfuncPolicy.EMIT_CALL) {
            return BPF_EMIT_CALL(prog.bpfCallImm(kfunc));
        }
        return BPF_CALL_KFUNC(0, btfId);
    }

    /** {@code *module = THIS_MODULE}: only the seed's generator signature has the out-parameter. */
    private static void thisModule(InsnBuf buf, BpfProgInfo prog, List<Insn> insns) {
        if (!insns.isEmpty() && prog.kfuncPolicy() == KfuncPolicy.SEED) {
            buf.setThisModule();
        }
    }
}
