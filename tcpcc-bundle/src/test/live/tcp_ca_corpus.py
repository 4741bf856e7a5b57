#!/usr/bin/env python3
"""The tcp_congestion_ops differential corpus, and its verdicts from the live kernel.

Generates struct_ops programs for tcp_congestion_ops (writes to every byte of struct tcp_sock,
writes of each writable field at and past its size, reads, context accesses, helpers per member,
the bpf_tcp_ca kfuncs with right and wrong arguments, unsupported members, return values), loads
each into the running kernel with bpf(BPF_PROG_LOAD) through ctypes, and writes one line per
program to the golden file:

    id <TAB> member <TAB> verdict <TAB> error line <TAB> insn hex <TAB> program text (';'-separated)

verdict is "ok" or the errno name; the error line is the last line of the verifier log that is
not the "processed N insns" summary (empty when accepted). The insn hex is what the kernel got,
with each kfunc call's imm written as 0 (its BTF id depends on the BTF; the text names it).

Needs root, bpf() and /sys/kernel/btf/vmlinux (offsets and ids come from it). Run:

    python3 tcpcc-bundle/src/test/live/tcp_ca_corpus.py \
        tcpcc-bundle/src/test/resources/golden/tcp_ca_differential.tsv
"""
import ctypes
import errno
import os
import re
import struct
import subprocess
import sys

VMLINUX = "/sys/kernel/btf/vmlinux"
BPF_PROG_LOAD = 5
BPF_PROG_TYPE_STRUCT_OPS = 27
BPF_PSEUDO_KFUNC_CALL = 2
ENOTSUPP = 524

# ------------------------------------------------------------------ BTF (bpftool's raw dump)

raw = subprocess.run(["bpftool", "btf", "dump", "file", VMLINUX], capture_output=True, text=True, check=True).stdout
types = {}
cur = None
for line in raw.splitlines():
    m = re.match(r"\[(\d+)\] (\w+) '([^']*)'(.*)", line)
    if m:
        cur = {"kind": m.group(2), "name": "" if m.group(3) == "(anon)" else m.group(3),
               "attrs": dict(re.findall(r"(\w+)=(\S+)", m.group(4))), "members": []}
        types[int(m.group(1))] = cur
        continue
    m = re.match(r"\s+'([^']*)' type_id=(\d+) bits_offset=(\d+)", line)
    if m and cur is not None:
        cur["members"].append(("" if m.group(1) == "(anon)" else m.group(1), int(m.group(2)), int(m.group(3))))


def find(kind, name):
    for tid, t in types.items():
        if t["kind"] == kind and t["name"] == name:
            return tid
    raise KeyError(name)


def skip(tid):
    while types[tid]["kind"] in ("TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"):
        tid = int(types[tid]["attrs"]["type_id"])
    return tid


def size_of(tid):
    t = types[skip(tid)]
    if t["kind"] == "PTR":
        return 8
    if t["kind"] == "ARRAY":
        return int(t["attrs"]["nr_elems"]) * size_of(int(t["attrs"]["type_id"]))
    return int(t["attrs"]["size"])


def member(tid, path):
    """(byte offset, size) of a member path, looking into anonymous members."""
    off = 0
    for part in path.split("."):
        tid = skip(tid)
        hit = lookup(tid, part)
        if hit is None:
            raise KeyError(path)
        moff, tid = hit
        off += moff
    return off, size_of(tid)


def lookup(tid, name):
    for n, mt, bits in types[tid]["members"]:
        if n == name:
            return bits // 8, mt
        if n == "" and types[skip(mt)]["kind"] in ("STRUCT", "UNION"):
            sub = lookup(skip(mt), name)
            if sub is not None:
                return bits // 8 + sub[0], sub[1]
    return None


TCP_SOCK = find("STRUCT", "tcp_sock")
OPS = find("STRUCT", "tcp_congestion_ops")
OPS_MEMBERS = [n for n, _, _ in types[OPS]["members"]]
TCP_SOCK_SIZE = size_of(TCP_SOCK)
KFUNCS = {n: find("FUNC", n) for n in
          ["tcp_reno_ssthresh", "tcp_reno_cong_avoid", "tcp_reno_undo_cwnd", "tcp_slow_start", "tcp_cong_avoid_ai"]}
