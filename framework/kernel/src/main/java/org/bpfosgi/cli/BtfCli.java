package org.bpfosgi.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfCDump;
import org.bpfosgi.btf.BtfException;
import org.bpfosgi.btf.BtfFiles;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfRawDump;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.CompiledBtf;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.errno.KernelException;

/**
 * The {@code btf} command, after {@code bpftool btf}: {@code list}, {@code dump id N | module
 * NAME | file PATH [format raw|c]}, and {@code compile FILE.h [--base vmlinux|builtin|none]}
 * (the module pahole + resolve_btfids: prints the raw dump and then the resolved id lists and
 * sets). User errors print one line, {@code Error: ...}, to err and return 1.
 */
public final class BtfCli {
    static final String USAGE = String.join("\n",
            "Usage: btf { list | dump | compile | help }",
            "       btf list",
            "       btf dump BTF_SRC [base FILE] [format FORMAT]",
            "       btf compile FILE.h [--base vmlinux|builtin|none]",
            "",
            "       BTF_SRC := { id BTF_ID | module NAME | file FILE }",
            "       FORMAT  := { raw | c }",
            "       file FILE: raw BTF or an ELF object; split BTF (a module's) needs its base: base FILE",
            "       (bpftool's -B; a file in /sys/kernel/btf/ other than vmlinux has /sys/kernel/btf/vmlinux as base)",
            "");

    private BtfCli() {
    }

