package org.bpfosgi.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.LoaderException;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.prog.ProgTable;
import org.bpfosgi.prog.XlatedDump;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.verifier.BpfProgLoadAttr;
import org.bpfosgi.verifier.KfuncBtf;

/**
 * The {@code prog} command, after {@code bpftool prog}: {@code load FILE [attach TYPE.MEMBER]
 * [log-level 1|2] [policy seed|upstream|emit-call] [unsafe-module-calls]}, {@code show}, {@code dump xlated id N [opcodes]}, {@code free id N}.
 * User errors print {@code Error: ...} to err and return 1, never a stack trace. A failed load
 * prints the errno and the verifier log; without a log level it is retried at level 1 to get
 * the log, as libbpf does.
 */
public final class ProgCli {
    static final String USAGE = String.join("\n",
            "Usage: prog { load | show | dump | free | help }",
            "       prog load FILE [PROGNAME] [attach TYPE.MEMBER] [log-level 1|2] [log-size BYTES]",
            "                 [policy seed|upstream|emit-call] [unsafe-module-calls]",
            "       prog show",
            "       prog dump xlated id ID [opcodes]",
            "       prog free id ID",
            "       prog run id ID [ctx_in HEX] [repeat K]",
            "",
            "       FILE: LLVM BPF assembly with .license \"GPL\", SEC(\"struct_ops/MEMBER\") or",
            "             .struct_ops TYPE.MEMBER, optional .name NAME and .sleepable; or an ELF object",
            "             built by clang -target bpf (FILE.o), PROGNAME its program (default: the first)",
            "       policy: how kfunc calls in a generated prologue/epilogue are handled (default: the",
            "             machine's, --kfunc-policy); unsafe-module-calls lets emit-call call module text",
            "");

    private ProgCli() {
    }

    /**
     * Runs {@code prog ARGS...} against a machine's program table.
     *
     * @return the exit status: 0 or 1
     */
    public static int run(List<String> args, ProgKernel kernel, PrintStream out, PrintStream err) {
        return run(args, kernel, null, out, err);
    }

