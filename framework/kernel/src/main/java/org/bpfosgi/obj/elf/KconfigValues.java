package org.bpfosgi.obj.elf;

import java.util.Map;

import org.bpfosgi.prog.LoaderException;

/**
 * The {@code .kconfig} map's image: libbpf's bpf_object__resolve_externs() for KCFG externs.
 * The virtual {@code LINUX_*} externs are the model's kernel (v6.12 on x86-64); {@code CONFIG_*}
 * values come from {@link #CONFIG}, a small table standing for {@code /boot/config-$(uname -r)}
 * (values as this machine's /proc/config.gz has them). A strong extern the table lacks is
 * refused as libbpf refuses it; a weak one stays 0.
 */
final class KconfigValues {
    /** The model's kernel: 6.12.0 as get_kernel_version() encodes it. */
    static final int LINUX_KERNEL_VERSION = (6 << 16) + (12 << 8);

    /** The Kconfig lines the model has ("y", a number, or a "string"). */
    static final Map<String, String> CONFIG = Map.ofEntries(
            Map.entry("CONFIG_BPF", "y"), Map.entry("CONFIG_BPF_SYSCALL", "y"), Map.entry("CONFIG_BPF_JIT", "y"),
            Map.entry("CONFIG_BPF_LSM", "y"), Map.entry("CONFIG_BPF_EVENTS", "y"), Map.entry("CONFIG_DEBUG_INFO_BTF", "y"),
            Map.entry("CONFIG_DEBUG_INFO_BTF_MODULES", "y"), Map.entry("CONFIG_64BIT", "y"), Map.entry("CONFIG_X86_64", "y"),
            Map.entry("CONFIG_SMP", "y"), Map.entry("CONFIG_NR_CPUS", "256"), Map.entry("CONFIG_HZ", "250"),
            Map.entry("CONFIG_MODULES", "y"));

    private KconfigValues() {
    }

    /** The image for the object's KCFG externs (empty when it has none). */
    static byte[] image(ElfObject o) {
        int size = 0;
        for (ElfObject.Extern e : o.externs) {
            if (e.kind() == ElfObject.ExternKind.KCFG) {
                size = Math.max(size, e.kcfgDataOff() + e.kcfgSize());
            }
        }
        byte[] img = new byte[size];
        for (ElfObject.Extern e : o.externs) {
            if (e.kind() != ElfObject.ExternKind.KCFG) {
                continue;
            }
            String n = e.name();
            if (n.startsWith("LINUX_")) {
                long v;
                if (n.equals("LINUX_KERNEL_VERSION")) {
                    v = LINUX_KERNEL_VERSION;
                } else if (n.equals("LINUX_HAS_BPF_COOKIE") || n.equals("LINUX_HAS_SYSCALL_WRAPPER")) {
                    v = 1; // feature probes a 6.12 x86-64 kernel passes
                } else if (e.weak()) {
                    v = 0;
                } else {
                    throw new LoaderException("extern (kcfg) '" + n + "': unrecognized virtual extern");
                }
                setNum(e, img, v);
            } else if (n.startsWith("CONFIG_")) {
                String v = CONFIG.get(n);
                if (v == null) {
                    if (!e.weak()) {
                        throw new LoaderException("extern '" + n + "' (strong): not resolved");
                    }
                    continue; // "extern '%s' (weak): not resolved, defaulting to zero"
                }
                set(e, img, v);
            } else {
                throw new LoaderException("extern '" + n + "': unrecognized extern kind");
            }
        }
        return img;
    }

    /** Models bpf_object__process_kconfig_line()'s value part for one extern. */
    private static void set(ElfObject.Extern e, byte[] img, String v) {
        if (v.equals("y") || v.equals("n") || v.equals("m")) {
            char c = v.charAt(0);
            switch (e.kcfgType()) {
                case BOOL -> {
                    if (c == 'm') {
                        throw new LoaderException("extern (kcfg) '" + e.name() + "': value '" + c + "' implies tristate or char type");
                    }
                    img[e.kcfgDataOff()] = (byte) (c == 'y' ? 1 : 0);
                }
                case TRISTATE -> setNum(e, img, c == 'y' ? 1 : c == 'm' ? 2 : 0);
                case CHAR -> img[e.kcfgDataOff()] = (byte) c;
                default -> throw new LoaderException("extern (kcfg) '" + e.name() + "': value '" + c
                        + "' implies bool, tristate, or char type");
            }
            return;
        }
        if (v.startsWith("\"")) {
            if (e.kcfgType() != ElfObject.KcfgType.CHAR_ARR) {
                throw new LoaderException("extern (kcfg) '" + e.name() + "': value '" + v + "' implies char array type");
            }
            byte[] s = v.substring(1, v.length() - 1).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, img, e.kcfgDataOff(), Math.min(s.length, e.kcfgSize() - 1));
            return;
        }
        setNum(e, img, Long.parseLong(v));
    }

    /** Models set_kcfg_value_num(). */
    private static void setNum(ElfObject.Extern e, byte[] img, long v) {
        if (e.kcfgType() != ElfObject.KcfgType.INT && e.kcfgType() != ElfObject.KcfgType.CHAR
                && e.kcfgType() != ElfObject.KcfgType.BOOL && e.kcfgType() != ElfObject.KcfgType.TRISTATE) {
            throw new LoaderException("extern (kcfg) '" + e.name() + "': value '" + v + "' implies integer type");
        }
        if (e.kcfgType() == ElfObject.KcfgType.BOOL && v > 1) {
            throw new LoaderException("extern (kcfg) '" + e.name() + "': value '" + v + "' isn't boolean compatible");
        }
        int sz = e.kcfgSize();
        if (sz < 8 && Long.compareUnsigned(v, 1L << (8 * sz)) >= 0) {
            throw new LoaderException("extern (kcfg) '" + e.name() + "': value '" + v + "' doesn't fit in " + sz + " bytes");
        }
        for (int i = 0; i < sz && i < 8; i++) {
            img[e.kcfgDataOff() + i] = (byte) (v >>> (8 * i));
        }
    }
}