WRITABLE = ["inet_conn.icsk_inet.sk.sk_pacing_rate", "inet_conn.icsk_inet.sk.sk_pacing_status",
            "inet_conn.icsk_ca_priv", "inet_conn.icsk_ack.pending", "snd_cwnd", "snd_cwnd_cnt", "snd_cwnd_stamp",
            "snd_ssthresh", "ecn_flags", "app_limited"]

# ------------------------------------------------------------------ a small assembler (the project's text syntax)

SZ = {1: ("u8", 0x10), 2: ("u16", 0x08), 4: ("u32", 0x00), 8: ("u64", 0x18)}


class P:
    """A program: its instructions as (text, encoding) pairs."""

    def __init__(self):
        self.insns = []

    def _add(self, text, code, dst=0, src=0, off=0, imm=0, kfunc=None):
        self.insns.append((text, struct.pack("<BBhi", code, (src << 4) | dst, off, imm), kfunc))
        return self

    def ldx(self, dst, src, off, size):
        return self._add(f"r{dst} = *({SZ[size][0]} *)(r{src} {off:+d})", 0x61 | SZ[size][1], dst, src, off)

    def stx(self, dst, off, src, size):
        return self._add(f"*({SZ[size][0]} *)(r{dst} {off:+d}) = r{src}", 0x63 | SZ[size][1], dst, src, off)

    def st(self, dst, off, imm, size):
        return self._add(f"*({SZ[size][0]} *)(r{dst} {off:+d}) = {imm}", 0x62 | SZ[size][1], dst, 0, off, imm)

    def mov(self, dst, imm):
        return self._add(f"r{dst} = {imm}", 0xb7, dst, 0, 0, imm)

    def movr(self, dst, src):
        return self._add(f"r{dst} = r{src}", 0xbf, dst, src)

    def add(self, dst, imm):
        return self._add(f"r{dst} += {imm}", 0x07, dst, 0, 0, imm)

    def call(self, helper_id):
        return self._add(f"call {helper_id}", 0x85, 0, 0, 0, helper_id)

    def kcall(self, name):
        return self._add(f"call {name}", 0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0, kfunc=name)

    def exit(self):
        return self._add("exit", 0x95)

    def ret0(self):
        return self.mov(0, 0).exit()

    def text(self):
        return ";".join(t for t, _, _ in self.insns)

    def hexs(self):
        return "".join(e.hex() for _, e, _ in self.insns)

    def blob(self):
        out = b""
        for _, e, k in self.insns:
            if k:
                e = e[:4] + struct.pack("<i", KFUNCS[k])
            out += e
        return out


# ------------------------------------------------------------------ the corpus

