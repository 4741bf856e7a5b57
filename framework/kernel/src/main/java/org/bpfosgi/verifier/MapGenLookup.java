package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.isa.Insn;

/**
 * Models {@code map->ops->map_gen_lookup} (v6.12) of the map types that have one: the
 * instructions do_misc_fixups() puts in place of a {@code bpf_map_lookup_elem} call, R1 the map
 * pointer and R2 the key pointer as the call had them, the result in R0.
 */
final class MapGenLookup {
    private MapGenLookup() {
    }

    /** The patch for {@code map}, or null for -EOPNOTSUPP (the caller then patches the generic call). */
    static List<Insn> gen(VerifierEnv env, VerifierMaps.UsedMap map) {
        BpfMapLayout layout = new BpfMapLayout(env.btfs().vmlinux().btf());
        return switch (map.mapType()) {
            case VerifierMaps.BPF_MAP_TYPE_ARRAY -> arrayMapGenLookup(map, layout);
            case VerifierMaps.BPF_MAP_TYPE_HASH -> htabMapGenLookup(env, map, layout);
            case VerifierMaps.BPF_MAP_TYPE_PERCPU_ARRAY -> percpuArrayMapGenLookup(map, layout);
            case VerifierMaps.BPF_MAP_TYPE_PERCPU_HASH -> htabPercpuMapGenLookup(env, map, layout);
            case VerifierMaps.BPF_MAP_TYPE_LRU_HASH -> htabLruMapGenLookup(env, map, layout);
            default -> null;
        };
    }

    /**
     * Models kernel/bpf/arraymap.c array_map_gen_lookup(), "emit BPF instructions equivalent to
     * C code of array_map_lookup_elem()": an inner-map template (BPF_F_INNER_MAP) gives
     * -EOPNOTSUPP; else R1 moves to the values, R0 = the u32 key, out of range gives NULL, the
     * index masked with index_mask when the map has no bypass_spec_v1 (Spectre v1), scaled by
     * elem_size (a shift for a power of 2, else a multiply) and added to R1.
     */
    static List<Insn> arrayMapGenLookup(VerifierMaps.UsedMap map, BpfMapLayout layout) {
        final int ret = BPF_REG_0;
        final int mapPtr = BPF_REG_1;
        final int index = BPF_REG_2;
        if ((map.mapFlags() & VerifierMaps.BPF_F_INNER_MAP) != 0) {
            return null;
        }
        long elemSize = roundUp8(Integer.toUnsignedLong(map.valueSize()));
        List<Insn> insn = new ArrayList<>();
        insn.add(BPF_ALU64_IMM(BPF_ADD, mapPtr, layout.arrayValueOffset()));
        insn.add(BPF_LDX_MEM(BPF_W, ret, index, 0));
        if (!map.bypassSpecV1()) {
            insn.add(BPF_JMP_IMM(BPF_JGE, ret, map.maxEntries(), 4));
            insn.add(BPF_ALU32_IMM(BPF_AND, ret, (int) indexMask(map.maxEntries())));
        } else {
            insn.add(BPF_JMP_IMM(BPF_JGE, ret, map.maxEntries(), 3));
        }
        if (Long.bitCount(elemSize) == 1) {
            insn.add(BPF_ALU64_IMM(BPF_LSH, ret, Long.numberOfTrailingZeros(elemSize)));
        } else {
            insn.add(BPF_ALU64_IMM(BPF_MUL, ret, (int) elemSize));
        }
        insn.add(BPF_ALU64_REG(BPF_ADD, ret, mapPtr));
        insn.add(BPF_JMP_IMM(BPF_JA, 0, 0, 1));
        insn.add(BPF_MOV64_IMM(ret, 0));
        return insn;
    }

