package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models the may_goto parts of kernel/bpf/verifier.c do_misc_fixups() (v6.12). Each
 * {@code may_goto} becomes a countdown in a hidden stack slot just below the subprogram's stack
 * (stack_off = -stack_depth - 8):
 * <pre>
 *   AX = *(u64 *)(r10 + stack_off)
 *   if AX == 0 goto &lt;the may_goto's target&gt;
 *   AX -= 1
 *   *(u64 *)(r10 + stack_off) = AX
 * </pre>
 * the subprogram's stack_depth grows by 8 (stack_extra), and its first instruction is preceded by
 * {@code *(u64 *)(r10 - stack_depth) = BPF_MAX_LOOPS}; jumps to that first instruction still
 * land on it, past the store (adjust_jmp_off()). BPF_REG_AX is register 11, which only the kernel's
 * rewrites use. Not modelled: the interpreter's fixed 512-byte frame, so a subprogram already
 * using all 512 bytes would put the counter outside the model's frame (the kernel's JIT sizes the
 * frame from the grown stack_depth).
 */
final class FixupMayGoto {
    /** include/linux/bpf.h BPF_MAX_LOOPS. */
    static final int BPF_MAX_LOOPS = 8 * 1024 * 1024;
    /** include/linux/filter.h BPF_REG_AX. */
    static final int BPF_REG_AX = MAX_BPF_REG;

    private FixupMayGoto() {
    }

    static int run(VerifierEnv env) {
        int cnt = env.subprogCount();
        boolean[] extra = new boolean[cnt];
        for (int i = 0; i < env.insns.size(); i++) {
            Insn insn = env.insns.get(i);
            if (insn.isLdImm64()) {
                i++;
                continue;
            }
            if (insn.code() != (BPF_JMP | BPF_JCOND) || insn.src() != BPF_MAY_GOTO) {
                continue;
            }
            int sub = env.subprogOf(i);
            int stackOff = -env.subprogStackDepth[sub] - 8;
            extra[sub] = true;
            int off = insn.off() >= 0 ? insn.off() + 2 : insn.off() - 1;
            List<Insn> buf = List.of(
                    new Insn(BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_AX, BPF_REG_FP, stackOff, 0),
                    new Insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_AX, 0, off, 0),
                    new Insn(BPF_ALU64 | BPF_SUB | BPF_K, BPF_REG_AX, 0, 0, 1),
                    new Insn(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_FP, BPF_REG_AX, stackOff, 0));
            int r = BpfPatchInsnData.run(env, i, buf);
            if (r < 0) {
                return r;
            }
            i += buf.size() - 1;
        }
        for (int s = 0; s < cnt; s++) {
            if (extra[s]) {
                env.subprogStackDepth[s] += 8;
            }
        }
        for (int s = 0; s < cnt; s++) {
            if (!extra[s]) {
                continue;
            }
            int start = env.subprogStarts.get(s);
            List<Insn> buf = List.of(new Insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_FP, 0, -env.subprogStackDepth[s], BPF_MAX_LOOPS),
                    env.insns.get(start));
            int r = BpfPatchInsnData.run(env, start, buf);
            if (r < 0) {
                return r;
            }
            // a jump to the subprogram's first insn (a may_goto heading a loop) goes past the store:
            // the counter is set once per call, not once per iteration
            if (AdjustJmpOff.run(env, start, 1) < 0) {
                return Errno.EFAULT.negative();
            }
        }
        return 0;
    }
}
