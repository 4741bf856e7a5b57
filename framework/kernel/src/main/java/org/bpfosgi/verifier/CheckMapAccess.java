package org.bpfosgi.verifier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.subsystem.BpfAccessType;

/**
 * Models the map parts of kernel/bpf/verifier.c (v6.12): check_map_access_type(),
 * check_map_access() (check_mem_region_access() over value_size, then the value's kptr fields:
 * {@link CheckMapKptrAccess}), the PTR_TO_MAP_VALUE and PTR_TO_MAP_KEY
 * branches of check_mem_access() with bpf_map_direct_read() for frozen read-only maps, and of
 * check_helper_mem_access().
 */
final class CheckMapAccess {
    private final DoCheck dc;
    private final VerifierEnv env;

    /** check_map_kptr_access() and the kptr parts of check_map_access(), bpf_kptr_xchg's arguments. */
    final CheckMapKptrAccess kptr;

    CheckMapAccess(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
        this.kptr = new CheckMapKptrAccess(dc);
    }

    private VerifierMaps.UsedMap map(RegState reg) {
        VerifierMaps.UsedMap m = env.usedMap(reg.btfId());
        if (m == null) {
            throw new IllegalStateException("map pointer to map id " + reg.btfId() + " that the program does not use");
        }
        return m;
    }

    /**
     * Models check_map_access_type(): bpf_map_flags_to_cap() — BPF_F_RDONLY_PROG maps can only
     * be read, BPF_F_WRONLY_PROG maps only written by programs (-EACCES).
     */
    int checkMapAccessType(int regno, RegState reg, int off, int size, BpfAccessType t) {
        VerifierMaps.UsedMap m = map(reg);
        // bpf_map_flags_to_cap(): RDONLY_PROG wins over WRONLY_PROG (map creation refuses both:
        // bpf_map_flags_access_ok())
        int access = m.mapFlags() & (VerifierMaps.BPF_F_RDONLY_PROG | VerifierMaps.BPF_F_WRONLY_PROG);
        boolean canRead = (access & VerifierMaps.BPF_F_RDONLY_PROG) != 0 || access == 0;
        boolean canWrite = (access & VerifierMaps.BPF_F_RDONLY_PROG) == 0;
        if (t == BpfAccessType.BPF_WRITE && !canWrite) {
            return env.err(Errno.EACCES, "write into map forbidden, value_size=%d off=%d size=%d\n", m.valueSize(), off, size);
        }
        if (t == BpfAccessType.BPF_READ && !canRead) {
            return env.err(Errno.EACCES, "read from map forbidden, value_size=%d off=%d size=%d\n", m.valueSize(), off, size);
        }
        return 0;
    }

    /**
     * Models check_map_access(): the value_size region, then no access may touch a kptr field
     * except a direct one (ACCESS_DIRECT, not a helper's) exactly at it.
     */
    int checkMapAccess(int regno, RegState reg, int off, int size, boolean zeroSizeAllowed, boolean direct) {
        int r = dc.mem.checkMemRegionAccess(regno, reg, off, size, map(reg).valueSize(), zeroSizeAllowed);
        if (r < 0) {
            return r;
        }
        return kptr.checkFields(regno, reg, off, size, map(reg).record(), direct);
    }

