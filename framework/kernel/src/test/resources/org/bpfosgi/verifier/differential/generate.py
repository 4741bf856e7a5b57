#!/usr/bin/env python3
"""Differential corpus for the verifier model against the live kernel.

Generates struct_ops programs from templates over the checks of the verifier model (variable
offset stack accesses, scalar bounds of every ALU op, branch refinement and decided branches,
pointer arithmetic, helper memory arguments, constants-only programs, array and hash maps with
their values and global data, queue and stack maps, a per-cpu array and a per-cpu hash) and loads each into the
running kernel with bpf(BPF_PROG_LOAD) as a BPF_PROG_TYPE_STRUCT_OPS program:

  * target "dummy": bpf_dummy_ops.test_1 (no helpers; constants-only programs)
  * target "tcp":   tcp_congestion_ops.ssthresh (the base helpers, bpf_get_prandom_u32 ...)

and records, per program, the kernel's verdict, errno, error line (the last log line before the
"processed" line) and processed line (log_level 1), in corpus.tsv next to this script. The first
lines of corpus.tsv record `uname -r` and the seed. Map programs load MAPS (created here with
bpf(BPF_MAP_CREATE), element 0 set and frozen as libbpf does for .rodata); corpus.tsv keeps each
map ld_imm64 with the map's index in MAPS as its imm, replaced by the fd only for the load. Ksym
programs (ld_imm64 BPF_PSEUDO_BTF_ID, check_pseudo_btf_id) likewise keep the index of a name in KSYMS,
replaced by that VAR's or FUNC's id in the running kernel's vmlinux BTF for the load (the model puts its
own BTF's id); the first line also records CONFIG_KALLSYMS_ALL, without which kallsyms has no variables
and every ksym of a variable fails ("ldimm64 failed to find the address for kernel symbol").

Usage (root, a kernel with BTF):  python3 generate.py            # regenerate corpus.tsv
                                  python3 generate.py --check    # re-load every program, print
                                                                 # the ones whose answer changed
Nothing here is a test by itself: DifferentialCorpusTest compares the model with corpus.tsv.
"""
import ctypes
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus.tsv")
SEED = 12

# ---------------------------------------------------------------- encoding (include/uapi/linux/bpf.h)
ALU, ALU64, JMP, JMP32 = 0x04, 0x07, 0x05, 0x06
K, X = 0x00, 0x08
OPS = {"+=": 0x00, "-=": 0x10, "*=": 0x20, "/=": 0x30, "|=": 0x40, "&=": 0x50, "<<=": 0x60, ">>=": 0x70,
       "%=": 0x90, "^=": 0xa0, "=": 0xb0, "s>>=": 0xc0}
JOPS = {"==": 0x10, ">": 0x20, ">=": 0x30, "&": 0x40, "!=": 0x50, "s>": 0x60, "s>=": 0x70, "<": 0xa0,
        "<=": 0xb0, "s<": 0xc0, "s<=": 0xd0}
SIZES = {1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18}


