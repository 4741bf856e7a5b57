#!/usr/bin/env python3
"""Live-kernel answers for check_ld_imm() / resolve_pseudo_ldimm64() on malformed ld_imm64 pairs.

Loads each program below with bpf(BPF_PROG_LOAD) as BPF_PROG_TYPE_SOCKET_FILTER (the checks are
the same for every program type; the model loads them as struct_ops) at log_level 1 and writes
ldimm.tsv next to this script: name, errno name (or OK), the error line (the last log line before
"processed ..."), the processed insn count. The first line records `uname -r`.

Usage (root):  python3 probe.py            # rewrite ldimm.tsv
               python3 probe.py --check    # print what ldimm.tsv would hold, write nothing
CheckLdImmTest compares the model with ldimm.tsv (and re-loads the programs when bpf() works).
"""
import ctypes
import errno
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LD_IMM_DW, EXIT = 0x18, 0x95

# name -> (dst, src, off of the first half, imm of the first half)
PROGS = [
    ("off1", 0, 0, 1, 0),          # check_ld_imm(): "BPF_LD_IMM64 uses reserved fields"
    ("off1dst10", 10, 0, 1, 0),    # ... before check_reg_arg(dst, DST_OP)
    ("offneg", 0, 0, -1, 7),
    ("src7", 0, 7, 0, 0),          # resolve_pseudo_ldimm64(): "unrecognized bpf_ld_imm64 insn"
    ("src11", 0, 11, 0, 0),
    ("src15", 0, 15, 0, 0),
    ("dst11", 11, 0, 0, 0),        # check_ld_imm()'s check_reg_arg(): "R11 is invalid"
    ("dst10", 10, 0, 0, 0),        # ... "frame pointer is read only" (-EACCES)
    ("dst15off1", 15, 0, 1, 0),
    ("src7off1", 0, 7, 1, 0),      # resolve_pseudo_ldimm64() first
    ("ok", 0, 0, 0, 5),
]


def ins(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def program(dst, src, off, imm):
    return [ins(LD_IMM_DW, dst, src, off, imm), ins(0), ins(EXIT)]


def load(insns):
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(b"".join(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(65536)
    attr = struct.pack("<IIQQIIQI", 1, len(insns), ctypes.addressof(buf), ctypes.addressof(lic), 1, len(log),
                       ctypes.addressof(log), 0).ljust(144, b"\0")
    a = ctypes.create_string_buffer(attr)
    fd = libc.syscall(321, 5, a, len(attr))  # __NR_bpf on x86_64, BPF_PROG_LOAD
    e = ctypes.get_errno()
    if fd >= 0:
        os.close(fd)
    return ("OK" if fd >= 0 else errno.errorcode[e]), log.value.decode()


def main():
    rows = ["# " + os.uname().release]
    for name, dst, src, off, imm in PROGS:
        verdict, log = load(program(dst, src, off, imm))
        lines = log.rstrip("\n").split("\n")
        processed = next(l for l in lines if l.startswith("processed "))
        i = lines.index(processed)
        err = lines[i - 1] if verdict != "OK" and i > 0 else ""
        rows.append("\t".join([name, str(dst), str(src), str(off), str(imm), verdict, err, processed.split()[1]]))
    if "--check" in sys.argv:
        sys.stdout.write("\n".join(rows) + "\n")
        return
    with open(os.path.join(HERE, "ldimm.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