    /**
     * The PTR_TO_MAP_VALUE branch of check_mem_access(), {@code off} already including reg->off:
     * a stored pointer leaks (only without allow_ptr_leaks), the access type, the bounds; a read
     * gives an unknown scalar, or — at a constant offset of a frozen BPF_F_RDONLY_PROG map that
     * has map_direct_value_addr — the value itself (bpf_map_direct_read()).
     */
    int mapValueAccess(int regno, RegState reg, int off, int size, BpfAccessType t, int valueRegno, RegState value,
                       boolean signExt) {
        if (t == BpfAccessType.BPF_WRITE && valueRegno >= 0 && value != null && dc.isPointerValue(value)) {
            return env.err(Errno.EACCES, "R%d leaks addr into map\n", valueRegno);
        }
        int r = checkMapAccessType(regno, reg, off, size, t);
        if (r < 0) {
            return r;
        }
        r = checkMapAccess(regno, reg, off, size, false, true);
        if (r < 0) {
            return r;
        }
        BtfField kptrField = reg.var().isConst() ? BtfRecord.find(map(reg).record(), off + reg.var().value(), BtfField.BPF_KPTR) : null;
        if (kptrField != null) {
            return kptr.checkMapKptrAccess(regno, valueRegno, dc.curInsnIdx, kptrField);
        }
        if (t == BpfAccessType.BPF_READ && valueRegno >= 0) {
            VerifierMaps.UsedMap m = map(reg);
            if (reg.var().isConst() && bpfMapIsRdonly(m) && m.hasDirectValueAddr()) {
                int mapOff = off + (int) reg.var().value();
                long[] val = new long[1];
                r = bpfMapDirectRead(m, mapOff, size, val, signExt);
                if (r < 0) {
                    return r;
                }
                dc.setReg(valueRegno, RegState.scalar(val[0]));
            } else {
                dc.setReg(valueRegno, RegState.UNKNOWN_SCALAR);
            }
        }
        return 0;
    }

    /** The PTR_TO_MAP_KEY branch of check_mem_access(): keys are read-only. */
    int mapKeyAccess(int regno, RegState reg, int off, int size, BpfAccessType t, int valueRegno) {
        if (t == BpfAccessType.BPF_WRITE) {
            return env.err(Errno.EACCES, "write to change key R%d not allowed\n", regno);
        }
        int r = dc.mem.checkMemRegionAccess(regno, reg, off, size, map(reg).keySize(), false);
        if (r < 0) {
            return r;
        }
        if (valueRegno >= 0) {
            dc.setReg(valueRegno, RegState.UNKNOWN_SCALAR);
        }
        return 0;
    }

    /** Models bpf_map_is_rdonly(): BPF_F_RDONLY_PROG, frozen, and no writable mmap (none in the model). */
    static boolean bpfMapIsRdonly(VerifierMaps.UsedMap m) {
        return (m.mapFlags() & VerifierMaps.BPF_F_RDONLY_PROG) != 0 && m.frozen();
    }

    /** Models bpf_map_direct_read(): map_direct_value_addr(), then a 1/2/4/8-byte little-endian read. */
    static int bpfMapDirectRead(VerifierMaps.UsedMap m, int off, int size, long[] val, boolean signExt) {
        int err = m.directValueAddr(off);
        if (err < 0) {
            return err;
        }
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            return Errno.EINVAL.negative();
        }
        byte[] b = m.directRead(off, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (signExt && size < 8) {
            int shift = 64 - size * 8;
            v = (v << shift) >> shift;
        }
        val[0] = v;
        return 0;
    }

    /**
     * The map branches of check_helper_mem_access() (v6.12): a map value is checked for the
     * access type (a write when the helper writes the buffer: raw mode) and with check_map_access();
     * a map key cannot be written ("R%d cannot write into %s") and is checked against key_size.
     */
    int helperMemAccess(int regno, RegState reg, int size, boolean write, boolean zeroSizeAllowed) {
        if (reg.type() == RegType.PTR_TO_MAP_KEY) {
            if (write) {
                return env.err(Errno.EACCES, "R%d cannot write into %s\n", regno, reg.typeStr());
            }
            return dc.mem.checkMemRegionAccess(regno, reg, reg.off(), size, map(reg).keySize(), false);
        }
        if (checkMapAccessType(regno, reg, reg.off(), size, write ? BpfAccessType.BPF_WRITE : BpfAccessType.BPF_READ) < 0) {
            return Errno.EACCES.negative();
        }
        return checkMapAccess(regno, reg, reg.off(), size, zeroSizeAllowed, false);
    }
}
