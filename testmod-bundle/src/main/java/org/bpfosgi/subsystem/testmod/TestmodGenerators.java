package org.bpfosgi.subsystem.testmod;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.InsnBuf;

/**
 * bpf_testmod's st_ops_gen_prologue() / st_ops_gen_epilogue() (bpf_testmod.c),
 * in the form each kfunc policy's world had:
 * <ul>
 * <li>{@code upstream}: the sequences landed in Aug 2024 (5 and 8 insns), and for programs named
 * {@code test_kfunc_*} the Feb 2025 variants calling the vmlinux kfuncs bpf_cgroup_from_id /
 * bpf_cgroup_release ({@code st_ops_gen_prologue_with_kfunc}, 13 and 15 insns), whose ids
 * st_ops_init() resolves with bpf_find_btf_id();</li>
 * <li>{@code seed}: the dropped v2 8/8 sequences verbatim (10+1 and 11 insns, u32 accesses,
 * kfunc calls to {@code st_ops_epilogue_kfunc_list[0..1]} = inc10, inc100 with
 * {@code *module = THIS_MODULE});</li>
 * <li>{@code emit-call}: the seed's arithmetic with {@code BPF_EMIT_CALL(inc10)} /
 * {@code BPF_EMIT_CALL(inc100)} (the kfunc bodies have the BPF_CALL_N calling convention).</li>
 * </ul>
 * Selection is the kernel's: the prologue only for {@code attach_func_name} "test_prologue" or
 * "test_pro_epilogue", the epilogue only for "test_epilogue" or "test_pro_epilogue".
 */
final class TestmodGenerators {
    private TestmodGenerators() {
    }

    /** st_ops_gen_prologue(insn_buf, direct_write, prog). */
    static int genPrologue(InsnBuf buf, boolean directWrite, BpfProgInfo prog) {
        String member = prog.attachFuncName();
        if (!"test_prologue".equals(member) && !"test_pro_epilogue".equals(member)) {
            return 0;
        }
        switch (prog.kfuncPolicy()) {
            case SEED:
                return seedPrologue(buf, prog, false);
            case EMIT_CALL:
                return seedPrologue(buf, prog, true);
            default:
                if (prog.name().startsWith("test_kfunc_")) {
                    return prologueWithKfunc(buf, prog);
                }
                return landedPrologue(buf, prog);
        }
    }

    /** st_ops_gen_epilogue(insn_buf, prog, ctx_stack_off). */
    static int genEpilogue(InsnBuf buf, BpfProgInfo prog, short ctxStackOff) {
        String member = prog.attachFuncName();
        if (!"test_epilogue".equals(member) && !"test_pro_epilogue".equals(member)) {
            return 0;
        }
        switch (prog.kfuncPolicy()) {
            case SEED:
                return seedEpilogue(buf, prog, ctxStackOff, false);
            case EMIT_CALL:
                return seedEpilogue(buf, prog, ctxStackOff, true);
            default:
                if (prog.name().startsWith("test_kfunc_")) {
                    return epilogueWithKfunc(buf, prog, ctxStackOff);
                }
                return landedEpilogue(buf, ctxStackOff);
        }
    }

