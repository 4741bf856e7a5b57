package org.bpfosgi.btf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading BTF from files as bpftool's {@code btf dump file} does (libbpf btf__parse()): raw BTF
 * (e.g. /sys/kernel/btf/*) or the {@code .BTF} section of an ELF object (clang -g -target bpf
 * output, a .ko). A file is split BTF only when its base is given (bpftool's {@code -B}, libbpf
 * btf__parse_split()): a file that does not validate on its own is refused with the validator's
 * message, never silently re-read on top of some base (that accepted corrupt BTF, every id shifted).
 */
public final class BtfFiles {
    private BtfFiles() {
    }

    /** Parses a raw BTF or ELF file as whole BTF (libbpf btf__parse()). */
    public static Btf read(Path path) throws IOException {
        return parse(Files.readAllBytes(path), null);
    }

    /**
     * Parses the bytes of a raw BTF or ELF file: whole BTF when {@code base} is null, else split
     * BTF on top of {@code base} (libbpf btf__parse_split()).
     */
    public static Btf parse(byte[] d, Btf base) {
        if (d.length >= 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F') {
            d = elfSection(d, ".BTF");
        }
        return base == null ? Btf.parse(d) : Btf.parse(d, base);
    }

    /** The contents of an ELF64 little-endian section, bounds-checked. */
    static byte[] elfSection(byte[] d, String name) {
        if (d.length < 64 || d[4] != 2 || d[5] != 1) {
            throw new BtfException("ELF: only 64-bit little-endian objects are supported");
        }
        long shoff = (long) Btf.INT.get(d, 0x28) & 0xffffffffL | ((long) (int) Btf.INT.get(d, 0x2c) << 32);
        int shentsize = ((short) Btf.SHORT.get(d, 0x3a)) & 0xffff;
        int shnum = ((short) Btf.SHORT.get(d, 0x3c)) & 0xffff;
        int shstrndx = ((short) Btf.SHORT.get(d, 0x3e)) & 0xffff;
        if (shentsize < 64 || shoff < 0 || shoff + (long) shnum * shentsize > d.length || shstrndx >= shnum) {
            throw new BtfException("ELF: section header table is outside the file");
        }
        long[] strSec = section(d, shoff + (long) shstrndx * shentsize);
        for (int i = 0; i < shnum; i++) {
            long[] s = section(d, shoff + (long) i * shentsize);
            long nameAt = strSec[0] + s[2];
            if (s[2] >= strSec[1] || nameAt >= d.length) {
                continue;
            }
            int end = (int) nameAt;
            while (end < d.length && d[end] != 0) {
                end++;
            }
            if (new String(d, (int) nameAt, end - (int) nameAt, StandardCharsets.ISO_8859_1).equals(name)) {
                return java.util.Arrays.copyOfRange(d, (int) s[0], (int) (s[0] + s[1]));
            }
        }
        throw new BtfException("ELF: no " + name + " section");
    }

    /** {offset, size, name offset} of the section header at {@code at}. */
    private static long[] section(byte[] d, long at) {
        int p = (int) at;
        int nameOff = (int) Btf.INT.get(d, p);
        long off = (long) Btf.INT.get(d, p + 24) & 0xffffffffL | ((long) (int) Btf.INT.get(d, p + 28) << 32);
        long size = (long) Btf.INT.get(d, p + 32) & 0xffffffffL | ((long) (int) Btf.INT.get(d, p + 36) << 32);
        if (off < 0 || size < 0 || off + size > d.length) {
            throw new BtfException("ELF: section at header offset " + at + " is outside the file");
        }
        return new long[] {off, size, Integer.toUnsignedLong(nameOff)};
    }

    /**
     * Split BTF made whole: the base's types and strings followed by the split's, which keeps
     * every type id and string offset. Used to fold built-in subsystems' BTF into vmlinux BTF.
     */
    public static Btf flatten(Btf split) {
        Btf base = split.base();
        if (base == null) {
            return split;
        }
        Btf flatBase = flatten(base);
        Btf fast = Btf.concat(flatBase, split);
        if (fast != null && split.base() == flatBase) {
            return fast.withAlignHints(split.alignHints());
        }
        byte[] bd = flatBase.rawData();
        byte[] sd = split.rawData();
        byte[] types = concat(bd, flatBase.typeStart, flatBase.typeLen, sd, split.typeStart, split.typeLen);
        byte[] strs = concat(bd, flatBase.strStart, flatBase.strLen, sd, split.strStart, split.strLen);
        // both halves were validated (the split on top of this very base), so their
        // concatenation is valid by construction: not validated a second time
        return Btf.parseValidated(BtfWriter.assemble(Btf.HEADER_SIZE, 0, types, strs, true), null)
                .withAlignHints(split.alignHints());
    }

    private static byte[] concat(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
        byte[] out = new byte[aLen + bLen];
        System.arraycopy(a, aOff, out, 0, aLen);
        System.arraycopy(b, bOff, out, aLen, bLen);
        return out;
    }
}
