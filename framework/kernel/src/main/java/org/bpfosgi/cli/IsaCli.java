package org.bpfosgi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bpfosgi.isa.AsmException;
import org.bpfosgi.isa.Assembler;
import org.bpfosgi.isa.conformance.ConformanceFile;
import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.InsnValidator;
import org.bpfosgi.isa.Program;
import org.bpfosgi.isa.Reloc;
import org.bpfosgi.vm.ConformanceRunner;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.Oops;
import org.bpfosgi.vm.Outcome;

/**
 * The instruction-set commands: {@code asm}, {@code disasm}, {@code exec} and
 * {@code conformance-plugin} (the bpf_conformance runner's plugin protocol). Exit status 0 on
 * success, 1 when the program is bad or fails, 2 on a usage error. User errors print a message,
 * never a stack trace.
 */
public final class IsaCli {
    private IsaCli() {}

    private static final Map<String, String> HELP = Map.of(
        "asm", String.join("\n",
            "usage: asm FILE [-o OUT.bin] [--dialect llvm|ubpf] [--selftest]",
            "  Assembles FILE and prints its disassembly as `bpftool prog dump xlated` does,",
            "  followed by the symbolic calls a loader must still resolve; with -o, writes the",
            "  8-byte little-endian instructions to OUT.bin instead. The dialect follows the",
            "  extension (.data/.ubpf/.asm: bpf_conformance/ubpf; otherwise LLVM) unless given.",
            "  --selftest prints the selftests' __xlated form `0: r0 = 1` instead."),
        "disasm", String.join("\n",
            "usage: disasm FILE.bin | --hex HEX [--opcodes] [--selftest]",
            "  Prints the kernel's xlated text of raw instructions (print_bpf_insn()):",
            "  `   0: (b7) r0 = 1`; --opcodes adds the bytes under each line as bpftool does,",
            "  --selftest prints the selftests' __xlated form `0: r0 = 1`."),
        "exec", String.join("\n",
            "usage: exec FILE [--mem HEX] [--limit N] [--dialect llvm|ubpf]",
            "  Runs FILE (.s/.ubpf/.data text or .bin instructions) in the interpreter with r1",
            "  pointing at the memory (HEX bytes, or the -- mem section of a .data file) and r2",
            "  holding its length, and prints r0 as 0x...; an oops is printed and exits 1.",
            "  --limit stops a run after N instructions (default 10000000). Helper 5 returns r1."),
        "conformance-plugin", String.join("\n",
            "usage: conformance-plugin [MEMHEX] [plugin options]",
            "  The bpf_conformance plugin protocol: the program arrives as hex bytes on stdin,",
            "  the input memory as hex bytes in the first argument (may be empty or absent);",
            "  r1 points to the memory, r2 holds its length. Prints r0 as lowercase hex without",
            "  a prefix; an invalid program or a failed run prints a message on stderr and exits 1."));

    /** Usage of all commands, for the launcher's help. */
    public static String help() {
        return String.join("\n\n", HELP.get("asm"), HELP.get("disasm"), HELP.get("exec"), HELP.get("conformance-plugin"));
    }

