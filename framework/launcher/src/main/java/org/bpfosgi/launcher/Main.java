package org.bpfosgi.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.cli.BtfCli;
import org.bpfosgi.cli.IsaCli;
import org.bpfosgi.cli.UserFiles;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.host.CommandHelp;
import org.bpfosgi.host.Host;

/**
 * The {@code bpf-osgi} command line. One boot is one machine: {@code run FILE} executes a script
 * of commands in a single boot; {@code CMD ARGS...} boots, runs one command and exits with its
 * status; {@code shell} is the Gogo shell; {@code demo} walks through the model.
 */
public final class Main {
    /**
     * The commands the launcher itself runs, before the machine's: these and {@link CommandHelp}'s
     * entries (every command of the machine's table) are {@code --help}'s command list.
     */
    static final String LAUNCHER_COMMANDS = """
              demo                 walk through the module lifecycle on a fresh machine
              shell                the Gogo shell with every command below (plus Gogo's own: lb, stop, ...)
              run FILE             run one command per line in a single boot (blank lines and # comments
                                   skipped); carries on after a failing command; exits 1 if any failed
              help                 this text (as --help)
            """;

    static final String USAGE = """
            Usage: bpf-osgi [OPTIONS] COMMAND [ARGS...]

            Commands:
            """ + LAUNCHER_COMMANDS + CommandHelp.text() + """
              conformance-plugin   the bpf_conformance runner's plugin protocol (memory hex in the
                                   argument, program hex on stdin, r0 in hex on stdout)
              CMD ARGS...          any other command runs in one boot and exits 0 on success, 1 on failure

            Options (before the command):
              --load NAME[,NAME]   loadable modules to insmod at boot (default: bpf_testmod)
              --no-load            boot with no loadable module
              --modular NAME       load a built-in subsystem as a module instead (the seed's "built-in only?")
              --deploy DIR         drop-in folder watched by FileInstall (shell: default deploy/)
              --vmlinux builtin|PATH  vmlinux BTF (default: /sys/kernel/btf/vmlinux when readable, else builtin)
              --kfunc-policy seed|upstream|emit-call  kfunc calls in generated prologues/epilogues: the
                                   seed's module references (default), what 6.15 merged, or BPF_EMIT_CALL
              --bundles DIR        where the runtime and subsystem bundles are (default: next to the jar)
              -h, --help           this text

            asm, disasm, exec, conformance-plugin, btf compile and btf dump file run without booting a machine.
            """;

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        List<String> load = new ArrayList<>(List.of("bpf_testmod"));
        List<String> modular = new ArrayList<>();
        Optional<Path> deploy = Optional.empty();
        Optional<String> vmlinux = Optional.empty();
        KfuncPolicy policy = KfuncPolicy.SEED;
        Path bundles = null;
        while (!args.isEmpty() && args.get(0).startsWith("-")) {
            String opt = args.remove(0);
            try {
                switch (opt) {
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    case "--load" -> {
                        load.clear();
                        load.addAll(Arrays.asList(args.remove(0).split(",")));
                    }
                    case "--no-load" -> load.clear();
                    case "--modular" -> modular.add(args.remove(0));
                    case "--deploy" -> deploy = Optional.of(Path.of(args.remove(0)));
                    case "--bundles" -> bundles = Path.of(args.remove(0));
                    case "--vmlinux" -> vmlinux = Optional.of(args.remove(0));
                    case "--kfunc-policy" -> {
                        String v = args.remove(0);
                        Optional<KfuncPolicy> p = KfuncPolicy.ofCliName(v);
                        if (p.isEmpty()) {
                            err.println("bpf-osgi: --kfunc-policy is seed, upstream or emit-call, not " + v);
                            return 2;
                        }
                        policy = p.get();
                    }
                    default -> {
                        err.println("bpf-osgi: unknown option " + opt + " (see --help)");
                        return 2;
                    }
                }
            } catch (IndexOutOfBoundsException e) {
                err.println("bpf-osgi: option " + opt + " needs a value");
                return 2;
            }
        }
        if (args.isEmpty()) {
            out.print(USAGE);
            return 2;
        }
        String cmd = args.remove(0);
        if (cmd.equals("help")) {
            out.print(USAGE);
            return 0;
        }
        if (cmd.equals("run") && args.size() != 1) {
            err.println("bpf-osgi: usage: run FILE");
            return 1;
        }
        if (cmd.equals("run") && UserFiles.whyNotReadable(Path.of(args.get(0))) != null) {
            err.println("bpf-osgi: cannot read " + args.get(0) + ": " + UserFiles.whyNotReadable(Path.of(args.get(0))));
            return 1;
        }
        if (isMachineless(cmd, args)) {
            return runMachineless(cmd, args, vmlinux, out, err);
        }
        Path bundleDir = bundles != null ? bundles : defaultBundles();
        boolean shell = cmd.equals("shell");
        if (shell) {
            // shell takes --deploy after the word too: ./bpf-osgi shell --deploy DIR
            if (args.size() >= 2 && args.get(0).equals("--deploy")) {
                deploy = Optional.of(Path.of(args.get(1)));
            } else if (deploy.isEmpty()) {
                deploy = Optional.of(Path.of("deploy"));
            }
        }
        Host.Config config = new Host.Config(bundleDir, shell, deploy, load, modular, vmlinux);
        try (Host host = Host.start(config)) {
            host.kernel().bpf().progs().setDefaultKfuncPolicy(policy);
            return switch (cmd) {
                case "shell" -> {
                    host.waitForStop();
                    yield 0;
                }
                case "run" -> runScript(host, Path.of(args.get(0)), out, err);
                case "demo" -> demo(host, out, err);
                default -> host.executeArgs(cmd, args, out, err);
            };
        } catch (KernelException e) {
            err.println("bpf-osgi: " + e.getMessage());
            return 1;
        } catch (java.nio.file.FileSystemException e) {
            err.println("bpf-osgi: " + e.getFile() + ": " + UserFiles.reason(e));
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            // includes a BtfException: --vmlinux naming something that is not BTF
            err.println("bpf-osgi: " + org.bpfosgi.kernel.Debug.describe(e));
            return 1;
        } catch (Exception e) {
            err.println("bpf-osgi: " + org.bpfosgi.kernel.Debug.describe(e));
            org.bpfosgi.kernel.Debug.trace(e, err);
            return 1;
        }
    }

    /** Commands that need no machine: the instruction-set tools and BTF files. */
    static boolean isMachineless(String cmd, List<String> args) {
        return switch (cmd) {
            case "asm", "disasm", "exec", "conformance-plugin" -> true;
            case "btf" -> !args.isEmpty() && (args.get(0).equals("compile")
                    || (args.get(0).equals("dump") && args.size() > 1 && args.get(1).equals("file")));
            default -> false;
        };
    }

    private static int runMachineless(String cmd, List<String> args, Optional<String> vmlinux, PrintStream out,
                                      PrintStream err) {
        if (cmd.equals("btf")) {
            if (vmlinux.equals(Optional.of("builtin")) && args.get(0).equals("compile") && !args.contains("--base")) {
                // --vmlinux builtin makes the built-in base btf compile's default base too
                List<String> a = new ArrayList<>(args);
                a.add("--base");
                a.add("builtin");
                return BtfCli.run(a, null, out, err);
            }
            return BtfCli.run(args, null, out, err);
        }
        return IsaCli.run(cmd, args, System.in, out, err);
    }

    /** Runs a script: each command's output, carrying on after failures; 1 if any failed. */
    static int runScript(Host host, Path file, PrintStream out, PrintStream err) {
        List<String> lines;
        try {
            lines = UserFiles.text(file).lines().toList();
        } catch (UserFiles.Unreadable e) {
            err.println("bpf-osgi: cannot read " + file + ": " + e.reason());
            return 1;
        }
        return runLines(host, lines, out, err);
    }

    static int runLines(Host host, List<String> lines, PrintStream out, PrintStream err) {
        int status = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            out.println("$ " + line);
            out.flush();
            if (host.execute(line, out, err) != 0) {
                status = 1;
            }
            err.flush();
            if (!host.running()) {
                // the machine was shut down (stop 0): what follows cannot run, so the script failed
                long rest = lines.subList(i + 1, lines.size()).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
                if (rest > 0) {
                    err.println("bpf-osgi: the machine was stopped at line " + (i + 1) + " (" + line + "); "
                            + rest + " command" + (rest == 1 ? "" : "s") + " not run");
                    return 1;
                }
                return status;
            }
        }
        return status;
    }

    static int demo(Host host, PrintStream out, PrintStream err) throws IOException {
        Path prog = Files.createTempFile("test_prologue", ".s");
        Path noKfunc = Files.createTempFile("no_kfunc", ".s");
        try (InputStream in = Main.class.getResourceAsStream("demo.gosh");
             InputStream p = Main.class.getResourceAsStream("test_prologue.s");
             InputStream q = Main.class.getResourceAsStream("no_kfunc.s")) {
            Files.write(prog, p.readAllBytes());
            Files.write(noKfunc, q.readAllBytes());
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String jar = host.subsystemJar("bpf_testmod").map(Path::toString).orElse("testmod-bundle.jar");
            List<String> lines = new ArrayList<>();
            for (String l : text.split("\n")) {
                if (l.startsWith("#:")) {
                    out.println(l.substring(2).strip());
                    continue;
                }
                lines.add(l.replace("${testmod}", jar).replace("${prog}", prog.toString())
                        .replace("${noKfunc}", noKfunc.toString()));
            }
            // the demo shows refusals on purpose: its status is that of the walk-through itself
            runLinesNarrated(host, lines, out, err);
            return 0;
        } finally {
            Files.deleteIfExists(prog);
            Files.deleteIfExists(noKfunc);
        }
    }

    private static void runLinesNarrated(Host host, List<String> lines, PrintStream out, PrintStream err) {
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                out.println(line);
                continue;
            }
            out.println("$ " + line);
            out.flush();
            host.execute(line, out, out);
        }
    }

    private static Path defaultBundles() {
        String prop = System.getProperty("bpfosgi.bundles");
        if (prop != null) {
            return Path.of(prop);
        }
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return (Files.isDirectory(jar) ? jar.getParent() : jar.getParent()).resolve("bundles");
        } catch (URISyntaxException e) {
            return Path.of("bundles");
        }
    }
}