    /** Landed (Aug 2024): a += 1000; R1 unchanged. */
    private static int landedPrologue(InsnBuf buf, BpfProgInfo prog) {
        // r6 = *(u64 *)(r1 +0); r7 = *(u64 *)(r6 +0); r7 += 1000; *(u64 *)(r6 +0) = r7
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 0));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_6, 0));
        buf.add(BPF_ALU64_IMM(BPF_ADD, BPF_REG_7, 1000));
        buf.add(BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_7, 0));
        buf.add(prog.firstInsn());
        return buf.written();
    }

    /** Landed (Aug 2024): a += 10000; return 2 * a. */
    private static int landedEpilogue(InsnBuf buf, short ctxStackOff) {
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_FP, ctxStackOff));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_1, 0));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 0));
        buf.add(BPF_ALU64_IMM(BPF_ADD, BPF_REG_6, 10000));
        buf.add(BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 0));
        buf.add(BPF_MOV64_REG(BPF_REG_0, BPF_REG_6));
        buf.add(BPF_ALU64_IMM(BPF_MUL, BPF_REG_0, 2));
        buf.add(BPF_EXIT_INSN());
        return buf.written();
    }

    /** st_ops_init()'s bpf_find_btf_id() of a vmlinux kfunc (st_ops_init fails with -EINVAL when absent). */
    private static int vmlinuxKfunc(BpfProgInfo prog, String name) {
        int id = prog.findBtfId(name, BtfKind.FUNC);
        if (id < 0) {
            throw new IllegalStateException("bpf_find_btf_id(" + name + ") = " + id
                    + ": bpf_testmod's st_ops_init would have failed with -EINVAL");
        }
        return id;
    }

    /** Feb 2025, programs named test_kfunc_*: bpf_cgroup_from_id(0) is NULL, so a += 1000 runs. */
    private static int prologueWithKfunc(InsnBuf buf, BpfProgInfo prog) {
        int fromId = vmlinuxKfunc(prog, "bpf_cgroup_from_id");
        int release = vmlinuxKfunc(prog, "bpf_cgroup_release");
        buf.add(BPF_MOV64_REG(BPF_REG_8, BPF_REG_1));
        buf.add(BPF_MOV64_IMM(BPF_REG_1, 0));
        buf.add(BPF_CALL_KFUNC(0, fromId));
        buf.add(BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 5));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_8, 0));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_6, 0));
        buf.add(BPF_ALU64_IMM(BPF_ADD, BPF_REG_7, 1000));
        buf.add(BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_7, 0));
        buf.add(BPF_JMP_A(2));
        buf.add(BPF_MOV64_REG(BPF_REG_1, BPF_REG_0));
        buf.add(BPF_CALL_KFUNC(0, release));
        buf.add(BPF_MOV64_REG(BPF_REG_1, BPF_REG_8));
        buf.add(prog.firstInsn());
        return buf.written();
    }

    /** Feb 2025, programs named test_kfunc_*. */
    private static int epilogueWithKfunc(InsnBuf buf, BpfProgInfo prog, short ctxStackOff) {
        int fromId = vmlinuxKfunc(prog, "bpf_cgroup_from_id");
        int release = vmlinuxKfunc(prog, "bpf_cgroup_release");
        buf.add(BPF_MOV64_IMM(BPF_REG_1, 0));
        buf.add(BPF_MOV64_IMM(BPF_REG_6, 0));
        buf.add(BPF_CALL_KFUNC(0, fromId));
        buf.add(BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 6));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_FP, ctxStackOff));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_1, 0));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 0));
        buf.add(BPF_ALU64_IMM(BPF_ADD, BPF_REG_6, 10000));
        buf.add(BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 0));
        buf.add(BPF_JMP_A(2));
        buf.add(BPF_MOV64_REG(BPF_REG_1, BPF_REG_0));
        buf.add(BPF_CALL_KFUNC(0, release));
        buf.add(BPF_MOV64_REG(BPF_REG_0, BPF_REG_6));
        buf.add(BPF_ALU64_IMM(BPF_MUL, BPF_REG_0, 2));
        buf.add(BPF_EXIT_INSN());
        return buf.written();
    }

    /**
     * The call of kfunc {@code idx} of {@code BTF_ID_LIST(st_ops_epilogue_kfunc_list)}:
     * {@code BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, list[idx])} (seed), or
     * {@code BPF_EMIT_CALL(fn)} (emit-call).
     */
    private static Insn call(BpfProgInfo prog, int idx, boolean emitCall) {
        if (emitCall) {
            return BPF_EMIT_CALL(prog.bpfCallImm(idx == 0 ? "bpf_kfunc_st_ops_inc10" : "bpf_kfunc_st_ops_inc100"));
        }
        int[] list = prog.btfIdList("st_ops_epilogue_kfunc_list");
        return BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, list[idx]);
    }

    /** v2 8/8: a += 1000 (u32), inc10, inc100; net a += 1110; R1 restored. */
    private static int seedPrologue(InsnBuf buf, BpfProgInfo prog, boolean emitCall) {
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 0));
        buf.add(BPF_LDX_MEM(BPF_W, BPF_REG_7, BPF_REG_6, 0));
        buf.add(BPF_ALU32_IMM(BPF_ADD, BPF_REG_7, 1000));
        buf.add(BPF_STX_MEM(BPF_W, BPF_REG_6, BPF_REG_7, 0));
        buf.add(BPF_MOV64_REG(BPF_REG_7, BPF_REG_1));
        buf.add(BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
        buf.add(call(prog, 0, emitCall));
        buf.add(BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
        buf.add(call(prog, 1, emitCall));
        buf.add(BPF_MOV64_REG(BPF_REG_1, BPF_REG_7));
        buf.add(prog.firstInsn());
        if (!emitCall) {
            buf.setThisModule(); // *module = THIS_MODULE
        }
        return buf.written();
    }

    /** v2 8/8: a += 10000 (u32), inc10, inc100 (r0 = a), return 2 * a (w0 *= 2). */
    private static int seedEpilogue(InsnBuf buf, BpfProgInfo prog, short ctxStackOff, boolean emitCall) {
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_FP, ctxStackOff));
        buf.add(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_1, 0));
        buf.add(BPF_LDX_MEM(BPF_W, BPF_REG_6, BPF_REG_1, 0));
        buf.add(BPF_ALU32_IMM(BPF_ADD, BPF_REG_6, 10000));
        buf.add(BPF_STX_MEM(BPF_W, BPF_REG_1, BPF_REG_6, 0));
        buf.add(BPF_MOV64_REG(BPF_REG_6, BPF_REG_1));
        buf.add(call(prog, 0, emitCall));
        buf.add(BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
        buf.add(call(prog, 1, emitCall));
        buf.add(BPF_ALU32_IMM(BPF_MUL, BPF_REG_0, 2));
        buf.add(BPF_EXIT_INSN());
        if (!emitCall) {
            buf.setThisModule();
        }
        return buf.written();
    }
}