    /**
     * Models kernel/bpf/arraymap.c percpu_array_map_gen_lookup() (v6.10+, "emit BPF instructions
     * equivalent to C code of percpu_array_map_lookup_elem()"): bpf_jit_supports_percpu_insn() is
     * true on x86-64; an inner-map template gives -EOPNOTSUPP. R1 moves to
     * {@code pptrs}, R0 = the u32 key, out of range gives NULL (index masked without
     * bypass_spec_v1), then R0 = pptrs[index] (index &lt;&lt; 3), and BPF_MOV64_PERCPU_REG makes it
     * this CPU's copy.
     */
    static List<Insn> percpuArrayMapGenLookup(VerifierMaps.UsedMap map, BpfMapLayout layout) {
        if ((map.mapFlags() & VerifierMaps.BPF_F_INNER_MAP) != 0) {
            return null;
        }
        List<Insn> insn = new ArrayList<>();
        insn.add(BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, layout.arrayValueOffset())); // offsetof(struct bpf_array, pptrs)
        insn.add(BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_2, 0));
        if (!map.bypassSpecV1()) {
            insn.add(BPF_JMP_IMM(BPF_JGE, BPF_REG_0, map.maxEntries(), 6));
            insn.add(BPF_ALU32_IMM(BPF_AND, BPF_REG_0, (int) indexMask(map.maxEntries())));
        } else {
            insn.add(BPF_JMP_IMM(BPF_JGE, BPF_REG_0, map.maxEntries(), 5));
        }
        insn.add(BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 3));
        insn.add(BPF_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1));
        insn.add(BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 0));
        insn.add(BPF_MOV64_PERCPU_REG(BPF_REG_0, BPF_REG_0));
        insn.add(BPF_JMP_IMM(BPF_JA, 0, 0, 1));
        insn.add(BPF_MOV64_IMM(BPF_REG_0, 0));
        return insn;
    }

    /**
     * Models kernel/bpf/hashtab.c htab_map_gen_lookup(): a call of __htab_map_lookup_elem() (the
     * element, or NULL), and past a NULL check R0 moves from the element to its value:
     * offsetof(struct htab_elem, key) + round_up(key_size, 8).
     */
    static List<Insn> htabMapGenLookup(VerifierEnv env, VerifierMaps.UsedMap map, BpfMapLayout layout) {
        final int ret = BPF_REG_0;
        long fn = env.kernel.kallsyms().lookupName(MapOps.HTAB_LOOKUP);
        if (fn == 0) {
            return List.of(); // no such function: the caller's "bpf verifier is misconfigured"
        }
        return List.of(BPF_EMIT_CALL((int) Kallsyms.callImm(fn)),
                BPF_JMP_IMM(BPF_JEQ, ret, 0, 1),
                BPF_ALU64_IMM(BPF_ADD, ret, layout.htabElemKeyOffset() + (int) roundUp8(Integer.toUnsignedLong(map.keySize()))));
    }

    /**
     * Models kernel/bpf/hashtab.c htab_lru_map_gen_lookup(): the element from
     * __htab_map_lookup_elem(); past a NULL check the lru_node's ref byte is loaded into R1 and,
     * if clear, set to 1 (the ref bit bpf_lru_node_set_ref() sets, without a store when it is set
     * already), then R0 moves to the value: offsetof(struct htab_elem, key) + round_up(key_size, 8).
     */
    static List<Insn> htabLruMapGenLookup(VerifierEnv env, VerifierMaps.UsedMap map, BpfMapLayout layout) {
        final int ret = BPF_REG_0;
        final int refReg = BPF_REG_1;
        long fn = env.kernel.kallsyms().lookupName(MapOps.HTAB_LOOKUP);
        if (fn == 0) {
            return List.of(); // no such function: the caller's "bpf verifier is misconfigured"
        }
        int ref = layout.htabElemLruRefOffset();
        return List.of(BPF_EMIT_CALL((int) Kallsyms.callImm(fn)),
                BPF_JMP_IMM(BPF_JEQ, ret, 0, 4),
                BPF_LDX_MEM(BPF_B, refReg, ret, ref),
                BPF_JMP_IMM(BPF_JNE, refReg, 0, 1),
                BPF_ST_MEM(BPF_B, ret, ref, 1),
                BPF_ALU64_IMM(BPF_ADD, ret, layout.htabElemKeyOffset() + (int) roundUp8(Integer.toUnsignedLong(map.keySize()))));
    }

    /**
     * Models kernel/bpf/hashtab.c htab_percpu_map_gen_lookup() (v6.10+; bpf_jit_supports_percpu_insn()
     * on x86-64): the element from __htab_map_lookup_elem(), and past a NULL check the per-cpu
     * pointer stored at offsetof(struct htab_elem, key) + round_up(key_size, 8), made this CPU's
     * by BPF_MOV64_PERCPU_REG.
     */
    static List<Insn> htabPercpuMapGenLookup(VerifierEnv env, VerifierMaps.UsedMap map, BpfMapLayout layout) {
        long fn = env.kernel.kallsyms().lookupName(MapOps.HTAB_LOOKUP);
        if (fn == 0) {
            return List.of(); // no such function: the caller's "bpf verifier is misconfigured"
        }
        return List.of(BPF_EMIT_CALL((int) Kallsyms.callImm(fn)),
                BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 3),
                BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, layout.htabElemKeyOffset() + (int) roundUp8(Integer.toUnsignedLong(map.keySize()))),
                BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 0),
                BPF_MOV64_PERCPU_REG(BPF_REG_0, BPF_REG_0));
    }

    /**
     * array_map_alloc()'s {@code index_mask}: {@code (1 << fls_long(max_entries - 1)) - 1}, the
     * smallest all-ones mask covering every index.
     */
    static long indexMask(int maxEntries) {
        long n = Integer.toUnsignedLong(maxEntries) - 1;
        int fls = n == 0 ? 0 : 64 - Long.numberOfLeadingZeros(n);
        return (1L << fls) - 1;
    }

    private static long roundUp8(long v) {
        return (v + 7) & ~7L;
    }
}