def ins(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def alu(op, dst, imm=None, src=None, w64=True, off=0):
    cls = ALU64 if w64 else ALU
    if src is not None:
        return ins(cls | X | OPS[op], dst, src, off, 0)
    return ins(cls | K | OPS[op], dst, 0, off, imm)


def neg(dst, w64=True):
    return ins((ALU64 if w64 else ALU) | 0x80, dst)


def end(dst, bits, be):
    return ins(ALU | (0x08 if be else 0) | 0xd0, dst, 0, 0, bits)


def mov(dst, imm=None, src=None, w64=True, off=0):
    return alu("=", dst, imm, src, w64, off)


def ldx(size, dst, src, off, sx=False):
    return ins(0x01 | (0x80 if sx else 0x60) | SIZES[size], dst, src, off, 0)


def stx(size, dst, src, off):
    return ins(0x03 | 0x60 | SIZES[size], dst, src, off, 0)


def st(size, dst, off, imm):
    return ins(0x02 | 0x60 | SIZES[size], dst, 0, off, imm)


def jmp(op, dst, off, imm=None, src=None, w32=False):
    cls = JMP32 if w32 else JMP
    if src is not None:
        return ins(cls | X | JOPS[op], dst, src, off, 0)
    return ins(cls | K | JOPS[op], dst, 0, off, imm)


def ja(off):
    return ins(JMP | 0x00, 0, 0, off, 0)


def call(helper):
    return ins(JMP | 0x80, 0, 0, 0, helper)


def exit_():
    return ins(JMP | 0x90)


def ld_map(dst, idx, value_off=None):
    """ld_imm64 of map MAPS[idx]: BPF_PSEUDO_MAP_FD, or BPF_PSEUDO_MAP_VALUE at value_off. The corpus
    keeps the index in imm; the loader (here: with_fds, the model: DifferentialCorpusTest) puts the fd."""
    if value_off is None:
        return ins(0x18, dst, 1, 0, idx) + ins(0, 0, 0, 0, 0)
    return ins(0x18, dst, 2, 0, idx) + ins(0, 0, 0, 0, value_off)


# the maps map programs use (index = the imm of their ld_imm64 in corpus.tsv):
# (name, map_type, key_size, value_size, max_entries, map_flags, element 0's initial value, freeze)
BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_MMAPABLE = 1 << 7, 1 << 8, 1 << 10
MAPS = [("arr", 2, 4, 48, 4, 0, None, False),
        ("hash", 1, 8, 16, 8, 0, None, False),
        ("data", 2, 4, 16, 1, BPF_F_MMAPABLE, None, False),
        ("rodata", 2, 4, 16, 1, BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, bytes(range(1, 17)), True),
        ("rodata_nf", 2, 4, 16, 1, BPF_F_RDONLY_PROG, bytes(range(1, 17)), False),
        ("wronly", 2, 4, 8, 1, BPF_F_WRONLY_PROG, None, False),
        # queue and stack maps (BPF_MAP_TYPE_QUEUE 22, BPF_MAP_TYPE_STACK 23: key_size 0)
        ("queue", 22, 0, 8, 4, 0, None, False),
        ("stack", 23, 0, 16, 2, 0, None, False),
        ("queue_ro", 22, 0, 8, 2, BPF_F_RDONLY_PROG, None, False),
        # a per-cpu array (BPF_MAP_TYPE_PERCPU_ARRAY 6)
        ("pcpu", 6, 4, 16, 4, 0, None, False),
        # a per-cpu hash (BPF_MAP_TYPE_PERCPU_HASH 5)
        ("phash", 5, 8, 16, 4, 0, None, False),
        # an LRU hash (BPF_MAP_TYPE_LRU_HASH 9)
        ("lru", 9, 8, 16, 4, 0, None, False),
        # an LRU per-cpu hash (BPF_MAP_TYPE_LRU_PERCPU_HASH 10)
        ("lru_pcpu", 10, 8, 16, 4, 0, None, False)]
ARR, HASH, DATA, RODATA, RODATA_NF, WRONLY, QUEUE, STACK, QUEUE_RO, PCPU, PHASH, LRU, LRU_PCPU = range(13)
MAP_LOOKUP, MAP_UPDATE, MAP_DELETE = 1, 2, 3
MAP_PUSH, MAP_POP, MAP_PEEK, MAP_LOOKUP_PERCPU = 87, 88, 89, 195


def lookup(idx, key=0):
    """r0 = bpf_map_lookup_elem(&MAPS[idx], &key) with the key at fp-8 (u32 for arrays, u64 for the hash)."""
    ksize = MAPS[idx][2]
    return [st(ksize, 10, -8, key), mov(2, src=10), alu("+=", 2, -8), ld_map(1, idx), call(MAP_LOOKUP)]


R0_EXIT = [mov(0, 0), exit_()]
PRANDOM = 7
TRACE_PRINTK = 6


# ---------------------------------------------------------------- templates
def templates():
    rnd = random.Random(SEED)
    progs = []

    def add(name, target, insns):
        progs.append((name, target, b"".join(insns)))

    masks = [1, 2, 3, 4, 6, 7, 8, 0xc, 0x18, 0x1c, 0x38, 0xf8, 0x1f8, 0x7ffffff8, -8]
    # 1. variable-offset stack accesses: alignment, bounds, reads, writes
    for i in range(420):
        m = rnd.choice(masks)
        base = rnd.choice([-8, -16, -32, -64, -256, -512, 0, -4])
        size = rnd.choice([1, 2, 4, 8])
        kind = rnd.choice(["st", "stx", "ldx", "stx_ldx", "st0_ldx"])
        ioff = rnd.choice([0, 0, -8, 4, -1])
        body = [call(PRANDOM), alu("&=", 0, m), mov(7, src=10), alu("+=", 7, base), alu("+=", 7, src=0)]
        if kind == "st":
            body += [st(size, 7, ioff, 1)]
        elif kind == "stx":
            body += [stx(size, 7, 0, ioff)]
        elif kind == "ldx":
            body += [ldx(size, 1, 7, ioff)]
        elif kind == "stx_ldx":
            body += [stx(size, 7, 0, ioff), ldx(size, 1, 7, ioff)]
        else:
            body += [st(size, 7, ioff, 0), ldx(size, 1, 7, ioff), mov(6, src=1)]
        add("varoff_%d" % i, "tcp", body + R0_EXIT)

    # 2. scalar bounds of every ALU op: the result is used as a byte offset below fp-64;
    # the access is accepted exactly when the bounds prove 0 <= off < 64
    ops = ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "%=", "^=", "s>>=", "neg", "=", "movsx8",
           "movsx16", "movsx32", "be16", "be32", "le32"]
    for i in range(520):
        m = rnd.choice([0x7, 0xf, 0x1f, 0x3f, 0xff, 0xffff, 0x7fffffff])
        op = rnd.choice(ops)
        w64 = rnd.random() < 0.6
        k = rnd.choice([0, 1, 2, 3, 5, 8, 16, 31, 32, 63, -1, -4, -128, 0x40])
        body = [call(PRANDOM), alu("&=", 0, m)]
        if rnd.random() < 0.3:
            body += [alu("-=", 0, rnd.choice([1, 8, 32]))]
        if op == "neg":
            body += [neg(0, w64)]
        elif op.startswith("movsx"):
            bits = int(op[5:])
            if bits == 32 and not w64:
                bits = 16
            body += [mov(0, src=0, w64=w64, off=bits)]
        elif op in ("be16", "be32", "le32"):
            body += [end(0, int(op[2:]), op.startswith("be"))]
        elif op in ("<<=", ">>=", "s>>=") and rnd.random() < 0.5:
            body += [mov(2, k & 63 if w64 else k & 31), alu(op, 0, src=2, w64=w64)]
        elif rnd.random() < 0.3 and op not in ("/=", "%="):
            body += [mov(2, k), alu(op, 0, src=2, w64=w64)]
        else:
            if op in ("/=", "%=") and k == 0:
                k = 3
            if op in ("<<=", ">>=", "s>>=") and not (0 <= k < (64 if w64 else 32)):
                k = 3
            body += [alu(op, 0, k, w64=w64)]
        body += [mov(7, src=10), alu("+=", 7, -64), alu("+=", 7, src=0), st(1, 7, 0, 1)]
        add("alu_%d" % i, "tcp", body + R0_EXIT)

    # 3. branches: is_branch_taken on ranges and reg_set_min_max on both sides
    jops = list(JOPS)
    for i in range(420):
        m = rnd.choice([0x7, 0xf, 0xff, 0x7fffffff, -1])
        op = rnd.choice(jops)
        w32 = rnd.random() < 0.3
        k = rnd.choice([0, 1, 7, 8, 15, 16, 63, 64, 255, -1, -16, 0x80000000 - 1])
        side = rnd.choice(["taken", "fall"])
        sub = rnd.random() < 0.25
        body = [call(PRANDOM), alu("&=", 0, m)]
        if sub:
            body += [alu("-=", 0, 8)]
        if rnd.random() < 0.3:
            body += [mov(6, src=0), alu("+=", 6, 4)]
            use = 6
        else:
            use = 0
        access = [mov(7, src=10), alu("+=", 7, -64), alu("+=", 7, src=use), st(1, 7, 0, 1)]
        if side == "taken":
            # fall-through exits, the target uses r0 as an offset
            body += [jmp(op, 0, 2, imm=k, w32=w32), mov(0, 0), exit_()] + access
        else:
            body += [jmp(op, 0, len(access), imm=k, w32=w32)] + access
        add("branch_%d" % i, "tcp", body + R0_EXIT)

    # 4. reg-reg compares and JSET
    for i in range(120):
        op = rnd.choice(jops)
        m1 = rnd.choice([0x7, 0xf, 0xff])
        c = rnd.choice([0, 3, 8, 16, 255, 256])
        body = [call(PRANDOM), alu("&=", 0, m1), mov(2, c)]
        if rnd.random() < 0.5:
            body += [mov(6, src=0), call(PRANDOM), alu("&=", 0, rnd.choice([0x3, 0xff])), mov(2, src=0), mov(0, src=6)]
        access = [mov(7, src=10), alu("+=", 7, -64), alu("+=", 7, src=0), st(1, 7, 0, 1)]
        if rnd.random() < 0.5:
            body += [jmp(op, 0, 2, src=2), mov(0, 0), exit_()] + access
        else:
            body += [jmp(op, 0, len(access), src=2)] + access
        add("regcmp_%d" % i, "tcp", body + R0_EXIT)

    # 5. pointer arithmetic on the frame pointer
    for i, (op, w64, src) in enumerate([(o, w, s) for o in ["+=", "-=", "*=", "&=", "|=", "^=", "<<=", "/="]
                                        for w in (True, False) for s in ("k", "r0", "r1", "big")]):
        body = [call(PRANDOM), alu("&=", 0, 0xff), mov(5, src=10)]
        if src == "k":
            body += [alu(op, 5, 8, w64=w64)]
        elif src == "big":
            body += [alu(op, 5, 0x20000000, w64=w64)]
        else:
            body += [alu(op, 5, src=int(src[1]), w64=w64)]
        add("ptr_%d" % i, "tcp", body + R0_EXIT)
    for i, extra in enumerate([[alu("-=", 5, src=1), mov(6, src=5)],
                               [alu("-=", 1, src=5)],
                               [mov(4, src=0), alu("<<=", 4, 32), alu("+=", 5, src=4)],
                               [alu("+=", 5, -6), stx(8, 5, 3, 0)],
                               [alu("+=", 5, 0x1fffffff), alu("+=", 5, 0x1fffffff)]]):
        add("ptr_x_%d" % i, "tcp", [call(PRANDOM), mov(3, src=0), mov(5, src=10), mov(1, src=10)] + extra + R0_EXIT)

    # 6. helper memory through variable-offset stack pointers (bpf_trace_printk(buf, size))
    for i in range(80):
        init = rnd.random() < 0.7
        m = rnd.choice([0, 0x8, 0x18, 0x7, 0x1c])
        base = rnd.choice([-32, -64, -16, -520, -8])
        size = rnd.choice([8, 16, 40, 0, "var", "var0"])
        body = []
        if init:
            body += [st(8, 10, -8 * j, 0) for j in range(1, 9)]
        body += [call(PRANDOM), mov(6, src=0), alu("&=", 6, m) if m else mov(6, 0), mov(1, src=10), alu("+=", 1, base),
                 alu("+=", 1, src=6)]
        if size == "var":
            body += [mov(8, src=1), call(PRANDOM), mov(2, src=0), mov(1, src=8)]
        elif size == "var0":
            body += [mov(8, src=1), call(PRANDOM), alu("&=", 0, 0xf), mov(2, src=0), mov(1, src=8)]
        else:
            body += [mov(2, size)]
        body += [call(TRACE_PRINTK)]
        add("helper_%d" % i, "tcp", body + R0_EXIT)

    # 7. constants only (bpf_dummy_ops.test_1): ALU on constants, constant branches, stack rules
    for i in range(160):
        a = rnd.choice([0, 1, 7, -1, 255, 0x7fffffff, -128])
        op = rnd.choice(ops[:11])
        k = rnd.choice([1, 3, 8, 31, 0, -2])
        w64 = rnd.random() < 0.5
        if op in ("<<=", ">>=", "s>>=") and not (0 <= k < (64 if w64 else 32)):
            k = 1
        body = [mov(3, a), alu(op, 3, k, w64=w64)]
        kind = rnd.choice(["ret", "branch", "stack", "stackvar"])
        if kind == "branch":
            body += [jmp(rnd.choice(jops), 3, 1, imm=rnd.choice([0, 1, 8, -1])), mov(0, 1)]
        elif kind == "stack":
            body += [mov(5, src=10), alu("+=", 5, rnd.choice([-8, -16, -6, -4, -512, -520, 8])),
                     stx(rnd.choice([1, 4, 8]), 5, 3, 0)]
        elif kind == "stackvar":
            body += [alu("&=", 3, 0x38), mov(5, src=10), alu("+=", 5, -64), alu("+=", 5, src=3), stx(8, 5, 3, 0)]
        add("const_%d" % i, "dummy", body + R0_EXIT)
    for i, body in enumerate([
            [mov(0, 0), ja(-1)],
            [mov(0, 0), alu("+=", 0, 1), jmp("<", 0, -2, imm=100), exit_()],
            [mov(6, 5), mov(0, 0), alu("+=", 0, 1), jmp("<", 0, -2, imm=25), mov(0, src=6), exit_()],
            [mov(0, 0), alu("+=", 0, 1), jmp("<", 0, -2, imm=4000), exit_()],
            [mov(0, 0), mov(2, 0), alu("+=", 0, 1), alu("+=", 2, 2), jmp("<", 0, -3, imm=50), exit_()],
            [alu("/=", 3, 0), exit_()], [alu("<<=", 3, 64), exit_()], [neg(10), exit_()],
            [mov(0, src=2), exit_()], [mov(10, 0), exit_()], [ldx(8, 0, 10, 0), exit_()],
            [st(4, 10, -6, 1)] + R0_EXIT, [st(8, 10, -520, 1)] + R0_EXIT]):
        add("misc_%d" % i, "dummy", body)

    # 8. pruning: diamonds whose arms leave different constants, used (precise) or not, loops
    for i in range(120):
        n = rnd.randint(1, 7)
        use = rnd.choice(["none", "ptr", "ret", "branch", "spill"])
        # r0 is overwritten so that r6 is not linked to it (collect_linked_regs() differs after 6.12)
        body = [call(PRANDOM), mov(6, src=0), mov(0, 0), mov(4, -8), mov(8, 0)]
        for d in range(n):
            bit = 1 << d
            # (no JSET here: its false side differs after 6.12, which would hide the pruning)
            kind = rnd.choice(["lt", "gt", "slt"])
            if kind == "lt":
                body += [jmp("<", 6, 1, imm=rnd.randint(0, 1000) + bit)]
            elif kind == "gt":
                body += [jmp(">", 6, 1, imm=rnd.randint(0, 1000))]
            else:
                body += [jmp("s<", 6, 1, imm=rnd.randint(-1000, 1000))]
            body += [alu("+=", 4, -8)]
            if rnd.random() < 0.3:
                body += [alu("+=", 8, 1)]
        if use == "ptr":
            body += [mov(5, src=10), alu("+=", 5, src=4), st(8, 5, 0, 0)]
        elif use == "ret":
            body += [mov(0, src=4)]
        elif use == "branch":
            body += [jmp("<", 4, 1, imm=-40), mov(8, 1)]
        elif use == "spill":
            body += [stx(8, 10, 4, -8), ldx(8, 3, 10, -8), mov(5, src=10), alu("+=", 5, src=3), st(8, 5, 0, 0)]
        add("prune_%d" % i, "tcp", body + R0_EXIT)
    for i, n in enumerate([3, 10, 25, 100, 300, 1000, 5000]):
        add("loop_%d" % i, "dummy", [mov(0, 0), alu("+=", 0, 1), jmp("<", 0, -2, imm=n), exit_()])
        add("loopr6_%d" % i, "dummy", [mov(6, 5), mov(0, 0), alu("+=", 0, 1), jmp("<", 0, -2, imm=n), mov(0, src=6), exit_()])
        add("loop2_%d" % i, "tcp", [call(PRANDOM), mov(6, src=0), alu("&=", 6, 0xff), mov(0, 0), alu("+=", 0, 1),
                                    alu("+=", 6, 1), jmp("<", 0, -3, imm=n), mov(0, 0), exit_()])
    for i, n in enumerate([5, 20, 60]):
        body = [call(PRANDOM), mov(6, src=0), mov(0, 0)]
        for d in range(n):
            body += [mov(2, src=6), alu("&=", 2, d + 1), jmp(">", 2, 2, imm=d), mov(3, 1), ja(1), mov(3, 2), alu("+=", 3, src=2)]
        add("diamonds_%d" % i, "tcp", body + R0_EXIT)
    # 9. helper memory argument types (mem_types): a trusted BTF pointer is memory, ctx is not
    add("helpertype_0", "tcp", [ldx(8, 1, 1, 0), mov(2, 8), call(TRACE_PRINTK)] + R0_EXIT)
    add("helpertype_1", "tcp", [mov(2, 8), call(TRACE_PRINTK)] + R0_EXIT)
    add("helpertype_2", "tcp", [mov(1, 0), mov(2, 8), call(TRACE_PRINTK)] + R0_EXIT)

    # 10. maps: lookups with and without the null check, constant and variable offsets into the
    # value, map value pointer arithmetic, direct value access, read-only and write-only maps
    for i in range(70):
        idx = rnd.choice([ARR, HASH, RODATA, WRONLY])
        check = rnd.random() < 0.8
        off = rnd.choice([-8, -1, 0, 4, 8, 12, 15, 16, 40, 44, 47, 48])
        size = rnd.choice([1, 2, 4, 8])
        write = rnd.random() < 0.4
        body = lookup(idx, rnd.choice([0, 1, 5]))
        acc = [st(size, 0, off, 1)] if write else [ldx(size, 1, 0, off)]
        if check:
            body += [jmp("==", 0, len(acc), imm=0)] + acc
        else:
            body += acc
        add("mapconst_%d" % i, "tcp", body + R0_EXIT)
    for i in range(70):
        idx = rnd.choice([ARR, HASH])
        m = rnd.choice([1, 3, 7, 8, 15, 31, 32, 40, 63, 0xff, 0x7fffffff])
        src = rnd.choice(["value", "prandom", "u32"])
        sub = rnd.choice([0, 0, 4, 8])
        ioff = rnd.choice([0, 0, 4, 8, 16, 40, -4])
        size = rnd.choice([1, 4, 8])
        body = lookup(idx)
        tail = []
        if src == "value":
            tail += [ldx(8, 3, 0, 0)]
        elif src == "prandom":
            tail += [mov(6, src=0), call(PRANDOM), mov(3, src=0), mov(0, src=6)]
        else:
            tail += [ldx(4, 3, 0, 0)]
        if src != "u32" or rnd.random() < 0.5:
            tail += [alu("&=", 3, m)]
        if sub:
            tail += [alu("-=", 3, sub)]
        tail += [alu("+=", 0, src=3)]
        tail += [ldx(size, 1, 0, ioff)] if rnd.random() < 0.6 else [st(size, 0, ioff, 1)]
        body += [jmp("==", 0, len(tail), imm=0)] + tail
        add("mapvar_%d" % i, "tcp", body + R0_EXIT)
    arith = [[alu("+=", 0, 8)], [alu("-=", 0, 8)], [alu("+=", 0, 8, w64=False)], [alu("*=", 0, 2)],
             [alu("&=", 0, 7)], [alu("|=", 0, 1)], [alu("<<=", 0, 1)], [mov(3, 4), alu("-=", 3, src=0)],
             [mov(3, src=0), alu("-=", 0, src=3)], [alu("+=", 0, 0x20000000)], [alu("+=", 0, 40), alu("+=", 0, 8)],
             [mov(3, 16), alu("+=", 3, src=0), mov(0, src=3)], [neg(0)]]
    for i, a in enumerate(arith):
        for checked in (True, False):
            body = lookup(ARR)
            tail = a + [ldx(1, 1, 0, 0)]
            if checked:
                body += [jmp("==", 0, len(tail), imm=0)] + tail
            else:
                body += tail
            add("maparith_%d_%d" % (i, checked), "tcp", body + R0_EXIT)
    add("mapptr_0", "tcp", [ld_map(5, ARR), alu("+=", 5, 0)] + R0_EXIT)
    add("mapptr_1", "tcp", [ld_map(5, ARR), alu("+=", 5, 8)] + R0_EXIT)
    add("mapptr_2", "tcp", [ld_map(5, ARR), ldx(8, 0, 5, 0), exit_()])
    add("mapptr_3", "tcp", [ld_map(5, ARR), jmp("==", 5, 1, imm=0), mov(0, 1)] + R0_EXIT)
    # direct value access (BPF_PSEUDO_MAP_VALUE): offsets, sizes, reads, writes, frozen constants
    for i in range(50):
        idx = rnd.choice([DATA, RODATA, RODATA_NF, ARR, HASH, WRONLY])
        voff = rnd.choice([0, 0, 4, 8, 15, 16, 1 << 29])
        ioff = rnd.choice([0, 0, 4, 8, -4])
        size = rnd.choice([1, 2, 4, 8])
        kind = rnd.choice(["read", "write", "branch"])
        body = [ld_map(1, idx, voff)]
        if kind == "read":
            body += [ldx(size, 0, 1, ioff), exit_()]
        elif kind == "write":
            body += [st(size, 1, ioff, 1)] + R0_EXIT
        else:
            # a branch on the loaded value; the untaken side reads an uninitialised register
            body += [ldx(size, 0, 1, ioff), jmp("==", 0, 1, imm=rnd.choice([0x05060708, 5, 0x08070605, 0])),
                     mov(0, src=2), exit_()]
        add("mapdirect_%d" % i, "tcp", body)
    # helper arguments: keys and values on the stack or in map values, read-only maps
    helpers = [
        [ld_map(1, ARR), mov(2, src=1), call(MAP_LOOKUP)],
        [ld_map(1, ARR), mov(2, 0), call(MAP_LOOKUP)],
        [ld_map(1, HASH), st(4, 10, -4, 0), mov(2, src=10), alu("+=", 2, -4), call(MAP_LOOKUP)],
        [ld_map(1, HASH), mov(2, src=10), alu("+=", 2, -8), call(MAP_LOOKUP)],
        [ld_map(1, HASH), mov(2, src=10), alu("+=", 2, -8), mov(3, src=10), alu("+=", 3, -24), mov(4, 0),
         call(MAP_UPDATE)],
        [st(8, 10, -8, 0), st(8, 10, -16, 0), st(8, 10, -24, 0), ld_map(1, HASH), mov(2, src=10), alu("+=", 2, -8),
         mov(3, src=10), alu("+=", 3, -24), mov(4, 0), call(MAP_UPDATE)],
        [st(8, 10, -8, 0), ld_map(1, HASH), mov(2, src=10), alu("+=", 2, -8), mov(3, src=10), alu("+=", 3, -16),
         mov(4, 0), call(MAP_UPDATE)],
        [st(8, 10, -8, 0), ld_map(1, RODATA), mov(2, src=10), alu("+=", 2, -8), mov(3, src=10), alu("+=", 3, -24),
         mov(4, 0), call(MAP_UPDATE)],
        [st(8, 10, -8, 0), ld_map(1, RODATA), mov(2, src=10), alu("+=", 2, -8), call(MAP_DELETE)],
        [st(8, 10, -8, 0), ld_map(1, ARR), mov(2, src=10), alu("+=", 2, -8), call(MAP_DELETE)],
        [st(8, 10, -8, 0), ld_map(1, WRONLY), mov(2, src=10), alu("+=", 2, -8), call(MAP_DELETE)],
        [mov(1, 0), mov(2, src=10), alu("+=", 2, -8), call(MAP_LOOKUP)],
        [st(8, 10, -8, 0), ld_map(1, ARR), mov(2, src=10), alu("+=", 2, -8), call(12)],
        [ld_map(1, DATA, 0), mov(2, src=1), ld_map(1, ARR), call(MAP_LOOKUP)],
        [ld_map(1, DATA, 12), mov(2, src=1), ld_map(1, HASH), call(MAP_LOOKUP)],
        [ld_map(1, DATA, 8), mov(2, src=1), ld_map(1, HASH), call(MAP_LOOKUP)],
        [ld_map(1, RODATA, 0), mov(2, 16), call(TRACE_PRINTK)],
        [ld_map(1, RODATA, 4), mov(2, 16), call(TRACE_PRINTK)],
        [ld_map(1, WRONLY, 0), mov(2, 8), call(TRACE_PRINTK)],
        [ld_map(1, DATA, 0), mov(2, 16), mov(3, 0), call(113)],
        [ld_map(1, RODATA, 0), mov(2, 16), mov(3, 0), call(113)],
        [ld_map(1, DATA, 8), mov(2, 16), mov(3, 0), call(113)],
    ]
    for i, h in enumerate(helpers):
        add("maphelper_%d" % i, "tcp", h + R0_EXIT)
    # copies of a maybe-null value: the null check marks every copy; a spill keeps the id
    copies = [
        lookup(ARR) + [mov(6, src=0), jmp("==", 0, 1, imm=0), ldx(8, 1, 6, 0)],
        lookup(ARR) + [mov(6, src=0), jmp("!=", 6, 1, imm=0), ja(1), ldx(8, 1, 0, 0)],
        lookup(ARR) + [stx(8, 10, 0, -16), jmp("==", 0, 2, imm=0), ldx(8, 6, 10, -16), ldx(8, 1, 6, 0)],
        lookup(ARR) + [mov(6, src=0)] + lookup(ARR) + [jmp("==", 0, 1, imm=0), ldx(8, 1, 6, 0)],
        lookup(ARR) + [jmp("==", 0, 2, imm=0), mov(0, 1), exit_(), ldx(8, 1, 0, 0)],
        lookup(HASH) + [jmp("!=", 0, 1, imm=0), exit_(), ldx(8, 0, 0, 8), exit_()],
    ]
    for i, c in enumerate(copies):
        add("mapnull_%d" % i, "tcp", c + R0_EXIT)
    # pruning with map values: diamonds over the offset into the value
    for i in range(24):
        n = rnd.randint(1, 4)
        body = lookup(ARR)
        tail = [mov(6, src=0), call(PRANDOM), mov(7, 0)]
        for d in range(n):
            tail += [jmp("<", 0, 1, imm=rnd.randint(0, 1000)), alu("+=", 7, rnd.choice([4, 8]))]
        tail += [alu("+=", 6, src=7), ldx(rnd.choice([4, 8]), 1, 6, rnd.choice([0, 8, 16]))]
        body += [jmp("==", 0, len(tail), imm=0)] + tail
        add("mapprune_%d" % i, "tcp", body + R0_EXIT)
    progs += opcode_maygoto_stack_templates()
    progs += ksym_templates()
    progs += queue_stack_templates()
    progs += percpu_array_templates()
    progs += percpu_hash_templates()
    progs += helper_stack_templates()
    progs += lru_hash_templates()
    return progs


