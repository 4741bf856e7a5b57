package org.bpfosgi.obj.elf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpfosgi.errno.Errno;

/**
 * The {@code .kconfig} map's image as libbpf 1.5 fills it in bpf_object__resolve_externs(): the
 * virtual {@code LINUX_*} externs ({@link #setVirtual}) and the Kconfig lines
 * ({@link #readKconfig}, bpf_object__read_kconfig_file() → bpf_object__process_kconfig_line()).
 * The model's kernel is v6.12 on x86-64; its Kconfig is {@link #CONFIG}, a small table standing
 * for {@code /boot/config-$(uname -r)} (values as this machine's /proc/config.gz has them), read
 * in its line order. Each failure is libbpf's warning and errno ({@link Failed}).
 */
final class KconfigValues {
    /** The model's kernel: 6.12.0 as get_kernel_version() encodes it. */
    static final int LINUX_KERNEL_VERSION = (6 << 16) + (12 << 8);

    /** The Kconfig lines the model has ("y", a number, or a "string"), in file order. */
    static final Map<String, String> CONFIG = lines(
            "CONFIG_64BIT", "y", "CONFIG_X86_64", "y", "CONFIG_SMP", "y", "CONFIG_NR_CPUS", "256", "CONFIG_HZ", "250",
            "CONFIG_MODULES", "y", "CONFIG_BPF", "y", "CONFIG_BPF_SYSCALL", "y", "CONFIG_BPF_JIT", "y",
            "CONFIG_BPF_EVENTS", "y", "CONFIG_BPF_LSM", "y", "CONFIG_DEBUG_INFO_BTF", "y",
            "CONFIG_DEBUG_INFO_BTF_MODULES", "y");

    private KconfigValues() {
    }

    private static Map<String, String> lines(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A refused value: libbpf's warning lines and the errno the step returns. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int err;
        final List<String> lines;

        Failed(int err, String... lines) {
            super(String.join("\n", lines), null, false, false);
            this.err = err;
            this.lines = List.of(lines);
        }
    }

    /** The zeroed image: from offset 0 to the end of the last KCFG extern. */
    static byte[] emptyImage(ElfObject o) {
        int size = 0;
        for (ElfObject.Extern e : o.externs) {
            if (e.kind() == ElfObject.ExternKind.KCFG) {
                size = Math.max(size, e.kcfgDataOff() + e.kcfgSize());
            }
        }
        return new byte[size];
    }

    /**
     * A virtual extern's value (bpf_object__resolve_externs()'s first loop): LINUX_KERNEL_VERSION,
     * LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER (feature probes a 6.12 x86-64 kernel
     * passes), another weak {@code LINUX_*} stays 0 (unset); anything else is "unrecognized
     * virtual extern" (-EINVAL). Returns whether the extern is set.
     */
    static boolean setVirtual(ElfObject.Extern e, byte[] img) {
        String n = e.name();
        long v;
        if (n.equals("LINUX_KERNEL_VERSION")) {
            v = LINUX_KERNEL_VERSION;
        } else if (n.equals("LINUX_HAS_BPF_COOKIE") || n.equals("LINUX_HAS_SYSCALL_WRAPPER")) {
            v = 1;
        } else if (!n.startsWith("LINUX_") || !e.weak()) {
            throw new Failed(Errno.EINVAL.negative(), "extern (kcfg) '" + n + "': unrecognized virtual extern");
        } else {
            // a weak unknown LINUX_ extern: set_kcfg_value_num(ext, ptr, 0) still runs
            v = 0;
        }
        setNum(e, img, v);
        return true;
    }

    /**
     * Models bpf_object__read_kconfig_file(): each line of the Kconfig, in order, sets the
     * extern of its name if that is not set yet; a refused value fails the whole read
     * ("error parsing system Kconfig line '%s': %d", the line cut at its '='), which bpf_object__resolve_externs()
     * returns as -EINVAL.
     */
    static void readKconfig(List<ElfObject.Extern> externs, boolean[] set, byte[] img) {
        for (Map.Entry<String, String> line : CONFIG.entrySet()) {
            for (int i = 0; i < externs.size(); i++) {
                ElfObject.Extern e = externs.get(i);
                if (e.kind() != ElfObject.ExternKind.KCFG || !e.name().equals(line.getKey()) || set[i]) {
                    continue;
                }
                try {
                    processLine(e, img, line.getValue());
                } catch (Failed f) {
                    String[] lines = f.lines.toArray(new String[f.lines.size() + 1]);
                    // bpf_object__process_kconfig_line() has cut the line at its '=' by then: the
                    // warning names the option only
                    lines[lines.length - 1] = "error parsing system Kconfig line '" + line.getKey() + "': " + f.err;
                    throw new Failed(Errno.EINVAL.negative(), lines);
                }
                set[i] = true;
            }
        }
    }

