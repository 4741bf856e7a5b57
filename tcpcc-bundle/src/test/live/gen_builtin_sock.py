#!/usr/bin/env python3
"""Emits the socket section of vmlinux-builtin.h (struct sock_common, sock, inet_sock,
inet_connection_sock, tcp_sock) with the byte layout of the running kernel's BTF.

Every member of those structs whose type is a scalar, an enum, a pointer, an array of scalars,
an anonymous struct (recursively) or one of the five structs keeps its name and byte offset;
anything else (named structs, unions, bitfields other than KEEP_BITS) becomes padding. So the
built-in base answers offsetof() and btf_struct_walk() for those members as the live kernel does,
and a differential corpus recorded on this kernel means the same program on the built-in base.

    bpftool btf dump file /sys/kernel/btf/vmlinux > raw.txt
    python3 gen_builtin_sock.py raw.txt > section.h
"""
import re
import subprocess
import sys

CHAIN = ["sock_common", "sock", "inet_sock", "inet_connection_sock", "tcp_sock"]
KEEP_BITS = {"icsk_ca_state", "icsk_ca_initialized", "icsk_ca_setsockopt", "icsk_ca_dst_locked",
             "is_cwnd_limited", "skc_reuse", "skc_reuseport", "skc_ipv6only", "skc_net_refcnt"}
SCALARS = {(1, False): "u8", (2, False): "u16", (4, False): "u32", (8, False): "u64",
           (1, True): "s8", (2, True): "s16", (4, True): "s32", (8, True): "s64"}

types = {}
cur = None
for line in open(sys.argv[1]):
    m = re.match(r"\[(\d+)\] (\w+) '([^']*)'(.*)", line)
    if m:
        tid, kind, name, rest = int(m.group(1)), m.group(2), m.group(3), m.group(4)
        name = "" if name == "(anon)" else name
        attrs = dict(re.findall(r"(\w+)=(\S+)", rest))
        cur = {"kind": kind, "name": name, "attrs": attrs, "members": []}
        types[tid] = cur
        continue
    m = re.match(r"\s+'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?", line)
    if m and cur is not None and cur["kind"] in ("STRUCT", "UNION"):
        cur["members"].append(("" if m.group(1) == "(anon)" else m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)))

by_name = {t["name"]: tid for tid, t in types.items() if t["kind"] == "STRUCT" and t["name"] in CHAIN}


def skip(tid):
    while types[tid]["kind"] in ("TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"):
        tid = int(types[tid]["attrs"]["type_id"])
    return tid


def scalar(tid):
    t = types[skip(tid)]
    if t["kind"] == "INT":
        return SCALARS[(int(t["attrs"]["size"]), "SIGNED" in t["attrs"].get("encoding", ""))]
    if t["kind"] == "ENUM":
        return SCALARS[(int(t["attrs"]["size"]), False)]
    return None


def decl(name, tid):
    """C declaration of member `name` of type `tid`, or None to pad it."""
    r = skip(tid)
    t = types[r]
    s = scalar(r)
    if s:
        return f"{s} {name}"
    if t["kind"] == "PTR":
        p = types[skip(int(t["attrs"]["type_id"]))] if int(t["attrs"]["type_id"]) else None
        if p and p["kind"] in ("STRUCT", "FWD") and p["name"]:
            return f"struct {p['name']} *{name}"
        return f"void *{name}"
    if t["kind"] == "ARRAY":
        e = scalar(int(t["attrs"]["type_id"]))
        if e and int(t["attrs"]["nr_elems"]) > 0:
            return f"{e} {name}[{t['attrs']['nr_elems']}]"
        return None
    if t["kind"] == "STRUCT" and t["name"] in CHAIN:
        return f"struct {t['name']} {name}"
    return None


def body(tid, indent):
    t = types[tid]
    out = []
    pos = 0  # bytes
    pad = [0]

    def padto(off):
        nonlocal pos
        if off > pos:
            out.append(f"{indent}u8 __pad{pad[0]}[{off - pos}];")
            pad[0] += 1
            pos = off

    i = 0
    ms = t["members"]
    while i < len(ms):
        name, mt, bits, bsize = ms[i]
        if name.startswith("__cacheline_group"):
            i += 1
            continue
        size = None
        if bsize:
            if name in KEEP_BITS and bits // 8 >= pos:
                byte = bits // 8
                padto(byte)
                # the bitfields of this byte we keep, in order, with named fillers
                bitpos = 0
                while i < len(ms) and ms[i][3] and ms[i][2] // 8 == byte:
                    n, _, b, z = ms[i]
                    b -= byte * 8
                    if b + z > 8:
                        break
                    if n in KEEP_BITS:
                        if b > bitpos:
                            out.append(f"{indent}u8 __bits{byte}_{bitpos}: {b - bitpos};")
                        out.append(f"{indent}u8 {n}: {z};")
                        bitpos = b + z
                    i += 1
                pos = byte + 1
                continue
            i += 1
            continue
        r = skip(mt)
        rt = types[r]
        off = bits // 8
        if rt["kind"] == "STRUCT" and rt["name"] == "" and off >= pos:
            padto(off)
            out.append(f"{indent}struct {{")
            out.extend(body(r, indent + "\t"))
            out.append(f"{indent}}} {name};" if name else f"{indent}}};")
            pos = off + int(rt["attrs"]["size"])
            i += 1
            continue
        d = decl(name, mt)
        if d and name and off >= pos:
            padto(off)
            out.append(f"{indent}{d};")
            pos = off + size_of(r)
        i += 1
    padto(int(t["attrs"]["size"]))
    return out


def size_of(tid):
    t = types[skip(tid)]
    k = t["kind"]
    if k in ("INT", "ENUM", "STRUCT", "UNION"):
        return int(t["attrs"]["size"])
    if k == "PTR":
        return 8
    if k == "ARRAY":
        return int(t["attrs"]["nr_elems"]) * size_of(int(t["attrs"]["type_id"]))
    raise ValueError(k)


uname = subprocess.run(["uname", "-r"], capture_output=True, text=True).stdout.strip()
print(f"/* generated by tcpcc-bundle/src/test/live/gen_builtin_sock.py from the BTF of {uname}:")
print(" * the byte layout of the live kernel's socket structs; unnamed __padN/__bitsN members stand")
print(" * for members the built-in base does not declare. */")
for name in CHAIN:
    print(f"struct {name} {{")
    print("\n".join(body(by_name[name], "\t")))
    print("};")
    print()