# ---------------------------------------------------------------- opcodes, may_goto, stack depth across calls
def may_goto(off, src=0, dst=0, imm=0, code=JMP | 0xe0):
    return ins(code, dst, src, off, imm)


def pseudo_call(off):
    return ins(JMP | 0x80, 0, 1, 0, off)


def opcode_maygoto_stack_templates():
    """Own random stream (the templates above keep theirs): bpf_opcode_in_insntable() over every
    code byte and where "unknown opcode" is reported relative to other checks; may_goto (fields,
    loops, convergence, widening); combined stack size of bpf-to-bpf calls (round_up_stack_depth)."""
    rnd = random.Random(SEED * 1000 + 3)
    progs = []

    def add(name, target, insns):
        progs.append((name, target, b"".join(insns)))

    # 10. every code byte, all other fields zero, between r0 = 0 and exit
    for code in range(256):
        add("opcode_%02x" % code, "dummy", [mov(0, 0), ins(code), exit_()])
    # the order of the static checks: check_subprogs, then resolve_pseudo_ldimm64 (LDX fields,
    # ld_imm64 halves, opcode table), then do_check's field checks when an instruction is reached
    for i, body in enumerate([
            [mov(0, 0), ins(JMP | 0x00, imm=1), ins(0x38), exit_()],
            [mov(0, 0), ldx(8, 0, 10, -8)[:4] + struct.pack("<i", 1), ins(0x38), exit_()],
            [mov(0, 0), ins(0x38), ldx(8, 0, 10, -8)[:4] + struct.pack("<i", 1), exit_()],
            [mov(0, 0), ins(0xf5, off=5), exit_()],
            [mov(0, 0), ins(0xf5, off=0), ins(0x58), exit_()],
            [mov(0, 0), ins(0x8d, dst=1), exit_()],
            [mov(0, 0), ins(0x86, imm=1), exit_()],
            [mov(0, 0), ins(0x96)],
            [mov(0, 0), ins(0x0d), exit_()],
            [mov(0, 0), ins(0x18), exit_()],
            [mov(0, 0), ins(0x18), ins(0), ins(0x38), exit_()],
            [mov(0, 0), ins(0xc2), ins(0x38), exit_()],
            [mov(0, 0), alu("+=", 10, 1), ins(0x38), exit_()],
            [mov(0, 0), ins(0x20), exit_()],
            [mov(0, 0), ins(0x30, imm=4), exit_()],
            [mov(0, 0), ins(0xdb, 1, 0, -8, 0), exit_()],
            [mov(0, 0), ins(0xd3, 10, 0, -8, 0), exit_()],
            [mov(0, 0), ins(0xdf, imm=16), exit_()],
            [mov(0, 0), ins(0xd7, imm=16), exit_()]]):
        add("opcode_order_%d" % i, "dummy", body)

    # 11. may_goto: fields, then loops
    for i, (off, src, dst, imm, code) in enumerate([(1, 0, 0, 0, JMP | 0xe0), (0, 0, 0, 0, JMP | 0xe0),
                                                     (1, 1, 0, 0, JMP | 0xe0), (1, 0, 1, 0, JMP | 0xe0),
                                                     (1, 0, 0, 5, JMP | 0xe0), (1, 0, 0, 0, JMP32 | 0xe0),
                                                     (1, 0, 0, 0, JMP | 0xe8), (-1, 0, 0, 0, JMP | 0xe0)]):
        add("maygoto_field_%d" % i, "dummy", [may_goto(off, src, dst, imm, code), mov(0, 1), mov(0, 0), exit_()])
    for i, body in enumerate([
            [mov(0, 0), may_goto(2), alu("+=", 0, 1), ja(-3), exit_()],
            [mov(6, 0), may_goto(2), alu("+=", 6, 1), ja(-3), mov(0, src=6), exit_()],
            [mov(6, 0), may_goto(3), alu("+=", 6, 1), alu("&=", 6, 7), ja(-4), mov(7, src=10), alu("+=", 7, -64),
             alu("+=", 7, src=6), st(1, 7, 0, 1), mov(0, 0), exit_()],
            [mov(6, 0), may_goto(2), alu("+=", 6, 8), ja(-3), mov(7, src=10), alu("+=", 7, -64),
             alu("+=", 7, src=6), st(1, 7, 0, 1), mov(0, 0), exit_()],
            [mov(6, 0), may_goto(4), mov(7, 0), may_goto(1), ja(-2), alu("+=", 6, 1), ja(-6), mov(0, 0), exit_()],
            [mov(6, 1), may_goto(2), st(8, 10, -8, 0), ja(-3), mov(0, 0), exit_()],
            [st(8, 10, -8, 0), may_goto(2), stx(8, 10, 0, -8), ja(-3), ldx(8, 0, 10, -8), exit_()],
            [mov(0, 0), may_goto(1), ja(-2), exit_()],
            [mov(0, 0), may_goto(-1), exit_()],
            [mov(0, 0), may_goto(1), exit_(), may_goto(-3), exit_()]]):
        add("maygoto_%d" % i, "dummy", body)
    for i in range(40):
        body = [call(PRANDOM), mov(6, src=0), alu("&=", 6, rnd.choice([7, 15, 255])), mov(8, 0)]
        loop = []
        for _ in range(rnd.randint(1, 4)):
            k = rnd.choice(["add", "and", "cond", "mul", "inc8"])
            if k == "add":
                loop += [alu("+=", 6, rnd.choice([1, 2, 8, -1]))]
            elif k == "and":
                loop += [alu("&=", 6, rnd.choice([7, 31, 63]))]
            elif k == "mul":
                loop += [alu("*=", 6, rnd.choice([1, 2, 3]))]
            elif k == "inc8":
                loop += [alu("+=", 8, 1)]
            else:
                loop += [jmp(rnd.choice(["<", ">", "s<"]), 6, 1, imm=rnd.choice([4, 16, 40])), mov(6, rnd.choice([0, 3]))]
        use = rnd.choice(["off", "ret", "none"])
        tail = []
        if use == "off":
            tail = [mov(7, src=10), alu("+=", 7, -64), alu("+=", 7, src=6), st(1, 7, 0, 1)]
        elif use == "ret":
            tail = [mov(0, src=6)]
        body += [may_goto(len(loop) + 1)] + loop + [ja(-len(loop) - 2)] + tail
        add("maygoto_loop_%d" % i, "tcp", body + R0_EXIT)

    # 12. combined stack size across bpf-to-bpf calls (round_up_stack_depth(): 16 with a JIT)
    sizes = [8, 16, 24, 248, 256, 264, 272, 496, 504, 512]
    for i in range(30):
        a, b = rnd.choice(sizes), rnd.choice(sizes)
        main = [st(8, 10, -a, 0), pseudo_call(2), mov(0, 0), exit_()]
        if rnd.random() < 0.3:
            c = rnd.choice(sizes)
            sub = [st(8, 10, -b, 0), pseudo_call(2), mov(0, 0), exit_(), st(8, 10, -c, 0), mov(0, 0), exit_()]
        else:
            sub = [st(1, 10, -b, 0), mov(0, 0), exit_()]
        add("stackcalls_%d" % i, "dummy", main + sub)

    # 13. narrow spills and fills of scalars (save_register_state() for 1/2/4-byte aligned stores,
    # check_stack_read_fixed_off() for narrow fills): the filled value is used as a stack offset
    for i in range(80):
        ssize, fsize = rnd.choice([1, 2, 4, 8]), rnd.choice([1, 2, 4, 8])
        slot = rnd.choice([-8, -16])
        soff = slot + rnd.choice([0, 0, 0, 4, 2, 1]) % ssize if ssize < 8 else slot
        foff = rnd.choice([slot, slot, soff, slot + 4 if fsize <= 4 else slot])
        val = rnd.choice(["rnd", "const", "zero", "st", "st0", "pre"])
        body = [call(PRANDOM), mov(6, src=0), alu("&=", 6, rnd.choice([0x3f, 0x1f, 0xff]))]
        if val == "pre":
            body += [st(8, 10, slot, 0)]
        if val == "rnd":
            body += [stx(ssize, 10, 6, soff)]
        elif val == "const":
            body += [mov(6, 24), stx(ssize, 10, 6, soff)]
        elif val == "zero":
            body += [mov(6, 0), stx(ssize, 10, 6, soff)]
        elif val == "st":
            body += [st(ssize, 10, soff, 40)]
        elif val == "st0":
            body += [st(ssize, 10, soff, 0)]
        else:
            body += [stx(ssize, 10, 6, soff)]
        body += [ldx(fsize, 7, 10, foff), mov(8, src=10), alu("+=", 8, -64), alu("+=", 8, src=7), st(1, 8, 0, 1)]
        add("narrowspill_%d" % i, "tcp", body + R0_EXIT)

    # 14. precision across bpf-to-bpf calls: a callee's r0 and a caller's r1-r5 decide a stack
    # offset after a diamond whose arms differ in them (pruned or not, as mark_chain_precision()
    # backtracks through the frames)
    for i in range(60):
        kind = rnd.choice(["ret", "arg", "argret", "spill"])
        a, b = rnd.choice([(-8, -16), (-8, -8), (0, 8), (16, 24)])
        use = rnd.random() < 0.7
        main = [call(PRANDOM), mov(6, src=0)]
        # diamond on the random value: r7 = a or b
        main += [jmp("<", 6, 2, imm=rnd.randint(0, 1000)), mov(7, a), ja(1), mov(7, b), mov(1, src=7)]
        tail = [mov(5, src=10), alu("+=", 5, -32), alu("+=", 5, src=0), st(8, 5, 0, 0)] if use else []
        if kind == "ret":
            main += [pseudo_call(len(tail) + 2)] + tail + R0_EXIT
            sub = [mov(0, src=1), exit_()]
        elif kind == "arg":
            main += [pseudo_call(len(tail) + 2)] + tail + R0_EXIT
            sub = [mov(5, src=10), alu("+=", 5, -32), alu("+=", 5, src=1), st(8, 5, 0, 0), mov(0, 0), exit_()] if use \
                else [mov(0, 0), exit_()]
            tail = []
        elif kind == "argret":
            main += [pseudo_call(len(tail) + 2)] + tail + R0_EXIT
            sub = [alu("+=", 1, -8), mov(0, src=1), exit_()]
        else:
            main += [stx(8, 10, 1, -8), mov(1, src=10), alu("+=", 1, -8), pseudo_call(len(tail) + 2)] + tail + R0_EXIT
            sub = [ldx(8, 0, 1, 0), exit_()]
        add("callprec_%d" % i, "tcp", main + sub)
    # 15. more call shapes: precision through a callee's own diamond into its return value
    # ("ret2"), a caller's stack slot read by the callee through a pointer ("slotptr"), calls three
    # deep ("nested3"), a callee-saved register kept across a call with a diamond in the callee
    # ("saved"), and a caller register the continuation never reads ("inner"): read marks and
    # precision across frames (mark_reg_read() through parent links, backtracking through
    # BPF_EXIT and the call instruction)
    for i in range(60):
        kind = rnd.choice(["ret2", "slotptr", "nested3", "saved", "inner"])
        a, b = rnd.choice([(-8, -16), (-8, -8), (0, 8), (16, 24)])
        use = rnd.random() < 0.7
        lim = rnd.randint(0, 1000)
        pad = [mov(8, k) for k in range(rnd.randint(0, 4))]
        use_r0 = [mov(5, src=10), alu("+=", 5, -32), alu("+=", 5, src=0), st(8, 5, 0, 0)] if use else []
        diamond7 = [call(PRANDOM), mov(6, src=0)] + pad + [jmp("<", 6, 2, imm=lim), mov(7, a), ja(1), mov(7, b)]
        if kind == "ret2":
            main = [call(PRANDOM), mov(6, src=0)] + pad + [pseudo_call(len(use_r0) + 2)] + use_r0 + R0_EXIT
            sub = [call(PRANDOM), jmp("<", 0, 2, imm=lim), mov(0, a), ja(1), mov(0, b), exit_()]
        elif kind == "slotptr":
            main = diamond7 + [stx(8, 10, 7, -8), mov(1, src=10), alu("+=", 1, -8), pseudo_call(2)] + R0_EXIT
            sub = [ldx(8, 0, 1, 0)] + use_r0 + [exit_()]
        elif kind == "nested3":
            main = diamond7 + [mov(1, src=7), pseudo_call(len(use_r0) + 2)] + use_r0 + R0_EXIT
            sub1 = [pseudo_call(1), exit_()]
            use_r1 = [mov(5, src=10), alu("+=", 5, -32), alu("+=", 5, src=1), st(8, 5, 0, 0)] \
                if rnd.random() < 0.5 else []
            sub = sub1 + use_r1 + [mov(0, src=1), exit_()]
        elif kind == "saved":
            tail = [mov(0, src=7)] + use_r0
            main = diamond7 + [pseudo_call(len(tail) + 2)] + tail + R0_EXIT
            sub = [call(PRANDOM), jmp("<", 0, 1, imm=rnd.randint(0, 1000)), mov(0, 1), exit_()]
        else:
            tail = [mov(0, src=7)] + use_r0 if use else []
            main = diamond7 + [mov(1, 0), pseudo_call(len(tail) + 2)] + tail + R0_EXIT
            sub = [call(PRANDOM), mov(6, src=0)] + pad + [jmp("<", 6, 1, imm=rnd.randint(0, 1000)), mov(6, 1),
                                                         mov(0, src=6), exit_()]
        add("callprec2_%d" % i, "tcp", main + sub)
    return progs


