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
            "       btf dump BTF_SRC [format FORMAT]",
            "       btf compile FILE.h [--base vmlinux|builtin|none]",
            "",
            "       BTF_SRC := { id BTF_ID | module NAME | file FILE }",
            "       FORMAT  := { raw | c }",
            "       file FILE: raw BTF or an ELF object; split BTF (a module's) is read on top of vmlinux BTF",
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
            err.println("Error: " + firstLine(e.toString()));
            return 1;
        } catch (RuntimeException e) {
            err.println("Error: " + firstLine(e.toString()));
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
        if (a.size() < 2) {
            throw new UsageException("expected 'id BTF_ID', 'module NAME' or 'file FILE' after 'dump'");
        }
        String format = "raw";
        if (a.size() == 4 && a.get(2).equals("format")) {
            format = a.get(3);
            if (!format.equals("raw") && !format.equals("c")) {
                throw new UsageException("unrecognized format specifier: '" + format + "', possible values: raw, c");
            }
        } else if (a.size() != 2) {
            throw new UsageException("unexpected '" + a.get(2) + "' (expected: format raw|c)");
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
                if (!Files.isReadable(p)) {
                    throw new UsageException("failed to load BTF from " + what + ": No such file or directory");
                }
                btf = BtfFiles.read(p, () -> vmlinux(reg));
                break;
            }
            default:
                throw new UsageException("unrecognized BTF source specifier: '" + a.get(0) + "' (id, module, file)");
        }
        print(btf, format, out);
        return 0;
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
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw new UsageException("cannot read " + file + ": No such file or directory");
        }
        CompiledBtf c = CDeclCompiler.compile(file, Files.readString(p), base);
        print(c.btf(), "raw", out);
        out.print(c.describeIds());
        return 0;
    }
}
