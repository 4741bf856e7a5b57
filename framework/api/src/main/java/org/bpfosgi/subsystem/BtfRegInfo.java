package org.bpfosgi.subsystem;

import org.bpfosgi.btf.api.BtfTypes;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What {@code btf_struct_access} sees of the register being written through ({@code const struct
 * bpf_reg_state *reg}): its number, the BTF its type lives in ({@code reg->btf}), the pointed-to
 * struct ({@code reg->btf_id}) and its name, and whether the pointer is trusted.
 */
@ProviderType
public record BtfRegInfo(int regno, BtfTypes btf, int btfId, String structName, boolean trusted) {
}