    public static int run(String command, List<String> args, InputStream in, PrintStream out, PrintStream err) {
        if (command == null || command.equals("help") || command.equals("--help")) {
            out.println(help());
            return 0;
        }
        if (!HELP.containsKey(command)) {
            err.println("unknown command '" + command + "' (asm, disasm, exec, conformance-plugin)");
            return 2;
        }
        if (args.contains("--help") || args.contains("-h")) {
            out.println(HELP.get(command));
            return 0;
        }
        try {
            return switch (command) {
                case "asm" -> asm(args, out, err);
                case "disasm" -> disasm(args, out, err);
                case "exec" -> exec(args, out, err);
                default -> plugin(args, in, out, err);
            };
        } catch (Usage u) {
            err.println(command + ": " + u.getMessage());
            err.println(HELP.get(command));
            return 2;
        } catch (AsmException e) {
            err.println(e.getMessage());
            return 1;
        } catch (UserFiles.Unreadable e) {
            err.println(command + ": cannot read " + e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println(command + ": cannot read " + e.getFile() + ": No such file or directory");
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            err.println(command + ": " + e.getMessage());
            return 1;
        }
    }

    /** A usage error. */
    private static final class Usage extends RuntimeException {
        private static final long serialVersionUID = 1L;
        Usage(String m) { super(m, null, false, false); }
    }

    /** Splits options (with the values of those in {@code valued}) from positional arguments. */
    private record Args(List<String> positional, Map<String, String> options) {
        static Args parse(List<String> args, List<String> valued, List<String> flags) {
            List<String> pos = new ArrayList<>();
            Map<String, String> opts = new java.util.HashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (valued.contains(a)) {
                    if (i + 1 >= args.size()) throw new Usage(a + " needs a value");
                    opts.put(a, args.get(++i));
                } else if (flags.contains(a)) {
                    opts.put(a, "");
                } else if (a.startsWith("-") && a.length() > 1) {
                    throw new Usage("unknown option " + a);
                } else {
                    pos.add(a);
                }
            }
            return new Args(pos, opts);
        }

        String one(String what) {
            if (positional.size() != 1) throw new Usage("expected one " + what + ", got " + positional.size() + " arguments");
            return positional.get(0);
        }
    }

    private static int asm(List<String> argv, PrintStream out, PrintStream err) throws IOException {
        Args a = Args.parse(argv, List.of("-o", "--dialect"), List.of("--selftest"));
        String file = a.one("FILE");
        Assembler.Dialect d = a.options().containsKey("--dialect") ? dialect(a.options().get("--dialect")) : Assembler.Dialect.forFile(file);
        if (a.options().containsKey("-o") && sameFile(Path.of(file), Path.of(a.options().get("-o")))) {
            throw new Usage("-o " + a.options().get("-o") + " is the input file; refusing to overwrite it");
        }
        Program p = assemble(UserFiles.text(Path.of(file)), file, d);
        if (a.options().containsKey("-o")) {
            Files.write(Path.of(a.options().get("-o")), p.encode());
            out.println("wrote " + p.size() + " instructions to " + a.options().get("-o"));
            return 0;
        }
        Disassembler.Style style = a.options().containsKey("--selftest") ? Disassembler.Style.SELFTEST : Disassembler.Style.BPFTOOL;
        Disassembler.dump(p.insns(), style, Disassembler.BPFTOOL).forEach(out::println);
        for (Reloc r : p.relocs())
            if (r.kind() != Reloc.Kind.SUBPROG) out.println("; insn " + r.insn() + ": " + r.kind().name().toLowerCase() + " " + r.name());
        return 0;
    }

    private static final java.util.regex.Pattern PROG_LOAD_DIRECTIVE =
            java.util.regex.Pattern.compile("(?m)^\\s*(\\.license|\\.name|\\.sleepable|\\.struct_ops|SEC\\()");