def corpus():
    cases = []

    def case(cid, member, p):
        cases.append((cid, member, p))

    # every byte of tcp_sock, a u8 store through the promoted sk (cong_avoid)
    for off in range(0, TCP_SOCK_SIZE):
        case(f"st_u8_{off}", "cong_avoid", P().ldx(1, 1, 0, 8).st(1, off, 0, 1).exit())
    # each writable field: sizes 1, 2, 4, 8 at its start, and one byte past its end
    for f in WRITABLE:
        off, size = member(TCP_SOCK, f)
        for s in (1, 2, 4, 8):
            case(f"st_u{8 * s}_{f}", "cong_avoid", P().ldx(1, 1, 0, 8).st(1, off, 0, s).exit())
        case(f"stx_u32_{f}_last", "cong_avoid", P().ldx(1, 1, 0, 8).mov(2, 1).stx(1, off + size - 1, 2, 1).exit())
    # reads
    for f in ["snd_cwnd", "snd_ssthresh", "prior_cwnd", "snd_cwnd_clamp", "srtt_us", "mss_cache", "max_packets_out"]:
        off, size = member(TCP_SOCK, f)
        case(f"ld_u32_{f}", "ssthresh", P().ldx(1, 1, 0, 8).ldx(0, 1, off, 4).exit())
    case("ld_beyond_tcp_sock", "ssthresh", P().ldx(1, 1, 0, 8).ldx(0, 1, TCP_SOCK_SIZE, 4).exit())
    case("ld_last_u32_tcp_sock", "ssthresh", P().ldx(1, 1, 0, 8).ldx(0, 1, TCP_SOCK_SIZE - 4, 4).exit())
    case("ld_ptr_icsk_ca_ops", "ssthresh", P().ldx(1, 1, 0, 8)
         .ldx(0, 1, member(TCP_SOCK, "inet_conn.icsk_ca_ops")[0], 8).mov(0, 2).exit())
    case("ld_ptr_icsk_ca_ops_narrow", "ssthresh", P().ldx(1, 1, 0, 8)
         .ldx(0, 1, member(TCP_SOCK, "inet_conn.icsk_ca_ops")[0], 4).exit())
    # the other argument structs: read yes, write no
    case("ld_ack_sample", "pkts_acked", P().ldx(1, 1, 8, 8).ldx(2, 1, 0, 4).exit())
    case("st_ack_sample", "pkts_acked", P().ldx(1, 1, 8, 8).st(1, 0, 0, 4).exit())
    case("ld_rate_sample", "cong_control", P().ldx(1, 1, 24, 8).ldx(2, 1, 0, 8).exit())
    case("st_rate_sample", "cong_control", P().ldx(1, 1, 24, 8).st(1, 0, 0, 4).exit())
    # context accesses
    case("ctx_arg2_of_ssthresh", "ssthresh", P().ldx(0, 1, 8, 8).exit())
    case("ctx_scalar_args", "cong_avoid", P().ldx(2, 1, 8, 8).ldx(3, 1, 16, 8).exit())
    case("ctx_scalar_u32", "cong_avoid", P().ldx(2, 1, 8, 4).exit())
    case("ctx_sk_narrow", "ssthresh", P().ldx(0, 1, 0, 4).exit())
    case("ctx_write", "cong_avoid", P().st(1, 0, 0, 8).exit())
    case("ctx_misaligned", "cong_avoid", P().ldx(2, 1, 4, 8).exit())
    case("ctx_arg3_of_cong_avoid", "cong_avoid", P().ldx(2, 1, 24, 8).exit())
    # return values
    case("ret_missing_u32", "ssthresh", P().exit())
    case("ret_missing_void", "cong_avoid", P().exit())
    case("ret_const_u32", "undo_cwnd", P().mov(0, 10).exit())
    # every supported member and get_info, trivially
    for mname in OPS_MEMBERS:
        if types[skip(dict((n, t) for n, t, _ in types[OPS]["members"])[mname])]["kind"] != "PTR":
            continue
        case(f"member_{mname}", mname, P().ret0())
    # helpers per member
    helpers = {"tcp_send_ack": 116, "setsockopt": 49, "getsockopt": 57, "ktime_get_coarse_ns": 160,
               "ktime_get_ns": 5, "get_prandom_u32": 7, "get_smp_processor_id": 8, "jiffies64": 118,
               "sk_storage_get": 107, "sk_storage_delete": 108, "get_current_pid_tgid": 14,
               "get_current_task": 35, "trace_printk": 6, "probe_read_kernel": 113}
    fmembers = ["ssthresh", "cong_avoid", "set_state", "cwnd_event", "in_ack_event", "pkts_acked",
                "cong_control", "undo_cwnd", "sndbuf_expand", "init", "release", "min_tso_segs"]
    for mname in fmembers:
        for hname, hid in helpers.items():
            p = P()
            if hname == "tcp_send_ack":
                p.ldx(1, 1, 0, 8).mov(2, 0)
            elif hname in ("setsockopt", "getsockopt"):
                p.ldx(1, 1, 0, 8).mov(2, 6).mov(3, 13).st(10, -8, 0, 8).movr(4, 10).add(4, -8).mov(5, 8)
            elif hname in ("sk_storage_get", "sk_storage_delete"):
                p.mov(1, 0).mov(2, 0).mov(3, 0).mov(4, 0)
            elif hname == "trace_printk":
                p.st(10, -8, 0, 8).movr(1, 10).add(1, -8).mov(2, 8)
            elif hname == "probe_read_kernel":
                p.movr(1, 10).add(1, -8).mov(2, 8).mov(3, 0)
            p.call(hid).ret0()
            case(f"helper_{hname}_in_{mname}", mname, p)
    # wrong arguments to helpers
    case("tcp_send_ack_ack_sample", "pkts_acked", P().ldx(1, 1, 8, 8).mov(2, 0).call(116).ret0())
    case("tcp_send_ack_scalar", "cong_avoid", P().mov(1, 0).mov(2, 0).call(116).ret0())
    case("setsockopt_ack_sample", "pkts_acked", P().ldx(1, 1, 8, 8).mov(2, 6).mov(3, 13).st(10, -8, 0, 8)
         .movr(4, 10).add(4, -8).mov(5, 8).call(49).ret0())
    case("setsockopt_uninit_optval", "init", P().ldx(1, 1, 0, 8).mov(2, 6).mov(3, 13)
         .movr(4, 10).add(4, -8).mov(5, 8).call(49).ret0())
    case("getsockopt_uninit_optval", "init", P().ldx(1, 1, 0, 8).mov(2, 6).mov(3, 13)
         .movr(4, 10).add(4, -8).mov(5, 8).call(57).ret0())
    # pointers walked from the tcp_sock, atomics, narrow and wide accesses
    ops_ptr = member(TCP_SOCK, "inet_conn.icsk_ca_ops")[0]
    cwnd = member(TCP_SOCK, "snd_cwnd")[0]
    case("st_walked_ca_ops", "cong_avoid", P().ldx(1, 1, 0, 8).ldx(2, 1, ops_ptr, 8).st(2, 0, 0, 4).exit())
    case("ld_walked_ca_ops_key", "cong_avoid", P().ldx(1, 1, 0, 8).ldx(2, 1, ops_ptr, 8)
         .ldx(3, 2, member(OPS, "key")[0], 4).exit())
    p = P().ldx(1, 1, 0, 8).mov(2, 1)
    p._add(f"lock *(u32 *)(r1 {cwnd:+d}) += r2", 0xc3, 1, 2, cwnd, 0)
    case("atomic_add_snd_cwnd", "cong_avoid", p.exit())
    p = P().ldx(1, 1, 0, 8).mov(2, 1)
    p._add(f"lock *(u64 *)(r1 {member(TCP_SOCK, 'inet_conn.icsk_ca_priv')[0]:+d}) += r2", 0xdb, 1, 2,
           member(TCP_SOCK, "inet_conn.icsk_ca_priv")[0], 0)
    case("atomic_add_ca_priv", "cong_avoid", p.exit())
    case("ld_u16_skc_family", "init", P().ldx(1, 1, 0, 8).ldx(2, 1, member(TCP_SOCK, "inet_conn.icsk_inet.sk.__sk_common.skc_family")[0], 2).exit())
    case("ld_u8_snd_cwnd_byte1", "init", P().ldx(1, 1, 0, 8).ldx(2, 1, cwnd + 1, 1).exit())
    case("st_u16_pacing_status", "init", P().ldx(1, 1, 0, 8).st(1, member(TCP_SOCK, "inet_conn.icsk_inet.sk.sk_pacing_status")[0], 0, 2).exit())
    case("stx_ptr_into_ca_priv", "init", P().ldx(1, 1, 0, 8).stx(1, member(TCP_SOCK, "inet_conn.icsk_ca_priv")[0], 1, 8).exit())
    case("st_via_ctx_copy", "release", P().movr(2, 1).ldx(1, 2, 0, 8).st(1, cwnd, 0, 4).exit())
    case("st_negative_off", "init", P().ldx(1, 1, 0, 8).st(1, -4, 0, 4).exit())
    case("st_sk_modified_ptr", "init", P().ldx(1, 1, 0, 8).add(1, cwnd).st(1, 0, 0, 4).exit())
    case("kfunc_in_get_info", "get_info", P().ldx(1, 1, 0, 8).kcall("tcp_reno_ssthresh").exit())
    # the kfuncs
    for mname in ["ssthresh", "cong_avoid", "undo_cwnd", "init", "release", "cwnd_event"]:
        case(f"kfunc_reno_ssthresh_in_{mname}", mname, P().ldx(1, 1, 0, 8).kcall("tcp_reno_ssthresh").exit())
        case(f"kfunc_reno_undo_cwnd_in_{mname}", mname, P().ldx(1, 1, 0, 8).kcall("tcp_reno_undo_cwnd").exit())
        case(f"kfunc_reno_cong_avoid_in_{mname}", mname,
             P().ldx(2, 1, 8, 8).ldx(3, 1, 16, 8).ldx(1, 1, 0, 8).kcall("tcp_reno_cong_avoid").ret0()
             if mname == "cong_avoid" else
             P().ldx(1, 1, 0, 8).mov(2, 0).mov(3, 1).kcall("tcp_reno_cong_avoid").ret0())
        case(f"kfunc_slow_start_in_{mname}", mname, P().ldx(1, 1, 0, 8).mov(2, 3).kcall("tcp_slow_start").exit())
        case(f"kfunc_cong_avoid_ai_in_{mname}", mname,
             P().ldx(1, 1, 0, 8).mov(2, 10).mov(3, 1).kcall("tcp_cong_avoid_ai").ret0())
    case("kfunc_ssthresh_ack_sample", "pkts_acked", P().ldx(1, 1, 8, 8).kcall("tcp_reno_ssthresh").ret0())
    case("kfunc_ssthresh_scalar", "ssthresh", P().mov(1, 0).kcall("tcp_reno_ssthresh").exit())
    case("kfunc_ssthresh_ctx", "ssthresh", P().kcall("tcp_reno_ssthresh").exit())
    case("kfunc_slow_start_no_r2", "cong_avoid", P().ldx(1, 1, 0, 8).kcall("tcp_slow_start").ret0())
    case("kfunc_ssthresh_offset_sk", "ssthresh", P().ldx(1, 1, 0, 8).add(1, 8).kcall("tcp_reno_ssthresh").exit())
    return cases


