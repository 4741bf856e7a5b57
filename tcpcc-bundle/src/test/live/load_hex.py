#!/usr/bin/env python3
"""Loads tcp_congestion_ops programs into the running kernel and prints their verdicts.

    python3 load_hex.py MEMBER HEX [MEMBER HEX ...]

HEX is the program's instructions as the kernel takes them (kfunc calls with their vmlinux BTF
ids). Prints "ok" or "ERRNO<TAB>error line" (the last line of the verifier log before the
summary), as tcp_ca_corpus.py records them; one line per program.
"""
import sys

import tcp_ca_corpus as corpus

args = sys.argv[1:]
for member, hexs in zip(args[0::2], args[1::2]):
    verdict, err = corpus.load(corpus.OPS_MEMBERS.index(member), bytes.fromhex(hexs))
    print(verdict if verdict == "ok" else verdict + "\t" + err)
