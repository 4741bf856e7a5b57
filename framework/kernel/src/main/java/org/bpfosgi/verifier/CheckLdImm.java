package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.isa.Insn;

/**
 * Models the register check_ld_imm() (kernel/bpf/verifier.c, v6.12) gives the destination of an
 * ld_imm64 once resolve_pseudo_ldimm64() has put the address into it: a plain 64-bit constant is
 * a known scalar; BPF_PSEUDO_MAP_FD / MAP_IDX load CONST_PTR_TO_MAP; BPF_PSEUDO_MAP_VALUE /
 * MAP_IDX_VALUE load PTR_TO_MAP_VALUE at the fixed offset {@code aux->map_off} (id 0: "map_value
 * is not distinct"); BPF_PSEUDO_BTF_ID (a ksym) loads the type check_pseudo_btf_id() chose
 * ({@code aux->btf_var}): PTR_TO_MEM with mem_size, or PTR_TO_BTF_ID with btf and btf_id, each
 * with its flags (MEM_RDONLY, MEM_PERCPU), at offset 0.
 */
final class CheckLdImm {
    private CheckLdImm() {
    }

    static RegState dstReg(VerifierEnv env, int idx, Insn insn, long v) {
        int src = insn.src();
        if (src == BPF_PSEUDO_BTF_ID) {
            // mark_reg_known_zero(), then the type check_pseudo_btf_id() left in aux->btf_var
            BtfVarAux var = env.btfVars.get(idx);
            if (var == null) {
                throw new IllegalStateException("ld_imm64 BPF_PSEUDO_BTF_ID at " + idx + " was not resolved");
            }
            return switch (var.type()) {
                case PTR_TO_MEM -> RegState.ptrToMem(var.flags(), var.memSize());
                case PTR_TO_BTF_ID -> RegState.btfPtr(var.btf(), var.btfId(), var.flags(), 0, 0);
                default -> throw new IllegalStateException("bpf verifier is misconfigured");
            };
        }
        if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX) {
            VerifierMaps.UsedMap map = env.usedMapAt(v);
            return map != null ? RegState.mapPtr(map.id()) : RegState.scalar(v);
        }
        if (src == BPF_PSEUDO_MAP_VALUE || src == BPF_PSEUDO_MAP_IDX_VALUE) {
            for (VerifierMaps.UsedMap m : env.aux.usedMaps) {
                long base = m.directValueBase();
                if (m.hasDirectValueAddr() && base != 0 && Long.compareUnsigned(v, base) >= 0
                        && Long.compareUnsigned(v - base, Integer.toUnsignedLong(m.valueSize())) < 0) {
                    return RegState.mapValue(m.id(), m.valueSize(), (int) (v - base), 0, 0);
                }
            }
            throw new IllegalStateException("ld_imm64 of a map value at 0x" + Long.toHexString(v) + " in no used map");
        }
        return RegState.scalar(v);
    }
}