# ------------------------------------------------------------------ bpf()

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_bpf = 321  # x86-64


def load(member_idx, blob, log_size=1 << 16):
    insns = ctypes.create_string_buffer(blob, len(blob))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(log_size)
    attr = bytearray(160)
    struct.pack_into("<IIQQIIQ", attr, 0, BPF_PROG_TYPE_STRUCT_OPS, len(blob) // 8,
                     ctypes.addressof(insns), ctypes.addressof(lic), 1, log_size, ctypes.addressof(log))
    struct.pack_into("<I", attr, 68, member_idx)
    struct.pack_into("<I", attr, 108, OPS)
    a = (ctypes.c_char * len(attr)).from_buffer(attr)
    fd = libc.syscall(SYS_bpf, BPF_PROG_LOAD, a, len(attr))
    err = ctypes.get_errno()
    text = log.value.decode(errors="replace")
    if fd >= 0:
        os.close(fd)
        return "ok", ""
    return errname(err), error_line(text)


def errname(e):
    return "ENOTSUPP" if e == ENOTSUPP else errno.errorcode.get(e, str(e))


def error_line(log):
    lines = [l for l in log.splitlines() if l.strip() and not l.startswith("processed ")
             and not l.startswith("verification time") and not l.startswith("stack depth")]
    return lines[-1] if lines else ""


def main():
    out = sys.argv[1]
    uname = subprocess.run(["uname", "-r"], capture_output=True, text=True).stdout.strip()
    rows = []
    for cid, mname, p in corpus():
        verdict, err = load(OPS_MEMBERS.index(mname), p.blob())
        rows.append("\t".join([cid, mname, verdict, err.replace("\t", " "), p.hexs(), p.text()]))
    with open(out, "w") as f:
        f.write(f"# tcp_congestion_ops differential corpus, verdicts of the live kernel {uname}\n")
        f.write("# generated by tcpcc-bundle/src/test/live/tcp_ca_corpus.py (bpf(BPF_PROG_LOAD), log_level 1)\n")
        f.write("# id\tmember\tverdict\terror line\tinsn hex (kfunc imm 0)\tprogram text\n")
        for r in rows:
            f.write(r + "\n")
    ok = sum(1 for r in rows if r.split("\t")[2] == "ok")
    print(f"{len(rows)} programs, {ok} accepted by {uname}")


if __name__ == "__main__":
    main()
