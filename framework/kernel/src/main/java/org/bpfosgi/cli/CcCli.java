package org.bpfosgi.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfCDump;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfRegistry;

/**
 * {@code cc FILE.c -o OUT.o [module NAME]}: builds a BPF C file the way the objects are
 * built, {@code clang -O2 -g -target bpf -mcpu=v3}, against a {@code vmlinux.h} this machine
 * prints of its own BTF ({@code btf dump module NAME format c}: vmlinux, or a module's split BTF
 * with its base). Where clang is not installed, the prebuilt object next to the source
 * ({@code FILE.o}) is copied to OUT instead, and the command says so. The clang run is the only
 * thing in the machine that starts a process; its errors are printed as clang wrote them.
 */
public final class CcCli {
    static final String USAGE = "cc FILE.c -o OUT.o [module NAME]";
    /** The compiler (a system property so that tests can take it away). */
    static final String CLANG_PROPERTY = "bpfosgi.clang";

    private CcCli() {
    }

    public static int run(List<String> args, BtfRegistry registry, PrintStream out, PrintStream err) {
        if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("help"))) {
            out.println("Usage: " + USAGE);
            return 0;
        }
        if (!(args.size() == 3 || args.size() == 5) || !args.get(1).equals("-o")
                || (args.size() == 5 && !args.get(3).equals("module"))) {
            err.println("Error: usage: " + USAGE);
            return 1;
        }
        Path src = Path.of(args.get(0));
        Path obj = Path.of(args.get(2));
        String module = args.size() == 5 ? args.get(4) : "vmlinux";
        if (!args.get(0).endsWith(".c")) {
            err.println("Error: cc: " + src + ": not a C file (FILE.c)");
            return 1;
        }
        if (!Files.isReadable(src)) {
            err.println("Error: cc: " + src + ": No such file or directory");
            return 1;
        }
        Optional<Path> clang = clang();
        if (clang.isEmpty()) {
            return prebuilt(src, obj, out, err);
        }
        Btf btf;
        if (module.equals("vmlinux")) {
            btf = registry.vmlinuxBtf();
        } else {
            Optional<BtfObject> m = registry.moduleBtf(module);
            if (m.isEmpty()) {
                err.println("Error: cc: module '" + module + "' has no BTF (not loaded?)");
                return 1;
            }
            btf = m.get().btf();
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("bpf-osgi-cc");
            Files.writeString(dir.resolve("vmlinux.h"), BtfCDump.dump(btf));
            if (obj.toAbsolutePath().getParent() != null) {
                Files.createDirectories(obj.toAbsolutePath().getParent());
            }
            List<String> cmd = new ArrayList<>(List.of(clang.get().toString(), "-O2", "-g", "-target", "bpf",
                    "-mcpu=v3", "-I" + dir, "-c", src.toString(), "-o", obj.toString()));
            Proc p = exec(cmd, dir);
            if (p.status != 0) {
                err.print(p.err);
                err.println("Error: cc: clang exited with status " + p.status + " for " + src);
                return 1;
            }
            Proc v = exec(List.of(clang.get().toString(), "--version"), dir);
            String version = v.out.lines().findFirst().orElse("clang").strip();
            out.println("cc: " + src + " -> " + obj + " (" + version + ", vmlinux.h: btf dump module " + module
                    + " format c)");
            return 0;
        } catch (IOException e) {
            err.println("Error: cc: " + e.getMessage());
            return 1;
        } finally {
            deleteTree(dir);
        }
    }

    private static int prebuilt(Path src, Path obj, PrintStream out, PrintStream err) {
        String s = src.toString();
        Path pre = Path.of(s.substring(0, s.length() - 2) + ".o");
        if (!Files.isReadable(pre)) {
            err.println("Error: cc: clang is not installed and there is no prebuilt " + pre);
            return 1;
        }
        try {
            if (obj.toAbsolutePath().getParent() != null) {
                Files.createDirectories(obj.toAbsolutePath().getParent());
            }
            if (!Files.exists(obj) || !Files.isSameFile(pre, obj)) {
                Files.copy(pre, obj, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            err.println("Error: cc: " + obj + ": " + e.getMessage());
            return 1;
        }
        out.println("cc: clang is not installed: " + obj + " is the prebuilt " + pre);
        return 0;
    }

    /** clang on PATH (or the bpfosgi.clang property: a path, or a name looked up on PATH). */
    static Optional<Path> clang() {
        String c = System.getProperty(CLANG_PROPERTY, "clang");
        if (c.contains("/")) {
            return Files.isExecutable(Path.of(c)) ? Optional.of(Path.of(c)) : Optional.empty();
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, c))) {
                return Optional.of(Path.of(d, c));
            }
        }
        return Optional.empty();
    }

    private record Proc(int status, String out, String err) {
    }

    private static Proc exec(List<String> cmd, Path dir) throws IOException {
        Path o = dir.resolve("stdout");
        Path e = dir.resolve("stderr");
        Process p = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile()).start();
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("clang did not finish in 300 s");
            }
        } catch (InterruptedException ie) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return new Proc(p.exitValue(), Files.readString(o, StandardCharsets.UTF_8), Files.readString(e, StandardCharsets.UTF_8));
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
