package org.bpfosgi.verifier;


import org.bpfosgi.isa.Bpf;

/**
 * Models kernel/bpf/verifier.c widen_imprecise_scalars() / maybe_widen_reg() (v6.12): when a
 * may_goto pushes its fall-through (the next loop iteration) and an older checkpoint of the same
 * may_goto is on the current path, every scalar register or spilled scalar that is imprecise in
 * both and not regs_exact() (one id map for the whole walk) becomes unknown in the pushed state,
 * so that the loop converges instead of being unrolled value by value.
 */
final class WidenImpreciseScalars {
    private WidenImpreciseScalars() {
    }

    static void run(VerifierState old, VerifierState cur) {
        IdMap idmap = new IdMap();
        for (int fr = old.curframe; fr >= 0; fr--) {
            FuncState fold = old.frame[fr];
            FuncState fcur = cur.frame[fr];
            for (int i = 0; i < Bpf.MAX_BPF_REG; i++) {
                fcur.regs[i] = maybeWidenReg(fold.regs[i], fcur.regs[i], idmap);
            }
            // slots beyond the current frame's allocated stack are not spilled registers there
            for (int spi = 0; spi < Math.min(fold.allocatedStack, fcur.allocatedStack) / 8; spi++) {
                if (fold.spilled[spi] == null || fcur.spilled[spi] == null || !isSpilledReg(fold, spi) || !isSpilledReg(fcur, spi)) {
                    continue;
                }
                fcur.spilled[spi] = maybeWidenReg(fold.spilled[spi], fcur.spilled[spi], idmap);
            }
        }
    }

    private static boolean isSpilledReg(FuncState f, int spi) {
        return CheckMemAccess.isSpilledReg(f, spi);
    }

    /** maybe_widen_reg(): the widened register (__mark_reg_unknown()) or {@code rcur} itself. */
    private static RegState maybeWidenReg(RegState rold, RegState rcur, IdMap idmap) {
        if (rold.type() != RegType.SCALAR_VALUE || rcur.type() != RegType.SCALAR_VALUE) {
            return rcur;
        }
        if (rold.precise() || rcur.precise() || IsStateVisited.regsExact(rold, rcur, idmap)) {
            return rcur;
        }
        return RegState.UNKNOWN_SCALAR;
    }
}
