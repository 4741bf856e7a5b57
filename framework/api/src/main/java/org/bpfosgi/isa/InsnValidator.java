package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The static, per-instruction checks the kernel verifier makes before it interprets anything,
 * with its log strings: kernel/bpf/verifier.c {@code resolve_pseudo_ldimm64()} ("unknown opcode
 * %02x", "BPF_LDX uses reserved fields", "invalid bpf_ld_imm64 insn"), {@code check_subprogs()}
 * ("jump out of range from insn %d to %d", "last insn is not an exit or jmp") and the reserved-field
 * checks of {@code do_check_insn()} / {@code check_alu_op()} / {@code check_cond_jmp_op()}
 * ("BPF_ALU uses reserved fields", "BPF_CALL uses reserved fields", ...). Nothing here looks at
 * register types or values: that is the verifier's job. RFC 9669 says unused fields must be zero;
 * these checks are how the kernel enforces it.
 */
@ProviderType
public final class InsnValidator {
    private InsnValidator() {}

    /** A rejected instruction and the kernel's message. */
    public record Violation(int insn, String message) {}

    /**
     * @param allowCallx accept {@code callx rN} (BPF_JMP|BPF_CALL|BPF_X, target in dst_reg), which
     *                   the kernel rejects but ubpf and the conformance suite's callx test use
     */
    public static Optional<Violation> validate(List<Insn> insns, boolean allowCallx) {
        int n = insns.size();
        if (n == 0) return Optional.of(new Violation(0, "empty program"));
        for (int i = 0; i < n; i++) {
            Insn insn = insns.get(i);
            String msg = check(insns, i, insn, allowCallx);
            if (msg != null) return Optional.of(new Violation(i, msg));
            if (insn.isLdImm64()) i++;
        }
        // check_subprogs(): jump targets and the last instruction.
        boolean[] second = new boolean[n];
        for (int i = 0; i + 1 < n; i++) if (insns.get(i).isLdImm64()) second[++i] = true;
        for (int i = 0; i < n; i++) {
            Insn insn = insns.get(i);
            int cls = insn.cls();
            if (insn.isLdImm64()) { i++; continue; }
            if (cls != BPF_JMP && cls != BPF_JMP32) continue;
            int op = insn.op();
            if (op == BPF_EXIT || (op == BPF_CALL && insn.src() != BPF_PSEUDO_CALL)) continue;
            long off = op == BPF_CALL ? insn.imm() : insn.isGotol() ? insn.imm() : insn.off();
            long target = i + off + 1;
            if (target < 0 || target >= n) return Optional.of(new Violation(i, "jump out of range from insn " + i + " to " + target));
            if (second[(int) target])
                return Optional.of(new Violation(i, "jump into the middle of ldimm64 insn " + (target - 1)));
        }
        Insn last = insns.get(n - 1);
        boolean lastIsJump = (last.cls() == BPF_JMP || last.cls() == BPF_JMP32) && (last.isExit() || last.op() == BPF_JA);
        if (!lastIsJump)
            return Optional.of(new Violation(n - 1, "last insn is not an exit or jmp"));
        return Optional.empty();
    }

    private static String check(List<Insn> insns, int i, Insn insn, boolean allowCallx) {
        int code = insn.code();
        int cls = insn.cls();
        int op = insn.op();
        // an ld_imm64's src_reg is its BPF_PSEUDO_* kind (resolve_pseudo_ldimm64(): "unrecognized
        // bpf_ld_imm64 insn" below), its dst_reg is checked by check_ld_imm()'s check_reg_arg()
        // when do_check() reaches it (v6.12)
        if (insn.dst() > 10 && !insn.isLdImm64()) return "R" + insn.dst() + " is invalid";
        if (insn.src() > 10 && !insn.isCall() && !insn.isLdImm64()) return "R" + insn.src() + " is invalid";
        switch (cls) {
            case BPF_ALU, BPF_ALU64 -> {
                if (op > BPF_END) return "invalid BPF_ALU opcode " + Integer.toHexString(op);
                if (op == BPF_END) {
                    if (insn.src() != 0 || insn.off() != 0 || (insn.imm() != 16 && insn.imm() != 32 && insn.imm() != 64)
                            || (cls == BPF_ALU64 && insn.source() != BPF_TO_LE))
                        return "BPF_END uses reserved fields";
                } else if (op == BPF_NEG) {
                    if (insn.source() != BPF_K || insn.src() != 0 || insn.off() != 0 || insn.imm() != 0)
                        return "BPF_NEG uses reserved fields";
                } else if (op == BPF_MOV) {
                    if (insn.source() == BPF_X) {
                        boolean okOff = insn.off() == 0 || insn.off() == 8 || insn.off() == 16 || (cls == BPF_ALU64 && insn.off() == 32);
                        // The verifier's own zero-extension (BPF_ZEXT_REG, imm 1) is inserted after these checks.
                        if (!okOff || insn.imm() != 0) return "BPF_MOV uses reserved fields";
                    } else if (insn.src() != 0 || insn.off() != 0) {
                        return "BPF_MOV uses reserved fields";
                    }
                } else {
                    boolean badOff = (insn.off() != 0 && insn.off() != 1) || (insn.off() == 1 && op != BPF_MOD && op != BPF_DIV);
                    if (insn.source() == BPF_X ? (insn.imm() != 0 || badOff) : (insn.src() != 0 || badOff))
                        return "BPF_ALU uses reserved fields";
                }
                if (insn.dst() == BPF_REG_FP) return "frame pointer is read only";
            }
            case BPF_LDX -> {
                if ((insn.mode() != BPF_MEM && insn.mode() != BPF_MEMSX) || insn.imm() != 0) return "BPF_LDX uses reserved fields";
                if (insn.mode() == BPF_MEMSX && insn.size() == BPF_DW) return "unknown opcode " + String.format("%02x", code);
                if (insn.dst() == BPF_REG_FP) return "frame pointer is read only";
            }
            case BPF_STX -> {
                if (insn.mode() == BPF_ATOMIC) {
                    int imm = insn.imm();
                    boolean known = imm == BPF_ADD || imm == BPF_AND || imm == BPF_OR || imm == BPF_XOR
                        || imm == (BPF_ADD | BPF_FETCH) || imm == (BPF_AND | BPF_FETCH) || imm == (BPF_OR | BPF_FETCH)
                        || imm == (BPF_XOR | BPF_FETCH) || imm == BPF_XCHG || imm == BPF_CMPXCHG
                        || imm == BPF_LOAD_ACQ || imm == BPF_STORE_REL;
                    if (!known) return "BPF_ATOMIC uses invalid atomic opcode " + String.format("%02x", imm);
                    if (imm != BPF_LOAD_ACQ && imm != BPF_STORE_REL && insn.size() != BPF_W && insn.size() != BPF_DW)
                        return "invalid atomic operand size";
                } else if (insn.mode() != BPF_MEM || insn.imm() != 0) {
                    return "BPF_STX uses reserved fields";
                }
            }
            case BPF_ST -> {
                if (insn.mode() != BPF_MEM || insn.src() != 0) return "BPF_ST uses reserved fields";
            }
            case BPF_LD -> {
                if (insn.mode() == BPF_IMM) {
                    if (insn.size() != BPF_DW) return "unknown opcode " + String.format("%02x", code);
                    Insn hi = i + 1 < insns.size() ? insns.get(i + 1) : null;
                    if (hi == null || hi.code() != 0 || hi.dst() != 0 || hi.src() != 0 || hi.off() != 0) return "invalid bpf_ld_imm64 insn";
                    // a non-zero off of the first half is check_ld_imm()'s "BPF_LD_IMM64 uses reserved
                    // fields" when do_check() reaches the instruction (v6.12), not a check made here
                    if (insn.src() > BPF_PSEUDO_MAP_IDX_VALUE) return "unrecognized bpf_ld_imm64 insn";
                } else if (insn.mode() == BPF_ABS || insn.mode() == BPF_IND) {
                    if (insn.size() == BPF_DW || insn.dst() != 0 || insn.off() != 0 || (insn.mode() == BPF_ABS && insn.src() != 0))
                        return "BPF_LD_[ABS|IND] uses reserved fields";
                } else {
                    return "unknown opcode " + String.format("%02x", code);
                }
            }
            default -> { // BPF_JMP, BPF_JMP32
                if (op == BPF_CALL) {
                    if (allowCallx && cls == BPF_JMP && insn.source() == BPF_X) {
                        if (insn.src() != 0 || insn.off() != 0 || insn.imm() != 0) return "BPF_CALL uses reserved fields";
                    } else if (insn.source() != BPF_K || (insn.src() != BPF_PSEUDO_KFUNC_CALL && insn.off() != 0)
                            || (insn.src() != 0 && insn.src() != BPF_PSEUDO_CALL && insn.src() != BPF_PSEUDO_KFUNC_CALL)
                            || insn.dst() != 0 || cls == BPF_JMP32) {
                        return "BPF_CALL uses reserved fields";
                    }
                } else if (op == BPF_JA) {
                    if (insn.source() != BPF_K || insn.src() != 0 || insn.dst() != 0
                            || (cls == BPF_JMP && insn.imm() != 0) || (cls == BPF_JMP32 && insn.off() != 0))
                        return "BPF_JA uses reserved fields";
                } else if (op == BPF_EXIT) {
                    if (insn.source() != BPF_K || insn.imm() != 0 || insn.src() != 0 || insn.dst() != 0 || cls == BPF_JMP32 || insn.off() != 0)
                        return "BPF_EXIT uses reserved fields";
                } else if (op == BPF_JCOND) {
                    if (cls != BPF_JMP || insn.src() != BPF_MAY_GOTO || insn.dst() != 0 || insn.imm() != 0)
                        return "invalid may_goto imm " + insn.imm();
                } else if (op > BPF_JCOND) {
                    return "invalid BPF_JMP/JMP32 opcode " + Integer.toHexString(op);
                } else if (insn.source() == BPF_X ? insn.imm() != 0 : insn.src() != 0) {
                    return "BPF_JMP/JMP32 uses reserved fields";
                }
            }
        }
        return null;
    }
}