    /** As {@link #run(List, ProgKernel, PrintStream, PrintStream)}, with {@code prog run} through {@code runs}. */
    public static int run(List<String> args, ProgKernel kernel, StructOpsCli runs, PrintStream out, PrintStream err) {
        try {
            if (!args.isEmpty() && args.get(0).equals("run")) {
                return runs == null ? error(err, "prog run is not available here") : runs.progRun(args, out, err);
            }
            if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
                (args.isEmpty() ? err : out).print(USAGE);
                return args.isEmpty() ? 1 : 0;
            }
            switch (args.get(0)) {
                case "load":
                    return load(args, kernel, out, err);
                case "show":
                case "list":
                    show(kernel, out);
                    return 0;
                case "dump":
                    return dump(args, kernel, out, err);
                case "free":
                    return free(args, kernel, out, err);
                default:
                    return error(err, "unknown command '" + args.get(0) + "' (load, show, dump, free)");
            }
        } catch (LoaderException | IllegalArgumentException e) {
            return error(err, e.getMessage());
        } catch (RuntimeException e) {
            // not a user error: still no stack trace on the user's terminal
            return error(err, "internal error: " + e);
        }
    }

    private static int error(PrintStream err, String msg) {
        err.println("Error: " + msg);
        return 1;
    }

    private static int load(List<String> args, ProgKernel kernel, PrintStream out, PrintStream err) {
        String usage = "prog load FILE [PROGNAME] [attach TYPE.MEMBER] [log-level 1|2] [log-size BYTES] [policy seed|upstream|emit-call] "
                + "[unsafe-module-calls]";
        if (args.size() < 2) {
            return error(err, usage);
        }
        Path file = Path.of(args.get(1));
        if (!Files.exists(file)) {
            // before the options: a missing FILE.o is not an ELF object, so its PROGNAME would
            // otherwise be read as an option ("'PROGNAME' needs a value")
            return error(err, "cannot read " + file + ": No such file or directory");
        }
        Optional<String> attach = Optional.empty();
        Optional<KfuncPolicy> policy = Optional.empty();
        boolean unsafeModuleCalls = false;
        int logLevel = 0;
        long logSize = DEFAULT_LOG_SIZE;
        java.util.Set<String> given = new java.util.HashSet<>();
        boolean elf = org.bpfosgi.obj.elf.ElfObject.isElf(file);
        Optional<String> progName = Optional.empty();
        int first = 2;
        if (elf && args.size() > 2 && !OPTIONS.contains(args.get(2))) {
            progName = Optional.of(args.get(2)); // prog load FILE.o PROGNAME
            first = 3;
        }
        for (int i = first; i < args.size(); i += 2) {
            if (args.get(i).equals("unsafe-module-calls")) {
                unsafeModuleCalls = true;
                i--;
                continue;
            }
            if (i + 1 >= args.size()) {
                return error(err, "'" + args.get(i) + "' needs a value");
            }
            String v = args.get(i + 1);
            if (!given.add(args.get(i).replace('_', '-'))) {
                return error(err, "'" + args.get(i) + "' given twice");
            }
            switch (args.get(i)) {
                case "attach" -> attach = Optional.of(v);
                case "log-level", "log_level" -> {
                    if (!v.equals("1") && !v.equals("2")) {
                        return error(err, "log-level is 1 or 2");
                    }
                    logLevel = Integer.parseInt(v);
                }
                case "policy" -> {
                    policy = KfuncPolicy.ofCliName(v);
                    if (policy.isEmpty()) {
                        return error(err, "policy is seed, upstream or emit-call");
                    }
                }
                case "log-size", "log_size" -> {
                    try {
                        logSize = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        return error(err, "log-size is a number of bytes");
                    }
                    // bpf_vlog_init(): len_total below 128 or above UINT_MAX >> 2 is -EINVAL
                    if (logSize < 128 || logSize > (0xffffffffL >>> 2)) {
                        return error(err, "prog load: -EINVAL (Invalid argument): log-size " + v
                                + " is outside 128.." + (0xffffffffL >>> 2));
                    }
                }
                default -> {
                    return error(err, "unknown option '" + args.get(i) + "' (attach, log-level, log-size, policy, "
                            + "unsafe-module-calls)");
                }
            }
        }
        if (unsafeModuleCalls && policy.orElse(kernel.progs().defaultKfuncPolicy()) != KfuncPolicy.EMIT_CALL) {
            return error(err, "unsafe-module-calls only applies to policy emit-call");
        }
        ProgTable.LoadOptions options = new ProgTable.LoadOptions(policy, unsafeModuleCalls, logSize);
        BpfProgLoadAttr attr;
        if (elf) {
            attr = elfAttr(file, progName, attach, kernel, err).withLogLevel(logLevel);
        } else {
            String text;
            try {
                text = UserFiles.text(file);
            } catch (UserFiles.Unreadable e) {
                return error(err, "cannot read " + file + ": " + e.reason());
            }
            ProgLoader.ProgSource src = ProgLoader.parse(text, file.toString());
            attr = ProgLoader.toAttr(src, attach, logLevel, kernel.services());
        }
        ProgLoadResult r = kernel.progs().load(attr, options);
        if (r.ok()) {
            if (logLevel > 0) {
                out.print(r.log());
            }
            out.println(r.prog().id());
            return 0;
        }
        String log = r.log();
        Errno e = r.errno().orElseThrow();
        if (logLevel == 0) {
            // libbpf: the load failed without a log, so it is retried with log_level 1 to say why
            // and what the retry answered is what it reports (-ENOSPC when its log did not fit)
            ProgLoadResult again = kernel.progs().load(attr.withLogLevel(1), options);
            log = again.ok() ? "" : again.log();
            if (again.ok()) {
                kernel.progs().free(again.prog().id());
            } else {
                e = again.errno().orElseThrow();
            }
        }
        err.println("Error: prog load: " + e.symbol() + " (" + e.description() + ")");
        err.print(logBuffer(log, logSize));
        return 1;
    }

    private static final List<String> OPTIONS = List.of("attach", "log-level", "log_level", "policy", "log-size", "log_size",
            "unsafe-module-calls");

    /**
     * One program of a clang-built object, linked and relocated as libbpf's bpf_object__load()
     * would load it ({@link org.bpfosgi.obj.elf.ElfObject}); without PROGNAME, the object's first
     * program (as bpftool prog load pins the first). Maps need the whole object: obj load.
     */
    private static BpfProgLoadAttr elfAttr(Path file, Optional<String> progName, Optional<String> attach, ProgKernel kernel,
                                           PrintStream err) {
        org.bpfosgi.obj.elf.ElfObject o;
        try {
            o = org.bpfosgi.obj.elf.ElfObject.open(file);
        } catch (org.bpfosgi.obj.elf.ObjOpenException e) {
            err.println("libbpf: " + e.libbpfLine());
            throw new LoaderException("failed to open object file " + file + ": " + org.bpfosgi.obj.LibbpfErrno.text(e.err()));
        }
        org.bpfosgi.obj.OpenedObject opened;
        try {
            opened = o.toOpened();
            opened.externs().resolve(kernel.services()); // bpf_object__resolve_externs()
        } catch (org.bpfosgi.obj.ObjLoader.ObjLoadException e) {
            // bpf_object__load() refused the object before any program (a big-endian object, an extern)
            e.lines().forEach(l -> err.println("libbpf: " + l));
            throw new LoaderException("failed to load object file: " + org.bpfosgi.obj.LibbpfErrno.text(e.err()));
        }
        // bpftool prog load: after bpf_object__load(), bpf_object__next_program() (subprograms skipped)
        List<org.bpfosgi.obj.elf.ElfObject.Program> mains = o.programs().stream().filter(p -> !p.subprog()).toList();
        if (mains.isEmpty()) {
            throw new LoaderException("object file doesn't contain any bpf program");
        }
        org.bpfosgi.obj.elf.ElfObject.Program p = progName.isEmpty() ? mains.get(0)
                : o.program(progName.get()).orElseThrow(() -> new LoaderException("no program '" + progName.get() + "' in "
                        + file + " (programs: " + String.join(", ", mains.stream().map(x -> x.name()).toList()) + ")"));
        org.bpfosgi.obj.ObjectText.Function f = opened.functions().stream().filter(x -> x.name().equals(p.name()) && !x.isSubprog())
                .findFirst().orElseThrow();
        Optional<String> target = attach;
        if (target.isEmpty() && p.typeName().equals("STRUCT_OPS")) {
            // SEC("struct_ops/MEMBER"): the member, found among the registered types as for text
            int slash = p.secName().indexOf('/');
            if (slash < 0) {
                throw new LoaderException("prog '" + p.name() + "': SEC(\"" + p.secName() + "\") names no member: give attach TYPE.MEMBER "
                        + "(or obj load the object with its struct_ops map)");
            }
            target = Optional.of(findStructOpsType(kernel, p.secName().substring(slash + 1)) + "." + p.secName().substring(slash + 1));
        }
        try {
            return opened.progs().attr(f, target, kernel.services(), name -> {
                throw new LoaderException("prog '" + p.name() + "': uses map '" + name + "': maps come with the object (obj load "
                        + file + ")");
            });
        } catch (LoaderException e) {
            throw e.getMessage().startsWith("prog '") ? e : new LoaderException("prog '" + p.name() + "': " + e.getMessage());
        }
    }

    /** The one registered struct_ops type with this member (as the text form's SEC() finds it). */
    private static String findStructOpsType(ProgKernel kernel, String member) {
        List<String> hits = new java.util.ArrayList<>();
        List<org.bpfosgi.btf.BtfObject> btfs = new java.util.ArrayList<>();
        btfs.add(kernel.services().btfs().vmlinux());
        btfs.addAll(kernel.services().btfs().moduleBtfs());
        for (org.bpfosgi.btf.BtfObject b : btfs) {
            for (org.bpfosgi.verifier.StructOpsDesc d : kernel.services().registry().structOps(b)) {
                org.bpfosgi.btf.BtfType.Composite c = (org.bpfosgi.btf.BtfType.Composite) b.btf().type(d.typeId());
                for (org.bpfosgi.btf.BtfType.Member m : c.members()) {
                    if (b.btf().str(m.nameOff()).equals(member) && !hits.contains(d.name())) {
                        hits.add(d.name());
                    }
                }
            }
        }
        if (hits.size() != 1) {
            throw new LoaderException(hits.isEmpty() ? "no registered struct_ops type has a member " + member
                    : "member " + member + " is in several struct_ops types (" + String.join(", ", hits) + "): give attach TYPE.MEMBER");
        }
        return hits.get(0);
    }

    /**
     * The log_buf this tool gives the kernel: log-size bytes (default 1 MiB; libbpf's retry uses
     * 16 MiB, which printed 16.7 MB for a program looping until the insn limit).
     */
    static final long DEFAULT_LOG_SIZE = 1L << 20;

    /**
     * What a log_buf of {@code size} bytes holds of {@code log}: all of it when it fits with its
     * NUL, else the last size - 1 bytes, as the kernel's rotating log (the default since 6.4,
     * kernel/bpf/log.c bpf_verifier_vlog) keeps them, after a line saying what was cut.
     */
    static String logBuffer(String log, long size) {
        if (log.length() < size) {
            return log;
        }
        int keep = (int) (size - 1);
        String tail = log.substring(log.length() - keep);
        int nl = tail.indexOf('\n');
        if (nl >= 0 && nl + 1 < tail.length()) {
            tail = tail.substring(nl + 1); // start at a whole line
        }
        return "[verifier log truncated: the last " + tail.length() + " of " + log.length()
                + " bytes; log-size BYTES for more]\n" + tail;
    }

    /** Models {@code bpftool prog show} for the model's struct_ops programs. */
    private static void show(ProgKernel kernel, PrintStream out) {
        for (BpfProg p : kernel.progs().list()) {
            out.printf("%d: %s  name %s  %s%n", p.id(), p.type().name().toLowerCase(java.util.Locale.ROOT), p.name(),
                    p.aux().gplCompatible() ? "gpl" : "");
            out.printf("\t%sxlated %dB  verified_insns %d  policy %s%s%n",
                    p.attach().isEmpty() ? "" : "attach " + p.attach() + "  ", p.insns().size() * Insn.SIZE,
                    p.aux().verifiedInsns(), p.aux().kfuncPolicy().cliName(),
                    p.aux().unsafeModuleCalls() ? " unsafe-module-calls" : "");
            List<KfuncBtf> tab = p.aux().kfuncBtfTab();
            if (!tab.isEmpty()) {
                StringBuilder sb = new StringBuilder("\tkfunc_btf");
                for (KfuncBtf b : tab) {
                    sb.append(' ').append(b.btf().name()).append("(off ").append(b.offset()).append(')');
                }
                out.println(sb);
            }
        }
    }

    private static int dump(List<String> args, ProgKernel kernel, PrintStream out, PrintStream err) {
        if (args.size() < 4 || !args.get(1).equals("xlated") || !args.get(2).equals("id")) {
            return error(err, "prog dump xlated id ID [opcodes]");
        }
        int id = parseId(args.get(3));
        boolean opcodes = args.size() > 4 && args.get(4).equals("opcodes");
        if (args.size() > 5 || (args.size() == 5 && !opcodes)) {
            return error(err, "prog dump xlated id ID [opcodes]");
        }
        Optional<BpfProg> p = kernel.progs().get(id);
        if (p.isEmpty()) {
            return error(err, "get by id (" + id + "): No such file or directory");
        }
        List<String> lines = XlatedDump.lines(p.get(), kernel.structOps().kallsyms(), opcodes);
        lines.forEach(out::println);
        return 0;
    }

    private static int free(List<String> args, ProgKernel kernel, PrintStream out, PrintStream err) {
        if (args.size() != 3 || !args.get(1).equals("id")) {
            return error(err, "prog free id ID");
        }
        int id = parseId(args.get(2));
        int r = kernel.progs().free(id);
        if (r == org.bpfosgi.errno.Errno.EBADF.negative()) {
            return error(err, "prog " + id + ": the user's reference is already freed (the kernel still holds it)");
        }
        if (r < 0) {
            return error(err, "get by id (" + id + "): No such file or directory");
        }
        return 0;
    }

    private static int parseId(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a program id");
        }
    }
}