# the ksyms ksym programs load (index = the imm of their ld_imm64 BPF_PSEUDO_BTF_ID in corpus.tsv): a name
# is looked up as a VAR or FUNC in each side's vmlinux BTF (the ids differ between the live kernel and the
# model's built-in BTF), an int is a raw BTF id kept as is (both sides print it in their messages)
KSYMS = ["runqueues", "bpf_prog_active", "cpu_number", "this_cpu_off", "bpf_cgroup_acquire", 0, 1, 0x7fffffff]
RUNQUEUES, PROG_ACTIVE, CPU_NUMBER, THIS_CPU_OFF, CGROUP_ACQUIRE, VOID_ID, ID_1, BAD_ID = range(len(KSYMS))
BAD_FD = 9999


def ld_ksym(dst, idx, btf_fd=0):
    """ld_imm64 BPF_PSEUDO_BTF_ID of KSYMS[idx] (insn[1].imm = the BTF fd, 0 = vmlinux). The corpus keeps the
    index in imm; the loader (with_fds, DifferentialCorpusTest.withFds) puts the BTF id."""
    return ins(0x18, dst, 3, 0, idx) + ins(0, 0, 0, 0, btf_fd)


def queue_stack_templates():
    """Queue and stack maps: bpf_map_push_elem / pop / peek (the value of pop and peek is
    ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE: raw mode on the stack, a write elsewhere),
    record_func_map()'s read-only map checks, check_map_func_compatibility() both ways (and
    bpf_map_lookup_percpu_elem with maps that are not per-cpu), and the other map helpers on a
    map without a key."""
    rnd = random.Random(SEED + 7)
    progs = []

    def add(name, insns):
        progs.append((name, "tcp", b"".join(insns)))

    def buf(reg, off):
        return [mov(reg, src=10), alu("+=", reg, off)]

    # push: the value initialised or not, flags constant or unknown, from the stack or a map value
    pushes = [
        [st(8, 10, -8, 1)] + buf(2, -8) + [ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        buf(2, -8) + [ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        [st(8, 10, -8, 1)] + buf(2, -8) + [ld_map(1, QUEUE), mov(3, 2), call(MAP_PUSH)],
        [st(8, 10, -8, 1)] + buf(2, -8) + [ld_map(1, QUEUE), call(PRANDOM), mov(3, src=0), ld_map(1, QUEUE),
                                           mov(2, src=10), alu("+=", 2, -8), call(MAP_PUSH)],
        [st(8, 10, -8, 1)] + buf(2, -8) + [ld_map(1, QUEUE), call(MAP_PUSH)],
        [st(8, 10, -8, 1)] + buf(2, -4) + [ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        [st(8, 10, -16, 1), st(8, 10, -8, 2)] + buf(2, -16) + [ld_map(1, STACK), mov(3, 0), call(MAP_PUSH)],
        [st(8, 10, -8, 2)] + buf(2, -16) + [ld_map(1, STACK), mov(3, 0), call(MAP_PUSH)],
        lookup(ARR) + [jmp("==", 0, 5, imm=0), mov(2, src=0), ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        lookup(ARR) + [mov(2, src=0), ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        lookup(ARR) + [jmp("==", 0, 6, imm=0), mov(2, src=0), alu("+=", 2, 44), ld_map(1, QUEUE), mov(3, 0),
                       call(MAP_PUSH)],
        [ld_map(2, RODATA, 8), ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        [ld_map(2, WRONLY, 0), ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        [mov(2, 0), ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        [mov(2, src=1), ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        [ldx(8, 2, 1, 0), ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        [st(8, 10, -8, 1)] + buf(2, -8) + [ld_map(1, QUEUE_RO), mov(3, 0), call(MAP_PUSH)],
    ]
    for i, p in enumerate(pushes):
        add("qpush_%d" % i, p + R0_EXIT)
    # pop and peek: into uninitialised stack at constant and variable offsets, over spilled
    # registers, into map values (read-only, out of range, maybe null), into ctx/BTF pointers
    for i, (helper, idx) in enumerate([(MAP_POP, QUEUE), (MAP_PEEK, QUEUE), (MAP_POP, STACK), (MAP_PEEK, STACK),
                                        (MAP_POP, QUEUE_RO), (MAP_PEEK, QUEUE_RO)]):
        vs = MAPS[idx][3]
        gets = [
            buf(2, -vs) + [ld_map(1, idx), call(helper), ldx(8, 0, 10, -8), exit_()],
            buf(2, -vs) + [ld_map(1, idx), call(helper)] + R0_EXIT,
            buf(2, -4) + [ld_map(1, idx), call(helper)] + R0_EXIT,
            buf(2, -512) + [ld_map(1, idx), call(helper), ldx(8, 0, 10, -512), exit_()],
            buf(2, -516) + [ld_map(1, idx), call(helper)] + R0_EXIT,
            buf(2, -12 - vs) + [ld_map(1, idx), call(helper), ldx(4, 0, 10, -12), exit_()],
            [stx(8, 10, 1, -vs)] + buf(2, -vs) + [ld_map(1, idx), call(helper), ldx(8, 1, 10, -vs), ldx(8, 0, 1, 0),
                                                  exit_()],
            [call(PRANDOM), alu("&=", 0, 8), mov(2, src=10), alu("+=", 2, -32), alu("+=", 2, src=0), ld_map(1, idx),
             call(helper)] + R0_EXIT,
            [st(8, 10, -32, 0), st(8, 10, -24, 0), st(8, 10, -16, 0), call(PRANDOM), alu("&=", 0, 8), mov(2, src=10),
             alu("+=", 2, -32), alu("+=", 2, src=0), ld_map(1, idx), call(helper)] + R0_EXIT,
            lookup(ARR) + [jmp("==", 0, 4, imm=0), mov(2, src=0), ld_map(1, idx), call(helper)] + R0_EXIT,
            lookup(ARR) + [mov(2, src=0), ld_map(1, idx), call(helper)] + R0_EXIT,
            lookup(ARR) + [jmp("==", 0, 5, imm=0), mov(2, src=0), alu("+=", 2, 48 - vs + 8), ld_map(1, idx),
                           call(helper)] + R0_EXIT,
            [ld_map(2, RODATA, 0), ld_map(1, idx), call(helper)] + R0_EXIT,
            [ld_map(2, DATA, 0), ld_map(1, idx), call(helper), ld_map(1, DATA, 0), ldx(8, 0, 1, 0), exit_()],
            [ld_map(2, WRONLY, 0), ld_map(1, idx), call(helper)] + R0_EXIT,
            [mov(2, src=1), ld_map(1, idx), call(helper)] + R0_EXIT,
            [ldx(8, 2, 1, 0), ld_map(1, idx), call(helper)] + R0_EXIT,
            [mov(2, 0), ld_map(1, idx), call(helper)] + R0_EXIT,
            lookup(HASH) + [jmp("==", 0, 4, imm=0), mov(2, src=0), ld_map(1, idx), call(helper)] + R0_EXIT,
        ]
        for j, g in enumerate(gets):
            add("qget_%d_%d" % (i, j), g)
    # diamonds: pops into different slots on each path, then reads (pruning over raw-mode writes)
    for i in range(16):
        body = [call(PRANDOM), mov(6, src=0)]
        for d in range(rnd.randint(1, 3)):
            off = rnd.choice([-8, -16, -24, -32])
            other = rnd.choice([-8, -16, -24, -32, -40])
            body += [jmp(">", 6, 6, imm=rnd.randint(0, 1000)), ld_map(1, QUEUE)] + buf(2, off) + [call(MAP_POP), ja(4),
                     st(8, 10, other, 1), mov(0, 0), mov(0, 0), mov(0, 0)]
        body += [ldx(8, 1, 10, rnd.choice([-8, -16, -24, -32, -40]))]
        add("qprune_%d" % i, body + R0_EXIT)
    # map helpers and maps that do not go together (check_map_func_compatibility()), and the
    # key-based helpers on a map without a key (key_size 0)
    init48 = [st(8, 10, o, 1) for o in range(-48, 0, 8)]
    wrong = [
        init48 + buf(2, -48) + [ld_map(1, ARR), mov(3, 0), call(MAP_PUSH)],
        buf(2, -16) + [ld_map(1, HASH), call(MAP_POP)],
        buf(2, -48) + [ld_map(1, ARR), call(MAP_PEEK)],
        init48 + buf(2, -16) + [ld_map(1, HASH), mov(3, 0), call(MAP_PUSH)],
        buf(2, -8) + [ld_map(1, HASH), call(MAP_POP)],
        [st(8, 10, -8, 1)] + buf(2, -8) + [ld_map(1, ARR), mov(3, 0), call(MAP_PUSH)],
        [st(8, 10, -8, 0)] + buf(2, -8) + [ld_map(1, QUEUE), call(MAP_LOOKUP)],
        [st(8, 10, -8, 0)] + buf(2, -8) + [ld_map(1, QUEUE), mov(3, src=2), mov(4, 0), call(MAP_UPDATE)],
        [st(8, 10, -8, 0)] + buf(2, -8) + [ld_map(1, STACK), call(MAP_DELETE)],
        [mov(2, 0), ld_map(1, QUEUE), call(MAP_LOOKUP)],
        [ld_map(2, QUEUE), mov(3, 0), call(12)],
        [st(8, 10, -8, 0)] + buf(2, -8) + [ld_map(1, QUEUE), mov(3, 0), call(MAP_LOOKUP_PERCPU)],
        [st(8, 10, -8, 0)] + buf(2, -8) + [ld_map(1, ARR), mov(3, 0), call(MAP_LOOKUP_PERCPU)],
        [st(8, 10, -8, 0)] + buf(2, -8) + [ld_map(1, HASH), mov(3, 0), call(MAP_LOOKUP_PERCPU)],
        [st(8, 10, -8, 0)] + buf(2, -8) + [ld_map(1, RODATA), mov(3, 0), call(MAP_PUSH)],
        buf(2, -8) + [ld_map(1, RODATA), call(MAP_POP)],
        buf(2, -16) + [ld_map(1, RODATA), call(MAP_PEEK)],
        [ld_map(2, STACK), mov(3, 0), call(12)],
        [ld_map(2, QUEUE), mov(3, 7), call(12)],
    ]
    for i, w in enumerate(wrong):
        add("qwrong_%d" % i, w + R0_EXIT)
    return progs


def percpu_array_templates():
    """A per-cpu array: lookups (constant and unknown keys, checked or not, reads and writes in and
    past the value), bpf_map_lookup_percpu_elem with constant and unknown CPUs (and on maps that
    are not per-cpu), update/delete, and helpers the map does not go with."""
    rnd = random.Random(SEED + 11)
    progs = []

    def add(name, insns):
        progs.append((name, "tcp", b"".join(insns)))

    def percpu_lookup(idx, key, cpu):
        ksize = MAPS[idx][2]
        body = [st(ksize, 10, -8, key) if ksize else mov(0, 0), mov(2, src=10), alu("+=", 2, -8), ld_map(1, idx)]
        if cpu == "prandom":
            body = [call(PRANDOM), mov(3, src=0)] + body
        elif cpu == "masked":
            body = [call(PRANDOM), alu("&=", 0, 1), mov(3, src=0)] + body
        else:
            body += [mov(3, cpu)]
        return body + [call(MAP_LOOKUP_PERCPU)]

    for i in range(30):
        kind = rnd.choice(["lookup", "percpu", "percpu"])
        key = rnd.choice([0, 3, 4])
        off = rnd.choice([0, 8, 12, 15, 16, -1])
        size = rnd.choice([1, 4, 8])
        check = rnd.random() < 0.7
        write = rnd.random() < 0.4
        body = lookup(PCPU, key) if kind == "lookup" else percpu_lookup(PCPU, key, rnd.choice([0, 1, 7, "prandom", "masked"]))
        acc = [st(size, 0, off, 1)] if write else [ldx(size, 1, 0, off)]
        body += ([jmp("==", 0, len(acc), imm=0)] if check else []) + acc
        add("pcpu_%d" % i, body + R0_EXIT)
    other = [
        [st(4, 10, -8, 0), st(8, 10, -24, 5), st(8, 10, -16, 6), ld_map(1, PCPU), mov(2, src=10), alu("+=", 2, -8),
         mov(3, src=10), alu("+=", 3, -24), mov(4, 0), call(MAP_UPDATE)],
        [st(4, 10, -8, 0), ld_map(1, PCPU), mov(2, src=10), alu("+=", 2, -8), mov(3, src=10), alu("+=", 3, -24),
         mov(4, 0), call(MAP_UPDATE)],
        [st(4, 10, -8, 0), ld_map(1, PCPU), mov(2, src=10), alu("+=", 2, -8), call(MAP_DELETE)],
        percpu_lookup(ARR, 0, 0),
        percpu_lookup(HASH, 0, 0),
        percpu_lookup(QUEUE, 0, 0),
        [st(8, 10, -16, 1), st(8, 10, -8, 1), ld_map(1, PCPU), mov(2, src=10), alu("+=", 2, -16), mov(3, 0),
         call(MAP_PUSH)],
        [ld_map(1, PCPU), mov(2, src=10), alu("+=", 2, -16), call(MAP_POP)],
        [ld_map(2, PCPU), mov(3, 0), call(12)],
        lookup(PCPU) + [jmp("==", 0, 5, imm=0), mov(2, src=0), ld_map(1, QUEUE), mov(3, 0), call(MAP_PUSH)],
        lookup(PCPU) + [jmp("==", 0, 4, imm=0), mov(2, src=0), ld_map(1, STACK), call(MAP_POP)],
        lookup(PCPU) + [jmp("==", 0, 3, imm=0), mov(1, src=0), mov(2, 16), call(TRACE_PRINTK)],
        lookup(PCPU) + [jmp("==", 0, 4, imm=0), mov(1, src=0), mov(2, 16), mov(3, 0), call(113)],
    ]
    for i, o in enumerate(other):
        add("pcpu_other_%d" % i, o + R0_EXIT)
    return progs


def percpu_hash_templates():
    """A per-cpu hash: lookups and bpf_map_lookup_percpu_elem (checked or not, reads and writes in
    and past the value), update/delete, and its values as helper arguments."""
    rnd = random.Random(SEED + 13)
    progs = []

    def add(name, insns):
        progs.append((name, "tcp", b"".join(insns)))

    for i in range(16):
        cpu = rnd.choice([None, 0, 1, "prandom"])
        body = [st(8, 10, -8, rnd.choice([0, 1])), mov(2, src=10), alu("+=", 2, -8), ld_map(1, PHASH)]
        if cpu is None:
            body += [call(MAP_LOOKUP)]
        elif cpu == "prandom":
            body = [call(PRANDOM), mov(3, src=0)] + body + [call(MAP_LOOKUP_PERCPU)]
        else:
            body += [mov(3, cpu), call(MAP_LOOKUP_PERCPU)]
        off = rnd.choice([0, 8, 12, 16, -4])
        size = rnd.choice([1, 4, 8])
        acc = [st(size, 0, off, 1)] if rnd.random() < 0.4 else [ldx(size, 1, 0, off)]
        body += ([jmp("==", 0, len(acc), imm=0)] if rnd.random() < 0.7 else []) + acc
        add("phash_%d" % i, body + R0_EXIT)
    other = [
        [st(8, 10, -8, 0), st(8, 10, -24, 5), st(8, 10, -16, 6), ld_map(1, PHASH), mov(2, src=10), alu("+=", 2, -8),
         mov(3, src=10), alu("+=", 3, -24), mov(4, 0), call(MAP_UPDATE)],
        [st(8, 10, -8, 0), ld_map(1, PHASH), mov(2, src=10), alu("+=", 2, -8), call(MAP_DELETE)],
        [st(4, 10, -8, 0), ld_map(1, PHASH), mov(2, src=10), alu("+=", 2, -8), mov(3, 0), call(MAP_LOOKUP_PERCPU)],
        [st(8, 10, -8, 0), ld_map(1, PHASH), mov(2, src=10), alu("+=", 2, -8), call(MAP_LOOKUP), jmp("==", 0, 4, imm=0),
         mov(2, src=0), ld_map(1, QUEUE), call(MAP_POP)],
        [st(8, 10, -8, 0), ld_map(1, PHASH), mov(2, src=10), alu("+=", 2, -8), call(MAP_LOOKUP), jmp("==", 0, 3, imm=0),
         mov(1, src=0), mov(2, 16), call(TRACE_PRINTK)],
        [st(8, 10, -16, 0), st(8, 10, -8, 0), ld_map(1, PHASH), mov(2, src=10), alu("+=", 2, -16), mov(3, 0),
         call(MAP_PUSH)],
    ]
    for i, o in enumerate(other):
        add("phash_other_%d" % i, o + R0_EXIT)
    return progs


def helper_stack_templates():
    """A stack buffer a helper only reads (a map key or value, a trace_printk format), read back after
    the call. v6.12 check_stack_range_initialized() clobbers every ACCESS_HELPER range (STACK_ZERO ->
    STACK_MISC, a spilled scalar -> unknown); since 37cce22dbd51 (v6.14) a BPF_READ argument leaves
    the slot, so the live kernel still knows the value. The last two are controls (a slot no helper
    touched; the raw-mode value buffer of bpf_map_pop_elem, written in both)."""
    progs = []

    def add(name, insns):
        progs.append((name, "tcp", b"".join(insns)))

    def key_lookup(store):
        return store + [mov(2, src=10), alu("+=", 2, -8), ld_map(1, HASH), call(MAP_LOOKUP)]

    index_fp = [mov(2, src=10), alu("+=", 2, src=1), ldx(1, 0, 2, -1)]
    progs_ = [
        # the zero key read back as a stack offset
        key_lookup([st(8, 10, -8, 0)]) + [ldx(8, 1, 10, -8)] + index_fp,
        # a spilled 0 key read back and tested: one branch or two
        key_lookup([mov(6, 0), stx(8, 10, 6, -8)]) + [ldx(8, 1, 10, -8), jmp("==", 1, 2, imm=0), mov(0, 1), exit_()],
        # a spilled 5 key read back: the other branch dereferences it
        key_lookup([mov(6, 5), stx(8, 10, 6, -8)]) + [ldx(8, 1, 10, -8), jmp("==", 1, 1, imm=5), ldx(8, 0, 1, 0)],
        # two 4-byte zero stores, the low half read back as a stack offset
        key_lookup([st(4, 10, -8, 0), st(4, 10, -4, 0)]) + [ldx(4, 1, 10, -8)] + index_fp,
        # the value buffer of bpf_map_update_elem read back as a stack offset
        [st(8, 10, -8, 0), st(8, 10, -24, 0), st(8, 10, -16, 0), ld_map(1, HASH), mov(2, src=10), alu("+=", 2, -8),
         mov(3, src=10), alu("+=", 3, -24), mov(4, 0), call(MAP_UPDATE), ldx(8, 1, 10, -24)] + index_fp,
        # the format buffer of bpf_trace_printk read back as a stack offset
        [st(8, 10, -16, 0), st(8, 10, -8, 0), mov(1, src=10), alu("+=", 1, -16), mov(2, 16), call(TRACE_PRINTK),
         ldx(8, 1, 10, -16)] + index_fp,
        # the spilled 0 key read back as an offset into the looked-up value
        key_lookup([mov(6, 0), stx(8, 10, 6, -8)]) + [ldx(8, 1, 10, -8), jmp("==", 0, 2, imm=0), alu("+=", 0, src=1),
                                                      st(1, 0, 0, 1)],
        # control: a zero slot the helper was not given, read back as a stack offset
        key_lookup([st(8, 10, -16, 0), st(8, 10, -8, 0)]) + [ldx(8, 1, 10, -16)] + index_fp,
        # control: bpf_map_pop_elem writes its value buffer (raw mode) in both kernels
        [st(8, 10, -8, 0), ld_map(1, QUEUE), mov(2, src=10), alu("+=", 2, -8), call(MAP_POP), ldx(8, 1, 10, -8)]
        + index_fp,
    ]
    for i, body in enumerate(progs_):
        add("hstack_%d" % i, body + R0_EXIT)
    return progs


def lru_hash_templates():
    """An LRU hash: lookups (null-checked or not, reads and writes in and past the value), update
    (flags in and out of range), delete, and its values as helper arguments."""
    rnd = random.Random(SEED + 17)
    progs = []

    def add(name, insns):
        progs.append((name, "tcp", b"".join(insns)))

    for i in range(16):
        body = [st(8, 10, -8, rnd.choice([0, 1])), mov(2, src=10), alu("+=", 2, -8), ld_map(1, LRU), call(MAP_LOOKUP)]
        off = rnd.choice([0, 8, 12, 16, -4])
        size = rnd.choice([1, 4, 8])
        acc = [st(size, 0, off, 1)] if rnd.random() < 0.4 else [ldx(size, 1, 0, off)]
        body += ([jmp("==", 0, len(acc), imm=0)] if rnd.random() < 0.7 else []) + acc
        add("lru_%d" % i, body + R0_EXIT)
    other = []
    for flags in (0, 1, 2, 3, 4):
        other.append([st(8, 10, -8, 0), st(8, 10, -24, 5), st(8, 10, -16, 6), ld_map(1, LRU), mov(2, src=10),
                      alu("+=", 2, -8), mov(3, src=10), alu("+=", 3, -24), mov(4, flags), call(MAP_UPDATE)])
    other += [
        # a value smaller than value_size, a key past the stack's initialised part
        [st(8, 10, -8, 0), st(8, 10, -16, 6), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8),
         mov(3, src=10), alu("+=", 3, -16), mov(4, 0), call(MAP_UPDATE)],
        [st(4, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), call(MAP_LOOKUP)],
        [st(8, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), call(MAP_DELETE)],
        [st(4, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), call(MAP_DELETE)],
        [st(8, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), mov(3, 0), call(MAP_LOOKUP_PERCPU)],
        [st(8, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), call(MAP_LOOKUP), jmp("==", 0, 4, imm=0),
         mov(2, src=0), ld_map(1, QUEUE), call(MAP_POP)],
        [st(8, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), call(MAP_LOOKUP), jmp("==", 0, 3, imm=0),
         mov(1, src=0), mov(2, 16), call(TRACE_PRINTK)],
        [st(8, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), call(MAP_LOOKUP), jmp("==", 0, 7, imm=0),
         mov(3, src=0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), mov(4, 0), call(MAP_UPDATE)],
        [st(8, 10, -16, 0), st(8, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -16), mov(3, 0),
         call(MAP_PUSH)],
        [st(8, 10, -8, 0), ld_map(1, LRU), mov(2, src=10), alu("+=", 2, -8), call(MAP_POP)],
    ]
    for i, o in enumerate(other):
        add("lru_other_%d" % i, o + R0_EXIT)
    # the LRU per-cpu hash: no map_gen_lookup, bpf_map_lookup_percpu_elem allowed
    for i in range(8):
        cpu = rnd.choice([None, 0, 1])
        body = [st(8, 10, -8, rnd.choice([0, 1])), mov(2, src=10), alu("+=", 2, -8), ld_map(1, LRU_PCPU)]
        body += [call(MAP_LOOKUP)] if cpu is None else [mov(3, cpu), call(MAP_LOOKUP_PERCPU)]
        off = rnd.choice([0, 8, 16, -4])
        size = rnd.choice([1, 8])
        acc = [st(size, 0, off, 1)] if rnd.random() < 0.4 else [ldx(size, 1, 0, off)]
        body += ([jmp("==", 0, len(acc), imm=0)] if rnd.random() < 0.7 else []) + acc
        add("lru_pcpu_%d" % i, body + R0_EXIT)
    for i, flags in enumerate((0, 2, 4)):
        add("lru_pcpu_update_%d" % i, [st(8, 10, -8, 0), st(8, 10, -24, 5), st(8, 10, -16, 6), ld_map(1, LRU_PCPU),
                                       mov(2, src=10), alu("+=", 2, -8), mov(3, src=10), alu("+=", 3, -24), mov(4, flags),
                                       call(MAP_UPDATE)] + R0_EXIT)
    add("lru_pcpu_checked_read", [st(8, 10, -8, 0), mov(2, src=10), alu("+=", 2, -8), ld_map(1, LRU_PCPU), call(MAP_LOOKUP),
                                  jmp("==", 0, 1, imm=0), ldx(8, 1, 0, 8)] + R0_EXIT)
    add("lru_pcpu_percpu_checked_write", [st(8, 10, -8, 0), mov(2, src=10), alu("+=", 2, -8), ld_map(1, LRU_PCPU), mov(3, 0),
                                          call(MAP_LOOKUP_PERCPU), jmp("==", 0, 1, imm=0), st(1, 0, 15, 1)] + R0_EXIT)
    add("lru_pcpu_delete", [st(8, 10, -8, 0), ld_map(1, LRU_PCPU), mov(2, src=10), alu("+=", 2, -8), call(MAP_DELETE)]
        + R0_EXIT)
    return progs


def ksym_templates():
    """ksyms (check_pseudo_btf_id): per-cpu variables (PTR_TO_BTF_ID | MEM_PERCPU), a function
    (PTR_TO_MEM | MEM_RDONLY, size 0), and the checks' messages."""
    progs = []

    def add(name, insns):
        progs.append((name, "tcp", b"".join(insns)))

    for i, k in enumerate([RUNQUEUES, PROG_ACTIVE, CPU_NUMBER, THIS_CPU_OFF, CGROUP_ACQUIRE]):
        add("ksym_load_%d" % i, [ld_ksym(1, k)] + R0_EXIT)
        add("ksym_ldx_%d" % i, [ld_ksym(1, k), ldx(4, 0, 1, 0)] + R0_EXIT)
        add("ksym_ldx8_%d" % i, [ld_ksym(2, k), ldx(8, 3, 2, 8)] + R0_EXIT)
        add("ksym_st_%d" % i, [ld_ksym(1, k), st(4, 1, 0, 7)] + R0_EXIT)
        add("ksym_arith_%d" % i, [ld_ksym(1, k), alu("+=", 1, 16), ldx(1, 0, 1, 0)] + R0_EXIT)
        add("ksym_spill_%d" % i, [ld_ksym(1, k), stx(8, 10, 1, -8), ldx(8, 2, 10, -8), ldx(4, 0, 2, 0)] + R0_EXIT)
        add("ksym_neg_%d" % i, [ld_ksym(1, k), ldx(4, 0, 1, -4)] + R0_EXIT)
        add("ksym_leak_%d" % i, [ld_ksym(1, k), stx(8, 10, 1, -8)] + R0_EXIT)
    add("ksym_two_0", [ld_ksym(1, RUNQUEUES), ld_ksym(2, PROG_ACTIVE), ld_ksym(3, RUNQUEUES)] + R0_EXIT)
    add("ksym_varoff_0", [call(PRANDOM), alu("&=", 0, 8), ld_ksym(1, RUNQUEUES), alu("+=", 1, src=0),
                          ldx(4, 0, 1, 0)] + R0_EXIT)
    add("ksym_badfd_0", [ld_ksym(1, RUNQUEUES, BAD_FD)] + R0_EXIT)
    add("ksym_badid_0", [ld_ksym(1, BAD_ID)] + R0_EXIT)
    add("ksym_void_0", [ld_ksym(1, VOID_ID)] + R0_EXIT)
    add("ksym_kind_0", [ld_ksym(1, ID_1)] + R0_EXIT)
    add("ksym_badhi_0", [ins(0x18, 1, 3, 0, RUNQUEUES) + ins(0, 1, 0, 0, 0)] + R0_EXIT)
    # bpf_this_cpu_ptr (154) / bpf_per_cpu_ptr (153): ARG_PTR_TO_PERCPU_BTF_ID takes only a per-cpu
    # ksym (check_reg_type()'s percpu_btf_ptr_types); the live kernel without CONFIG_KALLSYMS_ALL
    # loads no per-cpu ksym, so these give the argument check's message for everything else
    wrong = [
        [],                                              # R1 = ctx
        [mov(1, 0)],                                     # scalar
        [mov(1, src=10), alu("+=", 1, -8)],              # fp
        [ld_map(1, DATA, 0)],                            # map_value
        [ld_map(1, ARR)],                                # map_ptr
        [ldx(8, 1, 1, 0)],                               # ctx[0]: struct sock *, trusted_ptr_
        [ld_ksym(1, CGROUP_ACQUIRE)],                    # a function: rdonly_mem
    ]
    for i, w in enumerate(wrong):
        add("percpu_this_%d" % i, w + [call(154)] + R0_EXIT)
        add("percpu_per_%d" % i, w + [mov(2, 0), call(153)] + R0_EXIT)
    add("percpu_ksym_this_0", [ld_ksym(1, RUNQUEUES), call(154), ldx(4, 0, 0, 28)] + R0_EXIT)
    add("percpu_ksym_per_0", [ld_ksym(1, PROG_ACTIVE), mov(2, 0), call(153), ldx(4, 0, 0, 0)] + R0_EXIT)
    return progs


# ---------------------------------------------------------------- the kernel side
def load_ksym_ids(path="/sys/kernel/btf/vmlinux"):
    """The ids of KSYMS' names among vmlinux BTF's VARs and FUNCs."""
    d = open(path, "rb").read()
    _, _, _, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<HBBIIIII", d, 0)
    strs = d[hdr_len + str_off:hdr_len + str_off + str_len]
    skip = {1: 4, 3: 12, 14: 4, 17: 4}
    per = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}
    want = {k for k in KSYMS if isinstance(k, str)}
    found = {}
    p, end, tid = hdr_len + type_off, hdr_len + type_off + type_len, 0
    while p < end:
        name_off, info, _ = struct.unpack_from("<III", d, p)
        p += 12
        tid += 1
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        p += skip.get(kind, 0) + per.get(kind, 0) * vlen
        if kind in (12, 14):
            n = strs[name_off:strs.index(b"\0", name_off)].decode()
            if n in want and n not in found:
                found[n] = tid
    return [found[k] if isinstance(k, str) else k for k in KSYMS]


_ksym_ids = []


def kallsyms_all():
    """CONFIG_KALLSYMS_ALL of the running kernel (y: kallsyms has variables, so ksyms of variables resolve)."""
    import gzip
    for path, opener in (("/proc/config.gz", gzip.open), ("/boot/config-" + os.uname().release, open)):
        try:
            with opener(path, "rt") as f:
                return "y" if "CONFIG_KALLSYMS_ALL=y" in f.read() else "n"
        except OSError:
            continue
    return "unknown"


def load_btf_ids(path="/sys/kernel/btf/vmlinux"):
    d = open(path, "rb").read()
    _, _, _, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<HBBIIIII", d, 0)
    strs = d[hdr_len + str_off:hdr_len + str_off + str_len]

    def name(off):
        return strs[off:strs.index(b"\0", off)].decode()

    skip = {1: 4, 3: 12, 14: 4, 17: 4}
    per = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}
    found = {}
    p, end, tid = hdr_len + type_off, hdr_len + type_off + type_len, 0
    while p < end:
        name_off, info, _ = struct.unpack_from("<III", d, p)
        p += 12
        tid += 1
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        members = []
        if kind in (4, 5):
            for i in range(vlen):
                members.append(name(struct.unpack_from("<I", d, p + 12 * i)[0]))
        p += skip.get(kind, 0) + per.get(kind, 0) * vlen
        if kind == 4 and name(name_off) in ("bpf_dummy_ops", "tcp_congestion_ops"):
            found[name(name_off)] = (tid, members)
    return {"dummy": (found["bpf_dummy_ops"][0], found["bpf_dummy_ops"][1].index("test_1")),
            "tcp": (found["tcp_congestion_ops"][0], found["tcp_congestion_ops"][1].index("ssthresh"))}


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
BPF_PROG_LOAD, BPF_PROG_TYPE_STRUCT_OPS, NR_BPF = 5, 27, 321


def kernel_load(code, btf_id, member, level=1):
    ib = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    logsz = 1 << 24
    log = ctypes.create_string_buffer(logsz)
    attr = bytearray(144)
    struct.pack_into("<IIQQIIQ", attr, 0, BPF_PROG_TYPE_STRUCT_OPS, len(code) // 8, ctypes.addressof(ib),
                     ctypes.addressof(lic), level, logsz, ctypes.addressof(log))
    struct.pack_into("<I", attr, 68, member)
    struct.pack_into("<I", attr, 108, btf_id)
    a = ctypes.create_string_buffer(bytes(attr), len(attr))
    fd = _libc.syscall(NR_BPF, BPF_PROG_LOAD, a, len(attr))
    err = ctypes.get_errno()
    if fd >= 0:
        os.close(fd)
        err = 0
    lines = [l for l in log.value.decode(errors="replace").split("\n") if l]
    processed = next((l for l in lines if l.startswith("processed ")), "")
    before = lines[:lines.index(processed)] if processed in lines else lines
    error = "" if fd >= 0 or not before else before[-1]
    return err, error, processed


ERRNO = {0: "OK", 1: "EPERM", 2: "ENOENT", 7: "E2BIG", 13: "EACCES", 14: "EFAULT", 22: "EINVAL", 524: "ENOTSUPP"}


NR_MAP_CREATE, NR_MAP_UPDATE, NR_MAP_FREEZE = 0, 2, 22


def bpf(cmd, attr):
    a = ctypes.create_string_buffer(bytes(attr), len(attr))
    r = _libc.syscall(NR_BPF, cmd, a, len(attr))
    if r < 0:
        raise OSError(ctypes.get_errno(), "bpf(%d) failed" % cmd)
    return r


_fds = []


def map_fds():
    """Creates MAPS in the live kernel once (as libbpf would: create, set element 0, freeze)."""
    if not _fds:
        for name, mtype, ks, vs, maxe, flags, init, freeze in MAPS:
            attr = bytearray(72)
            struct.pack_into("<IIIII", attr, 0, mtype, ks, vs, maxe, flags)
            attr[28:28 + len(name)] = name.encode()
            fd = bpf(NR_MAP_CREATE, attr)
            if init is not None:
                key = ctypes.create_string_buffer(4)
                val = ctypes.create_string_buffer(init, len(init))
                upd = bytearray(32)
                struct.pack_into("<IIQQQ", upd, 0, fd, 0, ctypes.addressof(key), ctypes.addressof(val), 0)
                bpf(NR_MAP_UPDATE, upd)
            if freeze:
                fr = bytearray(8)
                struct.pack_into("<I", fr, 0, fd)
                bpf(NR_MAP_FREEZE, fr)
            _fds.append(fd)
    return _fds


def with_fds(code):
    """The program with each map ld_imm64's index (imm) replaced by the map's fd, and each ksym
    ld_imm64's KSYMS index by the BTF id."""
    out = bytearray(code)
    for p in range(0, len(out), 8):
        if out[p] == 0x18 and (out[p + 1] >> 4) in (1, 2):
            idx = struct.unpack_from("<i", out, p + 4)[0]
            struct.pack_into("<i", out, p + 4, map_fds()[idx])
        if out[p] == 0x18 and (out[p + 1] >> 4) == 3:
            if not _ksym_ids:
                _ksym_ids.extend(load_ksym_ids())
            idx = struct.unpack_from("<i", out, p + 4)[0]
            struct.pack_into("<i", out, p + 4, _ksym_ids[idx])
    return bytes(out)


def run(ids, name, target, code):
    err, error, processed = kernel_load(with_fds(code), *ids[target])
    return "\t".join([name, target, code.hex(), ERRNO.get(err, str(err)), processed, error])


def main():
    ids = load_btf_ids()
    progs = templates()
    if "--check" in sys.argv:
        want = {}
        with open(CORPUS) as f:
            for line in f:
                if not line.startswith("#"):
                    want[line.split("\t", 1)[0]] = line.rstrip("\n")
        changed = 0
        for name, target, code in progs:
            got = run(ids, name, target, code)
            if want.get(name) != got:
                changed += 1
                print("changed: " + got)
        print("checked %d programs, %d changed" % (len(progs), changed))
        sys.exit(1 if changed else 0)
    with open(CORPUS, "w") as f:
        f.write("# kernel %s (uname -r), seed %d, CONFIG_KALLSYMS_ALL=%s, generated by generate.py; columns: name target "
                "insns-hex errno processed-line error-line\n" % (os.uname().release, SEED, kallsyms_all()))
        for name, target, code in progs:
            f.write(run(ids, name, target, code) + "\n")
    print("wrote %d programs to %s" % (len(progs), CORPUS))


if __name__ == "__main__":
    main()