    /**
     * Runs {@code btf ARGS...}.
     *
     * @param args            the words after {@code btf}
     * @param registryOrNull  the running kernel's BTF registry; null outside the framework (then
     *                        vmlinux BTF is loaded as {@code --vmlinux} defaults: real, else built-in)
     * @return the exit status: 0 or 1
     */
    public static int run(List<String> args, BtfRegistry registryOrNull, PrintStream out, PrintStream err) {
        try {
            if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help") || args.get(0).equals("-h")) {
                (args.isEmpty() ? err : out).print(USAGE);
                return args.isEmpty() ? 1 : 0;
            }
            switch (args.get(0)) {
                case "list":
                    expectArgs(args, 1, "list");
                    out.print(registry(registryOrNull).listText());
                    return 0;
                case "dump":
                    return dump(args.subList(1, args.size()), registryOrNull, out);
                case "compile":
                    return compile(args.subList(1, args.size()), registryOrNull, out);
                default:
                    throw new UsageException("unknown command '" + args.get(0) + "' (try: btf help)");
            }
        } catch (UsageException | BtfException | KernelException e) {
            err.println("Error: " + firstLine(e.getMessage()));
            return 1;
        } catch (IOException e) {
            err.println("Error: " + UserFiles.reason(e));
            return 1;
        } catch (RuntimeException e) {
            // a bug: say so without Java's words (BPF_OSGI_DEBUG=1 prints where)
            err.println("Error: internal error: " + org.bpfosgi.kernel.Debug.describe(e));
            org.bpfosgi.kernel.Debug.trace(e, err);
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("Error: out of memory");
            return 1;
        } catch (StackOverflowError e) {
            err.println("Error: types are nested too deep to process");
            return 1;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String m) {
            super(m);
        }
    }

    private static void expectArgs(List<String> args, int n, String what) {
        if (args.size() != n) {
            throw new UsageException("'" + what + "' expects " + (n - 1) + " argument(s), got " + (args.size() - 1));
        }
    }

    private static BtfRegistry registry(BtfRegistry r) {
        return r != null ? r : new BtfRegistry(VmlinuxBtf.load(null), null);
    }

    private static Btf vmlinux(BtfRegistry r) {
        return r != null ? r.vmlinuxBtf() : VmlinuxBtf.load(null);
    }

    private static int dump(List<String> a, BtfRegistry reg, PrintStream out) throws IOException {
        if (a.size() == 1 && (a.get(0).equals("help") || a.get(0).equals("--help") || a.get(0).equals("-h"))) {
            out.print(USAGE); // 'btf dump --help', as 'btf --help'
            return 0;
        }
        if (a.size() < 2) {
            throw new UsageException("expected 'id BTF_ID', 'module NAME' or 'file FILE' after 'dump'");
        }
        String format = "raw";
        Path baseFile = null;
        for (int i = 2; i < a.size(); i += 2) {
            String opt = a.get(i);
            if (i + 1 >= a.size() || !(opt.equals("format") || (opt.equals("base") && a.get(0).equals("file")))) {
                throw new UsageException("unexpected '" + opt + "' (expected: "
                        + (a.get(0).equals("file") ? "base FILE, " : "") + "format raw|c)");
            }
            if (opt.equals("format")) {
                format = a.get(i + 1);
                if (!format.equals("raw") && !format.equals("c")) {
                    throw new UsageException("unrecognized format specifier: '" + format + "', possible values: raw, c");
                }
            } else {
                baseFile = Path.of(a.get(i + 1));
            }
        }
        Btf btf;
        String what = a.get(1);
        switch (a.get(0)) {
            case "id": {
                int id;
                try {
                    id = Integer.parseInt(what);
                } catch (NumberFormatException e) {
                    throw new UsageException("can't parse '" + what + "' as ID");
                }
                btf = registry(reg).peek(id).map(BtfObject::btf)
                        .orElseThrow(() -> new UsageException("get by id (" + what + "): No such file or directory"));
                break;
            }
            case "module":
                if (what.equals("vmlinux")) {
                    btf = vmlinux(reg);
                } else {
                    btf = registry(reg).moduleBtf(what).map(BtfObject::btf)
                            .orElseThrow(() -> new UsageException("module '" + what + "' has no BTF (not loaded?)"));
                }
                break;
            case "file": {
                Path p = Path.of(what);
                if (baseFile == null && p.toAbsolutePath().normalize().startsWith(SYSFS_BTF)
                        && !p.toAbsolutePath().normalize().equals(SYSFS_BTF.resolve("vmlinux"))) {
                    // bpftool: a module's file in /sys/kernel/btf/ is split BTF on top of vmlinux's
                    baseFile = SYSFS_BTF.resolve("vmlinux");
                }
                Btf base = null;
                if (baseFile != null) {
                    base = parseFile(baseFile, null, "base BTF");
                }
                btf = parseFile(p, base, "BTF");
                break;
            }
            default:
                throw new UsageException("unrecognized BTF source specifier: '" + a.get(0) + "' (id, module, file)");
        }
        print(btf, format, out);
        return 0;
    }

    private static final Path SYSFS_BTF = Path.of("/sys/kernel/btf");

    /** Reads and validates a BTF file; any failure is one line: what, the file, and why. */
    private static Btf parseFile(Path p, Btf base, String what) {
        byte[] d;
        try {
            d = UserFiles.bytes(p);
        } catch (UserFiles.Unreadable e) {
            throw new UsageException("failed to load " + what + " from " + p + ": " + e.reason());
        }
        try {
            return BtfFiles.parse(d, base);
        } catch (BtfException e) {
            throw new UsageException("failed to load " + what + " from " + p + ": " + e.getMessage());
        }
    }

    private static void print(Btf btf, String format, PrintStream out) {
        if (format.equals("c")) {
            out.print(BtfCDump.dump(btf));
        } else {
            StringBuilder sb = new StringBuilder(1 << 16);
            BtfRawDump.dump(btf, sb);
            out.print(sb);
        }
    }

    private static int compile(List<String> a, BtfRegistry reg, PrintStream out) throws IOException {
        if (a.isEmpty()) {
            throw new UsageException("expected FILE.h after 'compile'");
        }
        String file = a.get(0);
        Btf base;
        if (a.size() == 1) {
            base = vmlinux(reg);
        } else if (a.size() == 3 && a.get(1).equals("--base")) {
            switch (a.get(2)) {
                case "vmlinux": base = reg != null ? reg.vmlinuxBtf() : VmlinuxBtf.load("vmlinux"); break;
                case "builtin": base = VmlinuxBtf.builtin(); break;
                case "none": base = null; break;
                default: throw new UsageException("--base expects vmlinux, builtin or none, not '" + a.get(2) + "'");
            }
        } else {
            throw new UsageException("unexpected arguments after " + file + " (expected: --base vmlinux|builtin|none)");
        }
        String text;
        try {
            text = UserFiles.text(Path.of(file));
        } catch (UserFiles.Unreadable e) {
            throw new UsageException("cannot read " + file + ": " + e.reason());
        }
        CompiledBtf c = CDeclCompiler.compile(file, text, base);
        print(c.btf(), "raw", out);
        out.print(c.describeIds());
        return 0;
    }
}