    /**
     * Assembles program text; a {@code prog load} file (with {@code .license}, {@code SEC()},
     * ...) is read as {@code prog load} reads it, its directives being the program's metadata.
     */
    private static Program assemble(String text, String file, Assembler.Dialect d) {
        if (d == Assembler.Dialect.LLVM && PROG_LOAD_DIRECTIVE.matcher(text).find()) {
            try {
                return org.bpfosgi.prog.ProgLoader.parse(text, file).program();
            } catch (org.bpfosgi.prog.LoaderException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }
        return Assembler.assemble(text, file, d);
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    private static Assembler.Dialect dialect(String s) {
        try {
            return Assembler.Dialect.parse(s);
        } catch (IllegalArgumentException e) {
            throw new Usage(e.getMessage());
        }
    }

    private static int disasm(List<String> argv, PrintStream out, PrintStream err) throws IOException {
        Args a = Args.parse(argv, List.of("--hex"), List.of("--opcodes", "--selftest"));
        byte[] bytes;
        if (a.options().containsKey("--hex")) {
            if (!a.positional().isEmpty()) throw new Usage("give either FILE.bin or --hex, not both");
            bytes = hex(a.options().get("--hex"));
        } else {
            bytes = UserFiles.bytes(Path.of(a.one("FILE.bin")));
        }
        if (bytes.length % Insn.SIZE != 0) {
            err.println("disasm: " + bytes.length + " bytes is not a whole number of 8-byte instructions");
            return 1;
        }
        Disassembler.Style style = a.options().containsKey("--selftest") ? Disassembler.Style.SELFTEST
            : a.options().containsKey("--opcodes") ? Disassembler.Style.BPFTOOL_OPCODES : Disassembler.Style.BPFTOOL;
        Disassembler.dump(Insn.decodeAll(bytes), style, Disassembler.BPFTOOL).forEach(out::println);
        return 0;
    }

    private static int exec(List<String> argv, PrintStream out, PrintStream err) throws IOException {
        Args a = Args.parse(argv, List.of("--mem", "--limit", "--dialect"), List.of());
        String file = a.one("FILE");
        long limit = ConformanceRunner.INSN_LIMIT;
        if (a.options().containsKey("--limit")) {
            try {
                limit = Long.parseLong(a.options().get("--limit"));
            } catch (NumberFormatException e) {
                throw new Usage("--limit takes a number of instructions");
            }
            if (limit <= 0) {
                throw new Usage("--limit takes a positive number of instructions, not " + limit);
            }
        }
        byte[] mem = null;
        Program p;
        if (file.toLowerCase().endsWith(".bin")) {
            p = Program.decode(UserFiles.bytes(Path.of(file)));
        } else if (file.toLowerCase().endsWith(".data")) {
            ConformanceFile cf = ConformanceFile.parse(UserFiles.text(Path.of(file)), file);
            p = cf.program().program();
            mem = cf.mem();
        } else {
            Assembler.Dialect d = a.options().containsKey("--dialect") ? dialect(a.options().get("--dialect")) : Assembler.Dialect.forFile(file);
            p = assemble(UserFiles.text(Path.of(file)), file, d);
        }
        if (a.options().containsKey("--mem")) mem = hex(a.options().get("--mem"));
        if (mem == null) mem = new byte[0];
        var bad = InsnValidator.validate(p.insns(), true);
        if (bad.isPresent()) {
            err.println(file + ": insn " + bad.get().insn() + ": " + bad.get().message());
            return 1;
        }
        Outcome o = ConformanceRunner.execute(p, mem, limit);
        if (o instanceof Exit x) {
            out.println("0x" + Long.toHexString(x.r0()));
            return 0;
        }
        out.println(o);
        return 1;
    }

    private static int plugin(List<String> argv, InputStream in, PrintStream out, PrintStream err) throws IOException {
        // argv[0] is the memory; anything after it is a plugin option, which this plugin ignores.
        byte[] mem = argv.isEmpty() ? new byte[0] : hex(argv.get(0));
        byte[] code = hex(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        if (code.length == 0 || code.length % Insn.SIZE != 0) {
            err.println("invalid program: " + code.length + " bytes");
            return 1;
        }
        Program p = Program.decode(code);
        var bad = InsnValidator.validate(p.insns(), true);
        if (bad.isPresent()) {
            err.println("insn " + bad.get().insn() + ": " + bad.get().message());
            return 1;
        }
        Outcome o = ConformanceRunner.execute(p, mem);
        if (o instanceof Oops oops) {
            err.println(oops);
            return 1;
        }
        out.println(Long.toHexString(((Exit) o).r0()));
        return 0;
    }

    /** Hex bytes, with any blanks, and an optional 0x before each group. */
    static byte[] hex(String s) {
        String h = s.replaceAll("0[xX]", "").replaceAll("\\s", "");
        if (h.length() % 2 != 0 || !h.matches("[0-9a-fA-F]*")) throw new IllegalArgumentException("not hex bytes: '" + abbreviate(s) + "'");
        return HexFormat.of().parseHex(h);
    }

    private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 40) + "..." : s; }
}
