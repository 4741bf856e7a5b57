package org.bpfosgi.btf.api;

import java.util.OptionalInt;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A module's (or a built-in subsystem's) {@code .BTF_ids} after resolve_btfids: the
 * {@code BTF_ID_LIST}s in source order and the sets ({@code BTF_SET}, {@code BTF_SET8},
 * {@code BTF_KFUNCS}) sorted by id, by the names the header gave them.
 */
@ProviderType
public interface BtfIdLists {
    /** Names of the BTF_ID_LISTs. */
    Set<String> listNames();

    /** Names of the sets. */
    Set<String> setNames();

    /** The u32 array {@code name[]} of a BTF_ID_LIST (0 for BTF_ID_UNUSED); IllegalArgumentException if absent. */
    int[] ids(String listName);

    /** Models btf_id_set_contains() / btf_id_set8_contains(). */
    boolean setContains(String setName, int id);

    /** The KF_ flags of {@code id} in a set8 / kfunc set, if it is a member. */
    OptionalInt kfuncFlags(String setName, int id);
}
