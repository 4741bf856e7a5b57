package org.bpfosgi.btf.api;

import java.util.Optional;
import java.util.OptionalInt;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A read-only view of one BTF object (vmlinux's or a module's split BTF, which sees its base's
 * types below {@link #startId()}). Queries that cannot be answered (no such member, a type
 * without a size, an id out of range) throw IllegalArgumentException with a message.
 */
@ProviderType
public interface BtfTypes {
    /** The last id + 1 (void, id 0, counts), base included. */
    int nrTypes();

    /** The first id this object owns (1 for vmlinux; for split BTF the base's nrTypes). */
    int startId();

    /** The kind of {@code id}; UNKN for void. */
    BtfKind kind(int id);

    /** The name of {@code id}; "" when anonymous. */
    String name(int id);

    /** Models btf_find_by_name_kind(): the lowest id with that name and kind, or -ENOENT (-2). */
    int findByNameKind(String name, BtfKind kind);

    /**
     * Models btf_type_skip_modifiers() (kernel/bpf/btf.c): follows typedefs, const, volatile,
     * restrict and type tags (what btf_type_is_modifier() counts) to the type underneath.
     */
    int skipModifiers(int id);

    /** Follows modifiers and typedefs to the underlying type: the same as {@link #skipModifiers}. */
    int resolve(int id);

    /** Models btf_resolve_size(): size in bytes (arrays multiplied out). */
    long resolveSize(int id);

    /** offsetof() with a member path such as "q.qlen"; anonymous struct/union members are looked into. */
    BtfMember memberPath(int typeId, String path);

    /** The byte offset of a member path; rejects bitfields. */
    default int offsetOf(int typeId, String path) {
        return memberPath(typeId, path).byteOffset();
    }

    /** The innermost member containing byte {@code byteOffset} (arrays are not entered). */
    Optional<BtfMember> memberAt(int typeId, int byteOffset);

    /** The struct or union a pointer points to (modifiers and typedefs skipped). */
    OptionalInt pointedStruct(int ptrId);

    /** "STRUCT 'sk_buff' [id]", for messages. */
    String describe(int id);
}
