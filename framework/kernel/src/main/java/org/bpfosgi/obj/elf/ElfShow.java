package org.bpfosgi.obj.elf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code obj show FILE.o} prints about an opened ELF object: the sections and what libbpf
 * made of each, the programs (section, type, instruction count, and the count after the
 * subprograms are appended), the maps as libbpf defines them (the names {@code bpftool gen
 * skeleton} uses), the relocations in {@code llvm-objdump -r}'s format, and the externs.
 */
public final class ElfShow {
    private ElfShow() {
    }

    /** The lines of {@code obj show FILE.o}. */
    public static List<String> lines(ElfObject o) {
        List<String> out = new ArrayList<>();
        out.add("object " + o.name() + "  file " + o.file() + "  license \"" + o.license() + "\""
                + (o.btf().isPresent() ? "  btf" : "") + (o.btfExt().isPresent() ? "  btf.ext" : "")
                + (o.nativeEndian() ? "" : "  big-endian (opens, does not load: non-native endianness)"));
        out.add("sections:");
        for (ElfObject.Section s : o.sections()) {
            out.add(String.format(Locale.ROOT, "  [%2d] %-28s %-12s %6d  %s", s.index(), s.name(), s.type(), s.size(), s.role()));
        }
        out.add("programs:");
        for (ElfObject.Program p : o.programs()) {
            String linked = "";
            if (!p.subprog()) {
                try {
                    int n = ElfLinker.relocateCalls(o, p).insns().size();
                    linked = n == p.insns().size() ? "" : "  (" + n + " with subprograms)";
                } catch (RuntimeException e) {
                    linked = "  (cannot link: " + e.getMessage() + ")";
                }
            }
            out.add(String.format(Locale.ROOT, "  %s  sec %s  type %s%s  insns %d%s%s", p.name(), p.secName(),
                    p.typeName().toLowerCase(Locale.ROOT),
                    p.secDef().map(d -> d.attachType() == null ? "" : "  attach " + d.attachType().toLowerCase(Locale.ROOT)).orElse(""),
                    p.insns().size(), linked, p.subprog() ? "  subprogram" : p.autoload() ? "" : "  autoload off"));
        }
        out.add("maps:");
        for (ElfObject.MapDef m : o.maps()) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %s  type %s  key %d  value %d  max_entries %d  flags 0x%x",
                    m.name(), ElfLinker.mapTypeName(m.type()).toLowerCase(Locale.ROOT), m.keySize(), m.valueSize(), m.maxEntries(),
                    m.flags()));
            if (!m.realName().equals(m.name())) {
                sb.append("  section ").append(m.realName());
            }
            if (m.stOps() != null) {
                sb.append("  struct ").append(m.stOps().typeName()).append("  ").append(m.stOps().progs().values());
                if (!m.autocreate()) {
                    sb.append("  autocreate off");
                }
            }
            if (!m.slots().isEmpty()) {
                sb.append("  slots ").append(m.slots());
            }
            out.add(sb.toString());
        }
        out.add("relocations:");
        String cur = null;
        for (ElfObject.ElfReloc r : o.elfRelocs()) {
            if (!r.target().equals(cur)) {
                if (cur != null) {
                    out.add("");
                }
                cur = r.target();
                out.add("RELOCATION RECORDS FOR [" + r.target() + "]:");
                out.add("OFFSET           TYPE                     VALUE");
            }
            String off = Long.toHexString(r.offset());
            StringBuilder sb = new StringBuilder(64).append("0".repeat(Math.max(0, 16 - off.length()))).append(off).append(' ')
                    .append(r.type());
            sb.append(" ".repeat(Math.max(1, 25 - r.type().length()))).append(r.symbol());
            out.add(sb.toString());
        }
        out.add("externs:");
        for (int i = 0; i < o.externs().size(); i++) {
            ElfObject.Extern e = o.externs().get(i);
            if (e.kind() == ElfObject.ExternKind.KCFG) {
                out.add(String.format(Locale.ROOT, "  #%d %s  kconfig  %s  %s %d bytes at offset %d", i, e.name(),
                        e.weak() ? "weak" : "strong", e.kcfgType().name().toLowerCase(Locale.ROOT), e.kcfgSize(), e.kcfgDataOff()));
            } else {
                out.add(String.format(Locale.ROOT, "  #%d %s  ksym  %s  %s", i, e.name(), e.weak() ? "weak" : "strong",
                        e.func() ? "kfunc" : e.typeId() == 0 ? "typeless variable" : "variable"));
            }
        }
        return out;
    }
}
