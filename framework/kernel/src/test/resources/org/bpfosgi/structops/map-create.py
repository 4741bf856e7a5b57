#!/usr/bin/env python3
"""Golden answers of the live kernel for BPF_MAP_CREATE of array, per-cpu array, hash, per-cpu
hash, queue and stack maps and
for the user-space element operations the model has (update, delete, freeze; lookup and
lookup-and-delete, whose value is recorded as OK=HEX), written to map-create.tsv
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
MAP_CREATE, MAP_LOOKUP, MAP_UPDATE, MAP_DELETE, MAP_LOOKUP_AND_DELETE, MAP_FREEZE = 0, 1, 2, 3, 21, 22
ERRNO = {0: "OK", 1: "EPERM", 2: "ENOENT", 7: "E2BIG", 9: "EBADF", 12: "ENOMEM", 17: "EEXIST", 22: "EINVAL", 524: "ENOTSUPP"}
HASH, ARRAY, PERCPU_HASH, PERCPU_ARRAY, LRU_HASH, LRU_PERCPU_HASH, QUEUE, STACK = 1, 2, 5, 6, 9, 10, 22, 23
NO_PREALLOC, NO_COMMON_LRU, NUMA_NODE, RDONLY, WRONLY, ZERO_SEED = 1, 2, 4, 8, 16, 64
RDONLY_PROG, WRONLY_PROG, MMAPABLE, PRESERVE_ELEMS, INNER_MAP = 128, 256, 1024, 2048, 4096


def possible_cpus():
    """num_possible_cpus(), from /sys/devices/system/cpu/possible ("0-1")."""
    with open("/sys/devices/system/cpu/possible") as f:
        return sum(int(r.split("-")[-1]) - int(r.split("-")[0]) + 1 for r in f.read().strip().split(","))


def user_value_size(mtype, vs):
    """bpf_map_value_size(): round_up(value_size, 8) per possible CPU for a per-cpu hash."""
    return (vs + 7) // 8 * 8 * possible_cpus() if mtype in (PERCPU_HASH, LRU_PERCPU_HASH) else vs


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
    ("percpu_array", PERCPU_ARRAY, 4, 12, 3, 0), ("percpu_array_key8", PERCPU_ARRAY, 8, 12, 3, 0),
    ("percpu_array_value0", PERCPU_ARRAY, 4, 0, 3, 0), ("percpu_array_max0", PERCPU_ARRAY, 4, 8, 0, 0),
    ("percpu_array_mmapable", PERCPU_ARRAY, 4, 8, 1, MMAPABLE), ("percpu_array_inner_map", PERCPU_ARRAY, 4, 8, 1, INNER_MAP),
    ("percpu_array_numa_node", PERCPU_ARRAY, 4, 8, 1, NUMA_NODE), ("percpu_array_rdonly_prog", PERCPU_ARRAY, 4, 8, 1, RDONLY_PROG),
    ("percpu_array_preserve_elems", PERCPU_ARRAY, 4, 8, 1, PRESERVE_ELEMS),
    ("percpu_array_no_prealloc", PERCPU_ARRAY, 4, 8, 1, NO_PREALLOC),
    ("percpu_array_value_unit", PERCPU_ARRAY, 4, 32768, 2, 0), ("percpu_array_value_rounds_to_unit", PERCPU_ARRAY, 4, 32761, 2, 0),
    ("percpu_array_value_over_unit", PERCPU_ARRAY, 4, 32769, 2, 0),
    ("percpu_array_value_over_int_max", PERCPU_ARRAY, 4, 0x80000000, 1, 0),
    ("percpu_hash", PERCPU_HASH, 8, 12, 3, 0), ("percpu_hash_key0", PERCPU_HASH, 0, 12, 3, 0),
    ("percpu_hash_value0", PERCPU_HASH, 8, 0, 3, 0), ("percpu_hash_max0", PERCPU_HASH, 8, 12, 0, 0),
    ("percpu_hash_numa_node", PERCPU_HASH, 8, 12, 3, NUMA_NODE), ("percpu_hash_no_prealloc", PERCPU_HASH, 8, 12, 3, NO_PREALLOC),
    ("percpu_hash_no_common_lru", PERCPU_HASH, 8, 12, 3, NO_COMMON_LRU), ("percpu_hash_mmapable", PERCPU_HASH, 8, 12, 3, MMAPABLE),
    ("percpu_hash_zero_seed", PERCPU_HASH, 8, 12, 3, ZERO_SEED), ("percpu_hash_value_unit", PERCPU_HASH, 8, 32768, 2, 0),
    ("percpu_hash_value_over_unit", PERCPU_HASH, 8, 32769, 2, 0),
    ("percpu_hash_kv_kmalloc_max", PERCPU_HASH, 8, (1 << 22) - 48 - 8, 1, 0),
    ("queue", QUEUE, 0, 8, 4, 0), ("queue_key4", QUEUE, 4, 8, 4, 0), ("queue_value0", QUEUE, 0, 0, 4, 0),
    ("queue_max0", QUEUE, 0, 8, 0, 0), ("queue_no_prealloc", QUEUE, 0, 8, 4, NO_PREALLOC),
    ("queue_numa_node", QUEUE, 0, 8, 4, NUMA_NODE), ("queue_rdonly_prog", QUEUE, 0, 8, 4, RDONLY_PROG),
    ("queue_rdonly_wronly_prog", QUEUE, 0, 8, 4, RDONLY_PROG | WRONLY_PROG), ("queue_mmapable", QUEUE, 0, 8, 4, MMAPABLE),
    ("queue_zero_seed", QUEUE, 0, 8, 4, ZERO_SEED), ("queue_inner_map", QUEUE, 0, 8, 4, INNER_MAP),
    ("queue_value_kmalloc_max", QUEUE, 0, 1 << 22, 1, 0), ("queue_value_over_kmalloc_max", QUEUE, 0, (1 << 22) + 1, 1, 0),
    ("queue_huge", QUEUE, 0, 65536, 1 << 20, 0),
    ("stack", STACK, 0, 16, 2, 0), ("stack_key8", STACK, 8, 16, 2, 0), ("stack_value0", STACK, 0, 0, 2, 0),
    ("stack_max0", STACK, 0, 16, 0, 0), ("stack_wronly_prog", STACK, 0, 16, 2, WRONLY_PROG),
    ("stack_rdonly_wronly", STACK, 0, 16, 2, RDONLY | WRONLY),
    ("lru_hash", LRU_HASH, 8, 16, 8, 0), ("lru_hash_key0", LRU_HASH, 0, 16, 8, 0),
    ("lru_hash_value0", LRU_HASH, 8, 0, 8, 0), ("lru_hash_max0", LRU_HASH, 8, 16, 0, 0),
    ("lru_hash_no_prealloc", LRU_HASH, 8, 16, 8, NO_PREALLOC),
    ("lru_hash_no_prealloc_key0", LRU_HASH, 0, 16, 8, NO_PREALLOC),
    ("lru_hash_no_prealloc_no_common_lru", LRU_HASH, 8, 16, 8, NO_PREALLOC | NO_COMMON_LRU),
    ("lru_hash_no_common_lru", LRU_HASH, 8, 16, 8, NO_COMMON_LRU),
    ("lru_hash_no_common_lru_numa_node", LRU_HASH, 8, 16, 8, NO_COMMON_LRU | NUMA_NODE),
    ("lru_hash_numa_node", LRU_HASH, 8, 16, 8, NUMA_NODE), ("lru_hash_zero_seed", LRU_HASH, 8, 16, 8, ZERO_SEED),
    ("lru_hash_mmapable", LRU_HASH, 8, 16, 8, MMAPABLE), ("lru_hash_inner_map", LRU_HASH, 8, 16, 8, INNER_MAP),
    ("lru_hash_rdonly_prog", LRU_HASH, 8, 16, 8, RDONLY_PROG),
    ("lru_hash_rdonly_wronly_prog", LRU_HASH, 8, 16, 8, RDONLY_PROG | WRONLY_PROG),
    ("lru_hash_kv_kmalloc_max", LRU_HASH, 8, (1 << 22) - 48 - 8, 1, 0),
    ("lru_hash_max_over_2g", LRU_HASH, 8, 16, (1 << 31) + 1, 0),
    ("lru_percpu_hash", LRU_PERCPU_HASH, 8, 16, 8, 0), ("lru_percpu_hash_key0", LRU_PERCPU_HASH, 0, 16, 8, 0),
    ("lru_percpu_hash_no_prealloc", LRU_PERCPU_HASH, 8, 16, 8, NO_PREALLOC),
    ("lru_percpu_hash_numa_node", LRU_PERCPU_HASH, 8, 16, 8, NUMA_NODE),
    ("lru_percpu_hash_no_common_lru", LRU_PERCPU_HASH, 8, 16, 8, NO_COMMON_LRU),
    ("lru_percpu_hash_mmapable", LRU_PERCPU_HASH, 8, 16, 8, MMAPABLE),
    ("lru_percpu_hash_value_unit", LRU_PERCPU_HASH, 8, 32768, 2, 0),
    ("lru_percpu_hash_value_over_unit", LRU_PERCPU_HASH, 8, 32769, 2, 0),
]


def elem(fd, cmd, key, value=None, flags=0):
    """An element command; an empty key is passed as NULL (key_size 0: __bpf_copy_key() wants NULL)."""
    k = ctypes.create_string_buffer(key, len(key))
    kaddr = ctypes.addressof(k) if key else 0
    attr = bytearray(32)
    if value is None:
        struct.pack_into("<IIQ", attr, 0, fd, 0, kaddr)
        return bpf(cmd, attr)
    v = ctypes.create_string_buffer(value, len(value))
    struct.pack_into("<IIQQQ", attr, 0, fd, 0, kaddr, ctypes.addressof(v), flags)
    return bpf(cmd, attr)


def read(fd, cmd, key, size, flags):
    """BPF_MAP_LOOKUP_ELEM / BPF_MAP_LOOKUP_AND_DELETE_ELEM: OK=value-hex, or the errno."""
    k = ctypes.create_string_buffer(key, len(key))
    v = ctypes.create_string_buffer(size)
    attr = bytearray(32)
    struct.pack_into("<IIQQQ", attr, 0, fd, 0, ctypes.addressof(k) if key else 0, ctypes.addressof(v), flags)
    r = bpf(cmd, attr)
    return "OK=" + v.raw.hex() if r >= 0 else name_of(r)


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
    # queue and stack: update is push (NULL key), lookup peek, lookup-and-delete pop
    ("queue_ops", (QUEUE, 0, 8, 2, 0), [("lookup", b"", None, 0), ("pop", b"", None, 0), ("update", b"", u64(1), 0),
                                          ("update", b"", u64(2), 0), ("update", b"", u64(3), 0),
                                          ("update", b"", u64(3), 1), ("update", b"", u64(3), 4),
                                          ("update", b"", u64(3), 2), ("lookup", b"", None, 0), ("pop", b"", None, 4),
                                          ("pop", b"", None, 0), ("lookup", b"", None, 4), ("delete", b"", None, 0),
                                          ("pop", b"", None, 0), ("pop", b"", None, 0), ("update", b"", u64(9), 3)]),
    ("stack_ops", (STACK, 0, 8, 2, 0), [("update", b"", u64(1), 0), ("update", b"", u64(2), 0), ("lookup", b"", None, 0),
                                          ("pop", b"", None, 0), ("update", b"", u64(3), 0), ("update", b"", u64(4), 0),
                                          ("update", b"", u64(4), 2), ("pop", b"", None, 0), ("pop", b"", None, 0),
                                          ("pop", b"", None, 0), ("lookup", b"", None, 0)]),
    ("queue_rdonly_ops", (QUEUE, 0, 8, 2, RDONLY), [("update", b"", u64(1), 0), ("lookup", b"", None, 0),
                                                     ("pop", b"", None, 0)]),
    ("queue_wronly_ops", (QUEUE, 0, 8, 2, WRONLY), [("update", b"", u64(1), 0), ("lookup", b"", None, 0),
                                                     ("pop", b"", None, 0)]),
    ("hash_pop_ops", (HASH, 8, 8, 2, 0), [("update", u64(1), u64(5), 0), ("pop", u64(2), None, 0), ("pop", u64(1), None, 4),
                                           ("pop", u64(1), None, 1), ("pop", u64(1), None, 0), ("pop", u64(1), None, 0),
                                           ("lookup", u64(1), None, 0)]),
    ("percpu_hash_pop_ops", (PERCPU_HASH, 8, 8, 2, 0), [("pop", u64(1), None, 0)]),
    ("array_pop_ops", (ARRAY, 4, 8, 2, 0), [("pop", u32(0), None, 0), ("lookup", u32(0), None, 0), ("lookup", u32(2), None, 0)]),
    # LRU hash maps (the process pinned to CPU 0): "fill A B" updates keys A..B-1 (u64, value = key) and
    # answers OK or the first errno; "present A B" answers P= the present keys of A..B-1 as ranges
    ("lru_ops", (LRU_HASH, 8, 8, 4, 0), [("update", u64(1), u64(5), 4), ("update", u64(1), u64(5), 8),
                                          ("update", u64(1), u64(5), 2), ("update", u64(1), u64(5), 0),
                                          ("update", u64(1), u64(6), 1), ("update", u64(1), u64(7), 2),
                                          ("lookup", u64(1), None, 0), ("lookup", u64(2), None, 0),
                                          ("delete", u64(2), None, 0), ("delete", u64(1), None, 0),
                                          ("delete", u64(1), None, 0), ("pop", u64(1), None, 0)]),
    ("lru_small_ops", (LRU_HASH, 8, 8, 4, 0), [("fill", 1, 5), ("present", 1, 6), ("fill", 5, 6), ("present", 1, 6)]),
    ("lru_fill_ops", (LRU_HASH, 8, 8, 512, 0), [("fill", 1, 513), ("present", 1, 514), ("fill", 513, 514),
                                                 ("present", 1, 514), ("fill", 514, 700), ("present", 1, 700)]),
    ("lru_replace_ops", (LRU_HASH, 8, 8, 512, 0), [("fill", 1, 513), ("update", u64(1), u64(9), 0), ("present", 1, 513),
                                                    ("update", u64(300), u64(9), 2), ("present", 1, 513)]),
    ("lru_delete_ops", (LRU_HASH, 8, 8, 512, 0), [("fill", 1, 513), ("delete", u64(5), None, 0), ("fill", 600, 601),
                                                   ("present", 1, 513), ("present", 600, 601),
                                                   ("update", u64(700), u64(1), 1), ("present", 1, 513)]),
    ("lru_percpu_fill_ops", (LRU_PERCPU_HASH, 8, 8, 512, 0), [("fill", 1, 513), ("present", 1, 514), ("fill", 513, 514),
                                                               ("present", 1, 514), ("fill", 514, 700),
                                                               ("present", 1, 700)]),
    ("lru_percpu_replace_ops", (LRU_PERCPU_HASH, 8, 8, 512, 0), [("fill", 1, 513), ("fill", 1, 2), ("fill", 600, 601),
                                                                  ("present", 1, 513)]),
    ("queue_freeze_ops", (QUEUE, 0, 8, 2, 0), [("update", b"", u64(1), 0), ("freeze",), ("update", b"", u64(2), 0),
                                                ("pop", b"", None, 0), ("lookup", b"", None, 0)]),
]


def ranges(keys):
    """Keys as comma-separated ranges A-B (or A), "-" for none."""
    out = []
    for k in keys:
        if out and out[-1][1] == k - 1:
            out[-1][1] = k
        else:
            out.append([k, k])
    return ",".join("%d" % a if a == b else "%d-%d" % (a, b) for a, b in out) or "-"


def main():
    # an LRU map's free lists are per CPU (bpf_common_lru_pop_free()): run on CPU 0 only
    os.sched_setaffinity(0, {0})
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
            if s[0] == "fill":
                r = 0
                for key in range(s[1], s[2]):
                    r = elem(fd, MAP_UPDATE, u64(key), u64(key).ljust(user_value_size(args[0], args[2]), b"\0"), 0)
                    if r < 0:
                        break
                got.append(name_of(r))
            elif s[0] == "present":
                got.append("P=" + ranges([key for key in range(s[1], s[2])
                                          if read(fd, MAP_LOOKUP, u64(key), user_value_size(args[0], args[2]),
                                                  0).startswith("OK")]))
            elif s[0] == "freeze":
                got.append(name_of(freeze(fd)))
            elif s[0] == "update":
                got.append(name_of(elem(fd, MAP_UPDATE, s[1], s[2], s[3])))
            elif s[0] == "lookup":
                got.append(read(fd, MAP_LOOKUP, s[1], args[2], s[3]))
            elif s[0] == "pop":
                got.append(read(fd, MAP_LOOKUP_AND_DELETE, s[1], args[2], s[3]))
            else:
                got.append(name_of(elem(fd, MAP_DELETE, s[1])))
        os.close(fd)
        desc = " ; ".join(s[0] if s[0] == "freeze" else "%s %d %d" % s if s[0] in ("fill", "present") else "%s %s %s %d" % (s[0], s[1].hex() or "-", s[2].hex() if s[2] else "-", s[3])
                          for s in steps)
        lines.append("ops\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s" % ((name,) + args + (desc, " ".join(got))))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
