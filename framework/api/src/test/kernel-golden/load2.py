#!/usr/bin/env python3
# Load raw BPF instructions (hex on argv[1] or stdin) as a socket filter, print bpftool's xlated dumps.
import ctypes, ctypes.util, os, sys, subprocess, struct
libc = ctypes.CDLL(None, use_errno=True)
NR_bpf = 321
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    r = libc.syscall(NR_bpf, cmd, buf, len(attr))
    return r, buf
hexs = sys.stdin.read()
code = bytes.fromhex(hexs.replace(' ', '').replace('\n', ''))
prog_type = int(os.environ.get('PT', '1'))
insns = ctypes.create_string_buffer(code, len(code))
lic = ctypes.create_string_buffer(b"GPL")
log = ctypes.create_string_buffer(1 << 20)
# union bpf_attr for BPF_PROG_LOAD: prog_type u32, insn_cnt u32, insns u64, license u64, log_level u32, log_size u32, log_buf u64, kern_version u32, prog_flags u32
attr = struct.pack('=IIQQIIQII', prog_type, len(code)//8, ctypes.addressof(insns), ctypes.addressof(lic), 2, len(log), ctypes.addressof(log), 0, 0)
attr += b'\0' * (160 - len(attr))
fd, _ = bpf(5, attr)
if fd < 0:
    print("LOAD FAILED errno", ctypes.get_errno()); print(log.value.decode()[-3000:]); sys.exit(1)
info = ctypes.create_string_buffer(256)
iattr = struct.pack('=IIQ', fd, 256, ctypes.addressof(info)) + b'\0'*100
r, _ = bpf(15, iattr)
pid = struct.unpack_from('=II', info.raw, 0)[1]
print(log.value.decode()); print('=====')
for extra in ([], ['opcodes']):
    print(subprocess.run(['bpftool', 'prog', 'dump', 'xlated', 'id', str(pid)] + extra, capture_output=True, text=True).stdout, end='')
    print('-----')
subprocess.run(['bpftool', 'prog', 'dump', 'xlated', 'id', str(pid), 'file', '/tmp/xlated.bin'])
print(open('/tmp/xlated.bin','rb').read().hex())
