#!/usr/bin/env python3
"""The kernel's verifier throughput on programs of VerifierBenchmark's shapes (root, bpf() needed).

Loads, as bpf_dummy_ops.test_1 struct_ops programs, the two shapes of
benchmarks/src/main/java/org/bpfosgi/bench/VerifierBenchmark.java:

  straight: r6 = ctx arg (null-checked), then 100,000 instructions of loads through the trusted
            pointer, ALU, a stack spill and fill, stores checked by btf_struct_access, r0 = 0, exit
  branchy:  2,000 diamonds on an unknown value whose arms leave different constants in r3

(bpf_dummy_ops_state has one int, so loads and stores are 32-bit at offset 0 where the model's
bench_args has u64 fields at 0 and 8; the instruction mix is the same.) Each is loaded N times with
log_level BPF_LOG_STATS (4): the kernel reports its own "verification time %lld usec" and the
"processed %d insns" count; the wall-clock time of the bpf() call is measured too. Prints
processed insns/s for both (median over the runs; the 100k straight line, which takes seconds per load on 6.18, a fifth of them).
A 10k straight line shows how the kernel's time grows with the program's length.
"""
import ctypes
import os
import statistics
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "framework", "kernel", "src",
                                "test", "resources", "org", "bpfosgi", "verifier", "differential"))
import generate as g  # noqa: E402  (the encoder and the BTF lookup of the differential corpus)

STRAIGHT = 100_000
DIAMONDS = 2_000


def straight(n=STRAIGHT):
    body = [g.ldx(4, 2, 6, 0), g.alu("+=", 2, 7), g.mov(3, src=2), g.alu("^=", 3, 0x55), g.stx(8, 10, 3, -8),
            g.ldx(8, 4, 10, -8), g.alu("*=", 4, 3, w64=False), g.stx(4, 6, 4, 0)]
    insns = [g.ldx(8, 6, 1, 0), g.jmp("!=", 6, 2, imm=0), g.mov(0, 0), g.exit_()]
    insns += [body[i % len(body)] for i in range(n - 6)]
    insns += [g.mov(0, 0), g.exit_()]
    return b"".join(insns)


def branchy():
    insns = [g.ldx(8, 6, 1, 0), g.jmp("!=", 6, 2, imm=0), g.mov(0, 0), g.exit_()]
    for i in range(DIAMONDS):
        insns += [g.ldx(4, 2, 6, 0), g.jmp(">", 2, 2, imm=i), g.mov(3, 1), g.ja(1), g.mov(3, 2), g.alu("+=", 3, src=2)]
    insns += [g.mov(0, 0), g.exit_()]
    return b"".join(insns)


def load(code, btf_id, member):
    ib = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(1 << 16)
    attr = bytearray(144)
    struct.pack_into("<IIQQIIQ", attr, 0, g.BPF_PROG_TYPE_STRUCT_OPS, len(code) // 8, ctypes.addressof(ib),
                     ctypes.addressof(lic), 4, 1 << 16, ctypes.addressof(log))
    struct.pack_into("<I", attr, 68, member)
    struct.pack_into("<I", attr, 108, btf_id)
    a = ctypes.create_string_buffer(bytes(attr), len(attr))
    t0 = time.perf_counter_ns()
    fd = g._libc.syscall(g.NR_BPF, g.BPF_PROG_LOAD, a, len(attr))
    wall = time.perf_counter_ns() - t0
    text = log.value.decode()
    if fd < 0:
        raise SystemExit("load failed (errno %d): %s" % (ctypes.get_errno(), text[-500:]))
    os.close(fd)
    usec = int(text.split("verification time ")[1].split()[0])
    processed = int(text.split("processed ")[1].split()[0])
    return processed, usec, wall


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    btf_id, member = g.load_btf_ids()["dummy"]
    print("kernel %s, %d runs each (median)" % (os.uname().release, runs))
    shapes = (("straightLine100k", straight()), ("straightLine10k", straight(10_000)), ("branchy2000Diamonds", branchy()))
    for name, code in shapes:
        res = [load(code, btf_id, member) for _ in range(runs if len(code) < 8 * 50_000 else max(1, runs // 5))]
        processed = res[0][0]
        usec = statistics.median(r[1] for r in res)
        wall = statistics.median(r[2] for r in res)
        print("%-20s processed %7d  verification time %8.0f usec -> %12.0f insns/s; bpf() wall %8.0f usec -> %12.0f insns/s"
              % (name, processed, usec, processed / usec * 1e6, wall / 1e3, processed / wall * 1e9))


if __name__ == "__main__":
    main()
