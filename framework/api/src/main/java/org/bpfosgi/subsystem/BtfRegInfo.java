package org.bpfosgi.subsystem;

/**
 * What {@code btf_struct_access} sees of the register being written through ({@code const struct
 * bpf_reg_state *reg}): the pointed-to struct by name and id (in the BTF the register's type
 * lives in), and whether the pointer is trusted.
 */
public record BtfRegInfo(int regno, String structName, int btfId, boolean trusted) {
}
