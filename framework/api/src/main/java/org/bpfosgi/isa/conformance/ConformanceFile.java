package org.bpfosgi.isa.conformance;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.bpfosgi.isa.AsmException;
import org.bpfosgi.isa.Assembler;
import org.bpfosgi.isa.Program;

/**
 * A bpf_conformance test file ({@code .data}): sections introduced by {@code "-- name"} lines
 * ({@code asm}, {@code raw}, {@code mem}, {@code result}, {@code error}, {@code c},
 * {@code no register offset}), {@code #} comments before the first section. Models the upstream
 * {@code bpf_test_parser.cc parse_test_file()}, except that an unknown section is an error here.
 */
public record ConformanceFile(String file, Map<String, Section> sections) {

    /** A section's text and where it sits in the file. */
    public record Section(String name, int headerLine, List<String> lines) {
        /** The 1-based file line of the section's first content line. */
        public int firstLine() { return headerLine + 1; }

        public String text() { return String.join("\n", lines); }
    }

    private static final Set<String> KNOWN = Set.of("asm", "raw", "mem", "result", "error", "c", "no register offset");

    public ConformanceFile {
        sections = Map.copyOf(sections);
    }

    public static ConformanceFile parse(String text, String file) {
        Map<String, Section> sections = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        String current = null;
        int header = 0;
        java.util.ArrayList<String> body = new java.util.ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.startsWith("--")) {
                if (current != null) sections.put(current, new Section(current, header, List.copyOf(body)));
                current = l.substring(2).trim();
                header = i + 1;
                body.clear();
                if (!KNOWN.contains(current))
                    throw new AsmException(file, i + 1, 1, "unknown section '" + l + "' (expected -- asm, -- raw, -- mem, -- result or -- error)");
                if (sections.containsKey(current))
                    throw new AsmException(file, i + 1, 1, "section '" + l + "' appears twice");
            } else if (current != null) {
                body.add(l);
            } else if (!l.isBlank() && !l.startsWith("#")) {
                throw new AsmException(file, i + 1, 1, "text before the first section");
            }
        }
        if (current != null) sections.put(current, new Section(current, header, List.copyOf(body)));
        return new ConformanceFile(file, sections);
    }

    public Optional<Section> section(String name) { return Optional.ofNullable(sections.get(name)); }

    /** The {@code -- mem} bytes (hex pairs), empty if absent. */
    public byte[] mem() {
        Section s = sections.get("mem");
        if (s == null) return new byte[0];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.lines().size(); i++) {
            String l = stripComment(s.lines().get(i));
            for (String tok : l.trim().split("\\s+")) {
                if (tok.isEmpty()) continue;
                if (!tok.matches("[0-9a-fA-F]{2}"))
                    throw new AsmException(file, s.firstLine() + i, l.indexOf(tok) + 1, "bad memory byte '" + tok + "'");
                out.write(Integer.parseInt(tok, 16));
            }
        }
        return out.toByteArray();
    }

    /** The expected r0 of {@code -- result}, if present. */
    public OptionalLong result() {
        Section s = sections.get("result");
        if (s == null) return OptionalLong.empty();
        for (int i = 0; i < s.lines().size(); i++) {
            String l = stripComment(s.lines().get(i)).trim();
            if (l.isEmpty()) continue;
            try {
                String h = l.toLowerCase().startsWith("0x") ? l.substring(2) : l;
                return OptionalLong.of(Long.parseUnsignedLong(h, 16));
            } catch (NumberFormatException e) {
                throw new AsmException(file, s.firstLine() + i, 1, "bad result '" + l + "'");
            }
        }
        return OptionalLong.empty();
    }

    /** The upstream expected error text of {@code -- error}, if the section is present (may be empty). */
    public Optional<String> expectedError() {
        return section("error").map(s -> s.text().trim());
    }

    /** The line of a section header, for locating a verdict about it. */
    public int line(String section) {
        Section s = sections.get(section);
        return s == null ? 1 : s.headerLine();
    }

    /**
     * The program: the {@code -- asm} section assembled in the ubpf dialect, else the {@code -- raw}
     * section decoded (lines of {@code 0x} 64-bit words or of 8 hex bytes).
     *
     * @return the program and, for each slot, its source line
     */
    public Assembled program() {
        Section asm = sections.get("asm");
        if (asm != null) {
            Assembler.Result r = Assembler.assembleWithLines(asm.text(), file, Assembler.Dialect.UBPF, asm.firstLine(), Assembler.STANDARD_DIRECTIVES);
            if (r.program().size() == 0) throw new AsmException(file, asm.headerLine(), 1, "no instructions in the -- asm section");
            return new Assembled(r.program(), r.lines());
        }
        Section raw = sections.get("raw");
        if (raw != null) return raw(raw);
        throw new AsmException(file, 1, 1, "no program: the file has neither an -- asm nor a -- raw section");
    }

    /** A program with the file line each slot came from. */
    public record Assembled(Program program, List<Integer> lines) {}

    private Assembled raw(Section s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.util.ArrayList<Integer> lines = new java.util.ArrayList<>();
        for (int i = 0; i < s.lines().size(); i++) {
            String l = stripComment(s.lines().get(i)).trim();
            if (l.isEmpty()) continue;
            int ln = s.firstLine() + i;
            if (l.toLowerCase().startsWith("0x")) {
                long w;
                try { w = Long.parseUnsignedLong(l.substring(2), 16); } catch (NumberFormatException e) { throw new AsmException(file, ln, 1, "bad instruction word '" + l + "'"); }
                for (int k = 0; k < 8; k++) out.write((int) (w >>> (8 * k)));
            } else {
                String[] bytes = l.split("\\s+");
                if (bytes.length != 8) throw new AsmException(file, ln, 1, "an instruction is 8 bytes, this line has " + bytes.length);
                for (String b : bytes) {
                    if (!b.matches("[0-9a-fA-F]{2}")) throw new AsmException(file, ln, l.indexOf(b) + 1, "bad byte '" + b + "'");
                    out.write(Integer.parseInt(b, 16));
                }
            }
            lines.add(ln);
        }
        if (lines.isEmpty()) throw new AsmException(file, s.headerLine(), 1, "no instructions in the -- raw section");
        return new Assembled(Program.decode(out.toByteArray()), List.copyOf(lines));
    }

    private static String stripComment(String l) {
        int h = l.indexOf('#');
        return h >= 0 ? l.substring(0, h) : l;
    }
}
