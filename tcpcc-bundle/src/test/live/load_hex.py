#!/usr/bin/env python3
"""Loads one tcp_congestion_ops program into the running kernel and prints its verdict.

    python3 load_hex.py MEMBER HEX

HEX is the program's instructions as the kernel takes them (kfunc calls with their vmlinux BTF
ids). Prints "ok" or "ERRNO<TAB>error line" (the last line of the verifier log before the
summary), as tcp_ca_corpus.py records them.
"""
import sys

import tcp_ca_corpus as corpus

member, blob = sys.argv[1], bytes.fromhex(sys.argv[2])
verdict, err = corpus.load(corpus.OPS_MEMBERS.index(member), blob)
print(verdict if verdict == "ok" else verdict + "\t" + err)
