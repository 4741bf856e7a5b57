package org.bpfosgi.subsystem;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A member of a struct_ops type as the callbacks see it ({@code const struct btf_member *}):
 * its name, index ({@code __btf_member_index}), byte offset in the struct, and whether it is a
 * function pointer (a program slot) or data.
 */
@ProviderType
public record StructOpsMember(String name, int index, int offset, boolean funcPtr) {
}