    /** Models bpf_object__process_kconfig_line()'s value part for one extern. */
    private static void processLine(ElfObject.Extern e, byte[] img, String v) {
        char c = v.charAt(0);
        if (c == 'y' || c == 'n' || c == 'm') {
            setTri(e, img, c);
        } else if (c == '"') {
            setStr(e, img, v);
        } else {
            long num;
            try {
                num = Long.parseUnsignedLong(v);
            } catch (NumberFormatException x) {
                throw new Failed(Errno.EINVAL.negative(), "failed to parse '" + v + "' as integer completely",
                        "extern (kcfg) '" + e.name() + "': value '" + v + "' isn't a valid integer");
            }
            if (e.kcfgType() != ElfObject.KcfgType.INT && e.kcfgType() != ElfObject.KcfgType.CHAR) {
                throw new Failed(Errno.EINVAL.negative(), "extern (kcfg) '" + e.name() + "': value '" + v + "' implies integer type");
            }
            setNum(e, img, num);
        }
    }

    /** Models set_kcfg_value_tri(). */
    private static void setTri(ElfObject.Extern e, byte[] img, char c) {
        switch (e.kcfgType()) {
            case BOOL -> {
                if (c == 'm') {
                    throw new Failed(Errno.EINVAL.negative(), "extern (kcfg) '" + e.name() + "': value '" + c
                            + "' implies tristate or char type");
                }
                img[e.kcfgDataOff()] = (byte) (c == 'y' ? 1 : 0);
            }
            case TRISTATE -> {
                int tri = c == 'y' ? 1 : c == 'm' ? 2 : 0; // TRI_YES, TRI_MODULE, TRI_NO
                for (int i = 0; i < 4; i++) {
                    img[e.kcfgDataOff() + i] = (byte) (tri >>> (8 * i));
                }
            }
            case CHAR -> img[e.kcfgDataOff()] = (byte) c;
            default -> throw new Failed(Errno.EINVAL.negative(), "extern (kcfg) '" + e.name() + "': value '" + c
                    + "' implies bool, tristate, or char type");
        }
    }

    /** Models set_kcfg_value_str(): quotes stripped, truncated with a warning (not modelled: the table has no strings). */
    private static void setStr(ElfObject.Extern e, byte[] img, String v) {
        if (e.kcfgType() != ElfObject.KcfgType.CHAR_ARR) {
            throw new Failed(Errno.EINVAL.negative(), "extern (kcfg) '" + e.name() + "': value '" + v + "' implies char array type");
        }
        byte[] s = v.substring(1, v.length() - 1).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, img, e.kcfgDataOff(), Math.min(s.length, e.kcfgSize() - 1));
    }

    /** Models set_kcfg_value_num(): INT, CHAR or BOOL; a BOOL at most 1; is_kcfg_value_in_range(). */
    private static void setNum(ElfObject.Extern e, byte[] img, long v) {
        ElfObject.KcfgType t = e.kcfgType();
        if (t != ElfObject.KcfgType.INT && t != ElfObject.KcfgType.CHAR && t != ElfObject.KcfgType.BOOL) {
            throw new Failed(Errno.EINVAL.negative(), "extern (kcfg) '" + e.name() + "': value '" + Long.toUnsignedString(v)
                    + "' implies integer, char, or boolean type");
        }
        if (t == ElfObject.KcfgType.BOOL && Long.compareUnsigned(v, 1) > 0) {
            throw new Failed(Errno.EINVAL.negative(), "extern (kcfg) '" + e.name() + "': value '" + Long.toUnsignedString(v)
                    + "' isn't boolean compatible");
        }
        int sz = e.kcfgSize();
        boolean inRange = sz == 8 || (e.kcfgSigned()
                ? Long.compareUnsigned(v + (1L << (8 * sz - 1)), 1L << (8 * sz)) < 0
                : (v >>> (8 * sz)) == 0);
        if (!inRange) {
            throw new Failed(Errno.ERANGE.negative(), "extern (kcfg) '" + e.name() + "': value '" + Long.toUnsignedString(v)
                    + "' doesn't fit in " + sz + " bytes");
        }
        if (sz != 1 && sz != 2 && sz != 4 && sz != 8) {
            throw new Failed(Errno.EINVAL.negative());
        }
        for (int i = 0; i < sz; i++) {
            img[e.kcfgDataOff() + i] = (byte) (v >>> (8 * i));
        }
    }
}
