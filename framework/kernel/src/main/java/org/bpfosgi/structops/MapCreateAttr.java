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
 * @param btf                   btf_fd's BTF object (a program's, BPF_BTF_LOAD), or null
 * @param btfKeyTypeId          btf_key_type_id (0: none)
 * @param btfValueTypeId        btf_value_type_id (0: none); map_check_btf() finds the value's
 *                              special fields (kptrs) in it
 */
public record MapCreateAttr(BpfMapType type, String name, int keySize, int valueSize, int maxEntries, int flags,
                            BtfObject valueTypeBtf, int btfVmlinuxValueTypeId, BtfObject btf, int btfKeyTypeId,
                            int btfValueTypeId) {
    /** BPF_F_LINK: a struct_ops map registered through a link. */
    public static final int BPF_F_LINK = 1 << 13;
    /** BPF_F_VTYPE_BTF_OBJ_FD: value_type_btf_obj_fd names the BTF of the value type. */
    public static final int BPF_F_VTYPE_BTF_OBJ_FD = 1 << 15;
    /** BPF_F_NO_PREALLOC (hash maps: elements allocated on update). */
    public static final int BPF_F_NO_PREALLOC = 1;
    /** BPF_F_NO_COMMON_LRU. */
    public static final int BPF_F_NO_COMMON_LRU = 1 << 1;
    /** BPF_F_NUMA_NODE: numa_node is valid. */
    public static final int BPF_F_NUMA_NODE = 1 << 2;
    /** BPF_F_RDONLY: user space (the syscall side) may not write. */
    public static final int BPF_F_RDONLY = 1 << 3;
    /** BPF_F_WRONLY: user space may not read. */
    public static final int BPF_F_WRONLY = 1 << 4;
    /** BPF_F_ZERO_SEED (hash maps, CAP_SYS_ADMIN). */
    public static final int BPF_F_ZERO_SEED = 1 << 6;
    /** BPF_F_MMAPABLE (array maps). */
    public static final int BPF_F_MMAPABLE = 1 << 10;
    /** BPF_F_PRESERVE_ELEMS (perf event arrays). */
    public static final int BPF_F_PRESERVE_ELEMS = 1 << 11;
    /** BPF_F_INNER_MAP (array maps). */
    public static final int BPF_F_INNER_MAP = 1 << 12;
    /** BPF_F_ACCESS_MASK: BPF_F_RDONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY | BPF_F_WRONLY_PROG. */
    public static final int BPF_F_ACCESS_MASK = (1 << 3) | (1 << 7) | (1 << 4) | (1 << 8);
    /** BPF_F_RDONLY_PROG. */
    public static final int BPF_F_RDONLY_PROG = 1 << 7;
    /** BPF_F_WRONLY_PROG. */
    public static final int BPF_F_WRONLY_PROG = 1 << 8;

    public MapCreateAttr {
        Objects.requireNonNull(type, "type");
        name = name == null ? "" : name;
    }

    /** The attributes without btf_fd, btf_key_type_id and btf_value_type_id. */
    public MapCreateAttr(BpfMapType type, String name, int keySize, int valueSize, int maxEntries, int flags,
                         BtfObject valueTypeBtf, int btfVmlinuxValueTypeId) {
        this(type, name, keySize, valueSize, maxEntries, flags, valueTypeBtf, btfVmlinuxValueTypeId, null, 0, 0);
    }

    /** These attributes with btf_fd = {@code btf} and its key and value type ids (as libbpf passes a .maps map's). */
    public MapCreateAttr withBtf(BtfObject btf, int keyTypeId, int valueTypeId) {
        return new MapCreateAttr(type, name, keySize, valueSize, maxEntries, flags, valueTypeBtf, btfVmlinuxValueTypeId,
                btf, keyTypeId, valueTypeId);
    }

    /** An array or hash map with no BTF. */
    public static MapCreateAttr of(BpfMapType type, String name, int keySize, int valueSize, int maxEntries, int flags) {
        return new MapCreateAttr(type, name, keySize, valueSize, maxEntries, flags, null, 0);
    }

    /** Models bpf_map_flags_access_ok(): not both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG. */
    public static boolean flagsAccessOk(int flags) {
        return (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) != (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
    }

    /** A prog array as libbpf creates one from a {@code .maps} definition. */
    public static MapCreateAttr progArray(String name, int maxEntries) {
        return new MapCreateAttr(BpfMapType.PROG_ARRAY, name, 4, 4, maxEntries, 0, null, 0);
    }
}
