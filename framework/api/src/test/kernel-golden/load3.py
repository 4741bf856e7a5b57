import ctypes, struct, subprocess, sys, re
libc = ctypes.CDLL(None, use_errno=True)
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    return libc.syscall(321, cmd, buf, len(attr)), buf
# BPF_MAP_CREATE: map_type, key_size, value_size, max_entries, map_flags
mattr = struct.pack('=IIIII', 2, 4, 8, 1, 0) + b'\0' * 100
mfd, _ = bpf(0, mattr)
assert mfd >= 0, ctypes.get_errno()
info = ctypes.create_string_buffer(256)
r, _ = bpf(15, struct.pack('=IIQ', mfd, 256, ctypes.addressof(info)) + b'\0'*100)
mid = struct.unpack_from('=II', info.raw, 0)[1]
hexs = subprocess.run(['java', '-cp', 'framework/api/target/classes', 'Gen2.java', str(mfd)], capture_output=True, text=True).stdout.strip()
code = bytes.fromhex(hexs)
insns = ctypes.create_string_buffer(code, len(code)); lic = ctypes.create_string_buffer(b"GPL"); log = ctypes.create_string_buffer(1 << 20)
attr = struct.pack('=IIQQIIQII', 1, len(code)//8, ctypes.addressof(insns), ctypes.addressof(lic), 2, len(log), ctypes.addressof(log), 0, 0) + b'\0' * 100
fd, _ = bpf(5, attr)
if fd < 0:
    print("LOAD FAILED", ctypes.get_errno()); print(log.value.decode()[-3000:]); sys.exit(1)
info = ctypes.create_string_buffer(256)
r, _ = bpf(15, struct.pack('=IIQ', fd, 256, ctypes.addressof(info)) + b'\0'*100)
pid = struct.unpack_from('=II', info.raw, 0)[1]
print("MAPID", mid)
print("PROG", hexs)
print("LOG"); print(log.value.decode())
print("XLATED")
print(subprocess.run(['bpftool', 'prog', 'dump', 'xlated', 'id', str(pid)], capture_output=True, text=True).stdout, end='')
subprocess.run(['bpftool', 'prog', 'dump', 'xlated', 'id', str(pid), 'file', '/tmp/x3.bin'])
print("XHEX", open('/tmp/x3.bin','rb').read().hex())
