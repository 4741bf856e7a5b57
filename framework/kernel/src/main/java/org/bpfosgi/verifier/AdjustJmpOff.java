package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models kernel/bpf/verifier.c adjust_jmp_off() (v5 2/9): every jump outside
 * [{@code tgtIdx}, {@code tgtIdx + delta}) — not calls, not exits — that targets {@code tgtIdx}
 * moves {@code delta} further ({@code JMP32|JA} through imm, others through off). In place, as
 * the kernel: an overflow returns -ERANGE with the earlier jumps already adjusted.
 */
final class AdjustJmpOff {
    private AdjustJmpOff() {
    }

    static int run(VerifierEnv env, int tgtIdx, int delta) {
        for (int i = 0; i < env.insns.size(); i++) {
            Insn insn = env.insns.get(i);
            if (tgtIdx <= i && i < tgtIdx + delta) {
                continue;
            }
            int cls = insn.cls();
            if ((cls != BPF_JMP && cls != BPF_JMP32) || insn.op() == BPF_CALL || insn.op() == BPF_EXIT) {
                continue;
            }
            if (insn.isGotol()) {
                if ((long) i + 1 + insn.imm() != tgtIdx) {
                    continue;
                }
                long v = (long) insn.imm() + delta;
                if (v != (int) v) {
                    return Errno.ERANGE.negative(); // check_add_overflow()
                }
                env.insns.set(i, insn.withImm((int) v));
            } else {
                if ((long) i + 1 + insn.off() != tgtIdx) {
                    continue;
                }
                long v = (long) insn.off() + delta;
                if (v != (short) v) {
                    return Errno.ERANGE.negative();
                }
                env.insns.set(i, insn.withOff((int) v));
            }
        }
        return 0;
    }
}
