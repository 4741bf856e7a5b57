#!/usr/bin/env python3
"""Turns every FWD of a struct named NAME in an ELF object's .BTF into an empty STRUCT (size 0,
vlen 0): the same 12-byte record, kind 7 -> 4. clang 14 keeps a pointer member's btf_type_tag only
when the struct is incomplete (a FWD), and the kernel's btf_find_kptr() wants a STRUCT there.
Usage: fwd-to-struct.py OBJ.o NAME"""
import struct, sys

path, name = sys.argv[1], sys.argv[2].encode()
data = bytearray(open(path, "rb").read())
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
def sh(i):
    return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
strtab = sh(shstrndx)
def secname(off):
    s = strtab[4] + off
    return bytes(data[s:data.index(b"\0", s)])
btf = next(sh(i) for i in range(shnum) if secname(sh(i)[0]) == b".BTF")
base = btf[4]
magic, ver, flags, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<HBBIIIII", data, base)
assert magic == 0xEB9F, "not BTF"
types, strs = base + hdr_len + type_off, base + hdr_len + str_off
def s(off):
    return bytes(data[strs + off:data.index(b"\0", strs + off)])
p, end, changed = types, types + type_len, 0
while p < end:
    name_off, info, size = struct.unpack_from("<III", data, p)
    kind, vlen, kflag = (info >> 24) & 0x1f, info & 0xffff, info >> 31
    extra = {1: 4, 3: 12, 14: 4, 17: 4}.get(kind, 0)  # INT, ARRAY, VAR, DECL_TAG
    extra += {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}.get(kind, 0) * vlen  # members, enumerators, params, vars
    if kind == 7 and not kflag and s(name_off) == name:
        struct.pack_into("<II", data, p + 4, 4 << 24, 0)
        changed += 1
    p += 12 + extra
if not changed:
    sys.exit("no FWD struct %s in %s" % (name.decode(), path))
open(path, "wb").write(data)
print("%s: FWD struct %s -> empty STRUCT (%d)" % (path, name.decode(), changed))
