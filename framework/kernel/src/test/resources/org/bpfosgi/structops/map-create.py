#!/usr/bin/env python3
"""Golden answers of the live kernel for BPF_MAP_CREATE of array and hash maps and for the
user-space element operations the model has (update, delete, freeze), written to map-create.tsv
next to this script with `uname -r` on its first line. MapCreateGoldenTest compares MapTable
with it. Usage (root): python3 map-create.py

Rows: `create NAME TYPE KEY VALUE MAX FLAGS -> ERRNO`; `named NAME MAP_NAME_HEX TYPE KEY VALUE MAX FLAGS
-> ERRNO` for a create with that map_name (16 bytes, hex), whose errno shows map_create()'s order of
checks (bpf_obj_name_cpy() comes after map_alloc_check and map_alloc); and, for the operations on a map made by
the row's own create (always OK), `op NAME CREATE-ARGS ; STEP ; STEP ... -> ERRNO-PER-STEP`.
"""
import ctypes
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "map-create.tsv")
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
NR_BPF = 321
MAP_CREATE, MAP_UPDATE, MAP_DELETE, MAP_FREEZE = 0, 2, 3, 22
ERRNO = {0: "OK", 1: "EPERM", 2: "ENOENT", 7: "E2BIG", 12: "ENOMEM", 17: "EEXIST", 22: "EINVAL", 524: "ENOTSUPP"}
HASH, ARRAY = 1, 2
NO_PREALLOC, NO_COMMON_LRU, NUMA_NODE, RDONLY, WRONLY, ZERO_SEED = 1, 2, 4, 8, 16, 64
RDONLY_PROG, WRONLY_PROG, MMAPABLE, PRESERVE_ELEMS, INNER_MAP = 128, 256, 1024, 2048, 4096


def bpf(cmd, attr):
    a = ctypes.create_string_buffer(bytes(attr), len(attr))
    r = _libc.syscall(NR_BPF, cmd, a, len(attr))
    return r if r >= 0 else -ctypes.get_errno()


def create(mtype, ks, vs, maxe, flags, name="m"):
    attr = bytearray(72)
    struct.pack_into("<IIIII", attr, 0, mtype, ks, vs, maxe, flags)
    attr[28:28 + len(name)] = name.encode()
    return bpf(MAP_CREATE, attr)


def named(mtype, ks, vs, maxe, flags, raw):
    attr = bytearray(72)
    struct.pack_into("<IIIII", attr, 0, mtype, ks, vs, maxe, flags)
    attr[28:28 + 16] = raw
    return bpf(MAP_CREATE, attr)


def name_of(r):
    return "OK" if r >= 0 else ERRNO.get(-r, str(-r))


CREATES = [
    ("array", ARRAY, 4, 48, 4, 0), ("array_key8", ARRAY, 8, 48, 4, 0), ("array_value0", ARRAY, 4, 0, 4, 0),
    ("array_max0", ARRAY, 4, 8, 0, 0), ("array_no_prealloc", ARRAY, 4, 8, 1, NO_PREALLOC),
    ("array_rdonly_wronly_prog", ARRAY, 4, 8, 1, RDONLY_PROG | WRONLY_PROG),
    ("array_rdonly_wronly", ARRAY, 4, 8, 1, RDONLY | WRONLY), ("array_mmapable", ARRAY, 4, 8, 1, MMAPABLE),
    ("array_inner_map", ARRAY, 4, 8, 1, INNER_MAP), ("array_preserve_elems", ARRAY, 4, 8, 1, PRESERVE_ELEMS),
    ("array_numa_node", ARRAY, 4, 8, 1, NUMA_NODE), ("array_rdonly_prog", ARRAY, 4, 8, 1, RDONLY_PROG),
    ("array_zero_seed", ARRAY, 4, 8, 1, ZERO_SEED), ("array_value_over_int_max", ARRAY, 4, 0x80000000, 1, 0),
    ("array_huge", ARRAY, 4, 65536, 1 << 20, 0),
    ("hash", HASH, 8, 16, 8, 0), ("hash_key0", HASH, 0, 16, 8, 0), ("hash_value0", HASH, 8, 0, 8, 0),
    ("hash_max0", HASH, 8, 16, 0, 0), ("hash_no_common_lru", HASH, 8, 16, 8, NO_COMMON_LRU),
    ("hash_mmapable", HASH, 8, 16, 8, MMAPABLE), ("hash_zero_seed", HASH, 8, 16, 8, ZERO_SEED),
    ("hash_no_prealloc", HASH, 8, 16, 8, NO_PREALLOC), ("hash_rdonly_prog", HASH, 8, 16, 8, RDONLY_PROG),
    ("hash_inner_map", HASH, 8, 16, 8, INNER_MAP),
    ("hash_kv_kmalloc_max", HASH, 8, (1 << 22) - 48 - 8, 1, 0), ("hash_kv_below_kmalloc_max", HASH, 8, (1 << 22) - 49 - 8, 1, 0),
    ("hash_max_over_2g", HASH, 8, 16, (1 << 31) + 1, 0),
]


