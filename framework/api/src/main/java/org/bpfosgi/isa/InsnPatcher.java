package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayList;
import java.util.List;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Instruction-level patching as the kernel does it, on immutable instruction lists:
 * kernel/bpf/core.c {@code bpf_patch_insn_single()} with {@code bpf_adj_branches()} (and its
 * {@code bpf_adj_delta_to_off()} / {@code bpf_adj_delta_to_imm()}), and kernel/bpf/verifier.c
 * {@code adjust_jmp_off()}. The verifier's wrapper ({@code bpf_patch_insn_data()}: aux data,
 * subprog starts, poke descriptors, line info) is not here: it belongs to the verifier.
 */
@ProviderType
public final class InsnPatcher {
    private InsnPatcher() {}

    /**
     * Replaces the slot at {@code off} with {@code patch} and relocates every jump, bpf-to-bpf call
     * and {@code BPF_PSEUDO_FUNC} ld_imm64 that crosses the patched slot: a jump to the replaced
     * instruction lands on the first instruction of the replacement, from both directions;
     * instructions inside the patch are not adjusted. A one-instruction patch overwrites in place.
     *
     * @throws KernelException ERANGE if a relocated displacement no longer fits (16 bits for
     *                         {@code off}, 32 for {@code imm}), as the kernel's probe pass reports
     */
    public static List<Insn> patchInsnSingle(List<Insn> prog, int off, List<Insn> patch) {
        if (off < 0 || off >= prog.size()) throw new IllegalArgumentException("patch offset " + off + " outside the program");
        if (patch.isEmpty()) throw new IllegalArgumentException("empty patch");
        List<Insn> out = new ArrayList<>(prog.size() + patch.size() - 1);
        out.addAll(prog.subList(0, off));
        out.addAll(patch);
        out.addAll(prog.subList(off + 1, prog.size()));
        if (patch.size() == 1) return List.copyOf(out);
        int endOld = off + 1;
        int endNew = off + patch.size();
        for (int i = 0; i < out.size(); i++) {
            Insn insn = out.get(i);
            if (insn.isLdImm64() && insn.src() == BPF_PSEUDO_FUNC) {
                out.set(i, insn.withImm((int) adjust(insn.imm(), off, endOld, endNew, i, Integer.MIN_VALUE, Integer.MAX_VALUE)));
                i++;
                continue;
            }
            int cls = insn.cls();
            if ((cls != BPF_JMP && cls != BPF_JMP32) || insn.op() == BPF_EXIT) continue;
            if (insn.op() == BPF_CALL) {
                if (insn.src() != BPF_PSEUDO_CALL) continue;
                out.set(i, insn.withImm((int) adjust(insn.imm(), off, endOld, endNew, i, Integer.MIN_VALUE, Integer.MAX_VALUE)));
            } else if (insn.isGotol()) {
                out.set(i, insn.withImm((int) adjust(insn.imm(), off, endOld, endNew, i, Integer.MIN_VALUE, Integer.MAX_VALUE)));
            } else {
                out.set(i, insn.withOff((int) adjust(insn.off(), off, endOld, endNew, i, Short.MIN_VALUE, Short.MAX_VALUE)));
            }
        }
        return List.copyOf(out);
    }

    /** bpf_adj_delta_to_off() / bpf_adj_delta_to_imm(): {@code curr} indexes the new image. */
    private static long adjust(long d, int pos, int endOld, int endNew, int curr, long min, long max) {
        long delta = endNew - endOld;
        if (curr < pos && curr + d + 1 >= endOld) d += delta;
        else if (curr >= endNew && curr + d + 1 < endNew) d -= delta;
        if (d < min || d > max) throw new KernelException(Errno.ERANGE, "jump displacement " + d + " out of range after patching");
        return d;
    }

    /**
     * verifier.c {@code adjust_jmp_off()}: every jump (not calls, not exits) outside
     * [{@code tgtIdx}, {@code tgtIdx + delta}) that targets {@code tgtIdx} is moved {@code delta}
     * instructions further, e.g. back onto the original first instruction after a prologue was
     * inserted in front of it.
     *
     * @throws KernelException ERANGE if a displacement overflows
     */
    public static List<Insn> adjustJmpOff(List<Insn> prog, int tgtIdx, int delta) {
        List<Insn> out = new ArrayList<>(prog);
        for (int i = 0; i < out.size(); i++) {
            Insn insn = out.get(i);
            if (tgtIdx <= i && i < tgtIdx + delta) continue;
            int cls = insn.cls();
            if ((cls != BPF_JMP && cls != BPF_JMP32) || insn.op() == BPF_CALL || insn.op() == BPF_EXIT) continue;
            if (insn.isGotol()) {
                if ((long) i + 1 + insn.imm() != tgtIdx) continue;
                long v = (long) insn.imm() + delta;
                if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) throw new KernelException(Errno.ERANGE, "gotol displacement overflows");
                out.set(i, insn.withImm((int) v));
            } else {
                if ((long) i + 1 + insn.off() != tgtIdx) continue;
                long v = (long) insn.off() + delta;
                if (v > Short.MAX_VALUE || v < Short.MIN_VALUE) throw new KernelException(Errno.ERANGE, "jump displacement overflows");
                out.set(i, insn.withOff((int) v));
            }
        }
        return List.copyOf(out);
    }
}
