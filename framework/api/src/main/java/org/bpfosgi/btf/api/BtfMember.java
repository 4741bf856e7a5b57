package org.bpfosgi.btf.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A struct or union member reached by a path ("q.qlen"): its bit offset from the start of the
 * outermost type, its type id, and its bitfield size (0 when it is not a bitfield).
 */
@ProviderType
public record BtfMember(String path, long bitOffset, int type, int bitfieldSize) {
    /** The byte offset; IllegalArgumentException for a bitfield (offsetof() rejects those too). */
    public int byteOffset() {
        if (bitOffset % 8 != 0 || bitfieldSize != 0) {
            throw new IllegalArgumentException("member " + path + " is a bitfield (bit offset " + bitOffset + ")");
        }
        return (int) (bitOffset / 8);
    }
}
