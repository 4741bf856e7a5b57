package org.bpfosgi.isa;

import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A symbolic reference the assembler leaves for a loader, like an ELF relocation libbpf resolves:
 * the call at {@code insn} names a helper, a kfunc or a subprogram, or the ld_imm64 at {@code insn}
 * names a map or a map's value.
 *
 * @param insn index of the instruction slot the name belongs to
 * @param kind what the name refers to
 * @param name the name as written in the source
 */
@ProviderType
public record Reloc(int insn, Kind kind, String name) {
    /**
     * {@code MAP}: a BPF_PSEUDO_MAP_FD load of the map; {@code MAP_VALUE}: a BPF_PSEUDO_MAP_VALUE
     * load of the map's value (global data), the offset into the value already in the second
     * slot's imm, as libbpf keeps a {@code R_BPF_64_64} relocation's addend.
     */
    public enum Kind { HELPER, KFUNC, SUBPROG, MAP, MAP_VALUE }

    public Reloc {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (insn < 0) throw new IllegalArgumentException("negative insn index");
    }
}
