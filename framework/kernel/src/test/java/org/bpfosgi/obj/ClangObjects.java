package org.bpfosgi.obj;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import org.bpfosgi.btf.VmlinuxBtf;

/**
 * The C test objects of src/test/bpf/objects (built by build.sh into
 * src/test/resources/org/bpfosgi/obj/objects/) and the live kernel's answers for them
 * (record-golden.sh: OBJ.golden, OBJ.core-log.txt[.gz], vmlinux.min.btf, environment.txt).
 *
 * <p>A deliberately small ELF64 little-endian section and symbol reader of its own, so that the
 * tests of the CO-RE relocator can take these objects apart independently of the ELF loader they
 * also check.
 */
public final class ClangObjects {
    static final String DIR = "/org/bpfosgi/obj/objects/";

    private ClangObjects() {
    }

    /** The object file itself (on the test class path). */
    public static Path path(String obj) {
        try {
            return Path.of(ClangObjects.class.getResource(DIR + obj + ".o").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] bytes(String name) {
        try (InputStream in = ClangObjects.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + DIR + name + " is missing");
            }
            return name.endsWith(".gz") ? new GZIPInputStream(in).readAllBytes() : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Optional<String> text(String name) {
        if (ClangObjects.class.getResource(DIR + name) == null) {
            return Optional.empty();
        }
        return Optional.of(new String(bytes(name), StandardCharsets.UTF_8));
    }

    /** The kernel the golden files were recorded on (environment.txt). */
    public static String goldenKernel() {
        return text("environment.txt").orElseThrow().lines().filter(l -> l.startsWith("uname -r: "))
                .findFirst().orElseThrow().substring("uname -r: ".length());
    }

    /** This machine runs the kernel of the golden files and its vmlinux BTF is readable. */
    public static boolean sameKernel() {
        Path rel = Path.of("/proc/sys/kernel/osrelease");
        try {
            return VmlinuxBtf.realAvailable() && Files.isReadable(rel)
                    && Files.readString(rel).strip().equals(goldenKernel());
        } catch (IOException e) {
            return false;
        }
    }

    /** An ELF symbol: name, section index, value, type (STT_*) and binding (STB_*). */
    public record Sym(String name, int shndx, long value, int type, int bind) {
    }

    /** Sections by name (in file order) and the symbol table. */
    public record Elf(Map<String, byte[]> sections, List<String> names, List<Sym> symbols) {
        public byte[] section(String name) {
            byte[] b = sections.get(name);
            if (b == null) {
                throw new IllegalStateException("no section " + name);
            }
            return b;
        }

        /** The FUNC symbols of section {@code name}, in offset order. */
        public List<Sym> funcs(String name) {
            int idx = names.indexOf(name);
            return symbols.stream().filter(s -> s.shndx() == idx && s.type() == 2)
                    .sorted((a, b) -> Long.compare(a.value(), b.value())).toList();
        }
    }

    /** Reads section headers and .symtab of an ELF64 LE object (test objects only: no checks). */
    public static Elf elf(String obj) {
        byte[] f = bytes(obj + ".o");
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
        long[][] sh = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int o = (int) (shoff + (long) i * shentsize);
            sh[i] = new long[] {Integer.toUnsignedLong(b.getInt(o)), b.getInt(o + 4), b.getLong(o + 0x18),
                    b.getLong(o + 0x20), Integer.toUnsignedLong(b.getInt(o + 0x28))};
        }
        List<String> names = new ArrayList<>();
        Map<String, byte[]> secs = new LinkedHashMap<>();
        for (int i = 0; i < shnum; i++) {
            String n = cstr(f, (int) (sh[shstrndx][2] + sh[i][0]));
            names.add(n);
            if (sh[i][1] != 8) { // SHT_NOBITS has no bytes in the file
                secs.put(n, Arrays.copyOfRange(f, (int) sh[i][2], (int) (sh[i][2] + sh[i][3])));
            }
        }
        List<Sym> syms = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            if (sh[i][1] == 2) { // SHT_SYMTAB
                long strtab = sh[(int) sh[i][4]][2];
                for (long o = sh[i][2]; o < sh[i][2] + sh[i][3]; o += 24) {
                    int info = f[(int) o + 4] & 0xff;
                    syms.add(new Sym(cstr(f, (int) (strtab + Integer.toUnsignedLong(b.getInt((int) o)))),
                            Short.toUnsignedInt(b.getShort((int) o + 6)), b.getLong((int) o + 8), info & 0xf, info >> 4));
                }
            }
        }
        return new Elf(secs, names, syms);
    }

    private static String cstr(byte[] f, int off) {
        int e = off;
        while (f[e] != 0) {
            e++;
        }
        return new String(f, off, e - off, StandardCharsets.UTF_8);
    }
}
