package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models check_ld_imm() (kernel/bpf/verifier.c, v6.12) once resolve_pseudo_ldimm64() has put the
 * address into the instruction pair. Order as in v6.12: BPF_SIZE != BPF_DW ("invalid
 * BPF_LD_IMM insn") cannot be reached, resolve_pseudo_ldimm64() already refused every LD|IMM code
 * but LD|IMM|DW as "unknown opcode %02x"; a non-zero off of the first half ("BPF_LD_IMM64 uses
 * reserved fields", -EINVAL; resolve_pseudo_ldimm64() only checks the second half's off);
 * check_reg_arg(dst, DST_OP); then the destination: a plain 64-bit constant is a known scalar;
 * BPF_PSEUDO_BTF_ID (a ksym) loads the type check_pseudo_btf_id() chose ({@code aux->btf_var}):
 * PTR_TO_MEM with mem_size, or PTR_TO_BTF_ID with btf and btf_id, each with its flags (MEM_RDONLY,
 * MEM_PERCPU), at offset 0, any other type "bpf verifier is misconfigured" (-EFAULT);
 * BPF_PSEUDO_MAP_VALUE / MAP_IDX_VALUE load PTR_TO_MAP_VALUE at the fixed offset
 * {@code aux->map_off} (id 0: "map_value is not distinct"); BPF_PSEUDO_MAP_FD / MAP_IDX load
 * CONST_PTR_TO_MAP; any other src_reg "bpf verifier is misconfigured" (-EINVAL in v6.12; -EFAULT
 * since fd508bde5d64 "bpf: Return -EFAULT on misconfigurations", v6.17).
 *
 * <p>Neither "misconfigured" answer can be reached by a program: check_pseudo_btf_id() only sets
 * PTR_TO_MEM or PTR_TO_BTF_ID (and the model's {@link CheckPseudoBtfId} likewise), and
 * resolve_pseudo_ldimm64() refuses every src_reg but 0 and BPF_PSEUDO_* ("unrecognized
 * bpf_ld_imm64 insn", {@link org.bpfosgi.isa.InsnValidator} from {@link CheckSubprogs#checkInsnFields}); BPF_PSEUDO_FUNC is refused there
 * too (callbacks are not modelled). They stay errors, not exceptions, as in the kernel.
 */
final class CheckLdImm {
    private CheckLdImm() {
    }

    /** check_ld_imm() of the ld_imm64 at {@code idx}: 0, or the kernel's error (logged). */
    static int run(DoCheck dc, int idx, Insn insn, Insn hi) {
        VerifierEnv env = dc.env;
        if (insn.off() != 0) {
            return env.err(Errno.EINVAL, "BPF_LD_IMM64 uses reserved fields\n");
        }
        int r = dc.checkRegArg(insn.dst(), false);
        if (r < 0) {
            return r;
        }
        RegState reg = dstReg(env, idx, insn, Insn.imm64(insn, hi));
        if (reg == null) {
            return env.err(insn.src() == BPF_PSEUDO_BTF_ID ? Errno.EFAULT : Errno.EINVAL, "bpf verifier is misconfigured\n");
        }
        dc.setReg(insn.dst(), reg);
        return 0;
    }

    /** The destination register check_ld_imm() sets; null where it says "bpf verifier is misconfigured". */
    static RegState dstReg(VerifierEnv env, int idx, Insn insn, long v) {
        int src = insn.src();
        if (src == 0) {
            return RegState.scalar(v);
        }
        if (src == BPF_PSEUDO_BTF_ID) {
            // mark_reg_known_zero(), then the type check_pseudo_btf_id() left in aux->btf_var (a
            // zeroed aux, NOT_INIT, is the switch's default too)
            BtfVarAux var = env.btfVars.get(idx);
            if (var == null) {
                return null;
            }
            return switch (var.type()) {
                case PTR_TO_MEM -> RegState.ptrToMem(var.flags(), var.memSize());
                case PTR_TO_BTF_ID -> RegState.btfPtr(var.btf(), var.btfId(), var.flags(), 0, 0);
                default -> null;
            };
        }
        if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX) {
            VerifierMaps.UsedMap map = env.usedMapAt(v);
            if (map == null) {
                // env->used_maps[aux->map_index], as below: the model's bookkeeping, not the program's
                throw new IllegalStateException("ld_imm64 of a map at 0x" + Long.toHexString(v) + " in no used map");
            }
            return RegState.mapPtr(map.id());
        }
        if (src == BPF_PSEUDO_MAP_VALUE || src == BPF_PSEUDO_MAP_IDX_VALUE) {
            for (VerifierMaps.UsedMap m : env.aux.usedMaps) {
                long base = m.directValueBase();
                if (m.hasDirectValueAddr() && base != 0 && Long.compareUnsigned(v, base) >= 0
                        && Long.compareUnsigned(v - base, Integer.toUnsignedLong(m.valueSize())) < 0) {
                    return RegState.mapValue(m.id(), m.valueSize(), (int) (v - base), 0, 0);
                }
            }
            // the kernel reads env->used_maps[aux->map_index], which resolve_pseudo_ldimm64() set:
            // an invariant of the model's own bookkeeping, not a program's error
            throw new IllegalStateException("ld_imm64 of a map value at 0x" + Long.toHexString(v) + " in no used map");
        }
        return null;
    }
}