def elem(fd, cmd, key, value=None, flags=0):
    k = ctypes.create_string_buffer(key, len(key))
    attr = bytearray(32)
    if value is None:
        struct.pack_into("<IIQ", attr, 0, fd, 0, ctypes.addressof(k))
        return bpf(cmd, attr)
    v = ctypes.create_string_buffer(value, len(value))
    struct.pack_into("<IIQQQ", attr, 0, fd, 0, ctypes.addressof(k), ctypes.addressof(v), flags)
    return bpf(cmd, attr)


def freeze(fd):
    attr = bytearray(8)
    struct.pack_into("<I", attr, 0, fd)
    return bpf(MAP_FREEZE, attr)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


BAD = b"bad name!".ljust(16, b"\0")      # ' ' and '!' are not isalnum, '_' or '.'
LONG = b"abcdefghijklmnop"                # 16 bytes, no NUL
NAMED = [
    ("name_ok", b"a.b_C9".ljust(16, b"\0"), HASH, 8, 16, 8, 0),
    ("name_bad", BAD, HASH, 8, 16, 8, 0), ("name_no_nul", LONG, HASH, 8, 16, 8, 0),
    ("name_bad_hash_key0", BAD, HASH, 0, 16, 8, 0), ("name_bad_rdonly_wronly", BAD, HASH, 8, 16, 8, RDONLY | WRONLY),
    ("name_bad_hash_max_over_2g", BAD, HASH, 8, 16, (1 << 31) + 1, 0),
    ("name_no_nul_hash_max_over_2g", LONG, HASH, 8, 16, (1 << 31) + 1, 0),
    ("name_bad_array_value_over_int_max", BAD, ARRAY, 4, 0x80000000, 1, 0),
    ("name_bad_array_huge", BAD, ARRAY, 4, 65536, 1 << 20, 0),
    ("name_bad_hash_kv_kmalloc_max", BAD, HASH, 8, (1 << 22) - 48 - 8, 1, 0),
]

# (name, create args, steps); a step is (op, key, value, flags)
OPS = [
    ("array_ops", (ARRAY, 4, 8, 2, 0), [("update", u32(1), u64(5), 0), ("update", u32(2), u64(5), 0),
                                          ("update", u32(0), u64(5), 1), ("update", u32(0), u64(5), 2),
                                          ("update", u32(0), u64(5), 3), ("update", u32(0), u64(5), 4),
                                          ("delete", u32(0), None, 0), ("freeze",), ("update", u32(0), u64(5), 0),
                                          ("freeze",)]),
    ("hash_ops", (HASH, 8, 8, 2, 0), [("update", u64(1), u64(5), 2), ("update", u64(1), u64(5), 1),
                                        ("update", u64(1), u64(6), 1), ("update", u64(1), u64(6), 0),
                                        ("update", u64(2), u64(6), 0), ("update", u64(3), u64(6), 0),
                                        ("update", u64(1), u64(7), 2), ("delete", u64(9), None, 0),
                                        ("delete", u64(1), None, 0), ("update", u64(3), u64(6), 0),
                                        ("update", u64(4), u64(6), 4)]),
    ("rdonly_prog_ops", (ARRAY, 4, 8, 1, RDONLY_PROG), [("update", u32(0), u64(5), 0), ("freeze",),
                                                         ("update", u32(0), u64(5), 0)]),
    ("rdonly_ops", (ARRAY, 4, 8, 1, RDONLY), [("update", u32(0), u64(5), 0), ("freeze",)]),
]


def main():
    lines = ["# kernel %s (uname -r), generated by map-create.py" % os.uname().release]
    for name, t, ks, vs, maxe, flags in CREATES:
        fd = create(t, ks, vs, maxe, flags)
        lines.append("create\t%s\t%d\t%d\t%d\t%d\t%d\t%s" % (name, t, ks, vs, maxe, flags, name_of(fd)))
        if fd >= 0:
            os.close(fd)
    for name, raw, t, ks, vs, maxe, flags in NAMED:
        fd = named(t, ks, vs, maxe, flags, raw)
        lines.append("named\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s" % (name, raw.hex(), t, ks, vs, maxe, flags, name_of(fd)))
        if fd >= 0:
            os.close(fd)
    for name, args, steps in OPS:
        fd = create(*args)
        assert fd >= 0, name
        got = []
        for s in steps:
            if s[0] == "freeze":
                got.append(name_of(freeze(fd)))
            elif s[0] == "update":
                got.append(name_of(elem(fd, MAP_UPDATE, s[1], s[2], s[3])))
            else:
                got.append(name_of(elem(fd, MAP_DELETE, s[1])))
        os.close(fd)
        desc = " ; ".join(s[0] if s[0] == "freeze" else "%s %s %s %d" % (s[0], s[1].hex(), s[2].hex() if s[2] else "-", s[3])
                          for s in steps)
        lines.append("ops\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s" % ((name,) + args + (desc, " ".join(got))))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
