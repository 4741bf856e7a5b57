package org.bpfosgi.structops;

import java.util.Objects;

import org.bpfosgi.btf.BtfObject;

/**
 * The {@code BPF_MAP_CREATE} part of {@code union bpf_attr}, file descriptors replaced by the
 * objects they name.
 *
 * @param type                  map_type
 * @param name                  map_name (at most BPF_OBJ_NAME_LEN - 1 = 15 characters)
 * @param keySize               key_size
 * @param valueSize             value_size
 * @param maxEntries            max_entries
 * @param flags                 map_flags ({@link #BPF_F_LINK}, {@link #BPF_F_VTYPE_BTF_OBJ_FD})
 * @param valueTypeBtf          value_type_btf_obj_fd's BTF object (read with BPF_F_VTYPE_BTF_OBJ_FD)
 * @param btfVmlinuxValueTypeId btf_vmlinux_value_type_id: the {@code bpf_struct_ops_<name>} type
 */
public record MapCreateAttr(BpfMapType type, String name, int keySize, int valueSize, int maxEntries, int flags,
                            BtfObject valueTypeBtf, int btfVmlinuxValueTypeId) {
    /** BPF_F_LINK: a struct_ops map registered through a link. */
    public static final int BPF_F_LINK = 1 << 13;
    /** BPF_F_VTYPE_BTF_OBJ_FD: value_type_btf_obj_fd names the BTF of the value type. */
    public static final int BPF_F_VTYPE_BTF_OBJ_FD = 1 << 15;
    /** BPF_F_RDONLY_PROG. */
    public static final int BPF_F_RDONLY_PROG = 1 << 7;
    /** BPF_F_WRONLY_PROG. */
    public static final int BPF_F_WRONLY_PROG = 1 << 8;

    public MapCreateAttr {
        Objects.requireNonNull(type, "type");
        name = name == null ? "" : name;
    }

    /** A prog array as libbpf creates one from a {@code .maps} definition. */
    public static MapCreateAttr progArray(String name, int maxEntries) {
        return new MapCreateAttr(BpfMapType.PROG_ARRAY, name, 4, 4, maxEntries, 0, null, 0);
    }
}
