import ctypes, struct, sys, os
libc = ctypes.CDLL(None, use_errno=True)
def bpf(cmd, buf):
    return libc.syscall(321, cmd, buf, len(buf))
lic = ctypes.create_string_buffer(b"GPL")
log = ctypes.create_string_buffer(1 << 16)
pkt = ctypes.create_string_buffer(64)
out = open(sys.argv[2], 'w')
rejected = 0
for line in open(sys.argv[1]):
    kind, insn, a, b, prog = line.split()
    code = bytes.fromhex(prog)
    insns = ctypes.create_string_buffer(code, len(code))
    attr = ctypes.create_string_buffer(struct.pack('=IIQQIIQII', 1, len(code)//8, ctypes.addressof(insns), ctypes.addressof(lic), 1, len(log), ctypes.addressof(log), 0, 0) + b'\0' * 100)
    fd = bpf(5, attr)
    if fd < 0:
        rejected += 1
        msg = log.value.decode().strip().splitlines()
        out.write(f"{kind} {insn} {a} {b} rejected {msg[-2] if len(msg) > 1 else ctypes.get_errno()}\n")
        continue
    t = ctypes.create_string_buffer(struct.pack('=IIIIQQII', fd, 0, 64, 0, ctypes.addressof(pkt), 0, 1, 0) + b'\0' * 100)
    r = bpf(10, t)
    assert r == 0, ctypes.get_errno()
    retval = struct.unpack_from('=I', t.raw, 4)[0]
    os.close(fd)
    out.write(f"{kind} {insn} {a} {b} {retval:x}\n")
print("rejected", rejected)
