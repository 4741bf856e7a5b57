package org.bpfosgi.host;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.bpfosgi.btf.BtfIdSet;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.kernel.Kernel;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.StructOps;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The module commands users know from kmod: {@code lsmod}, {@code insmod}, {@code rmmod},
 * {@code modinfo}, plus {@code subsystems} and {@code dmesg}. Output and error lines follow
 * kmod's wording (tools/lsmod.c, rmmod.c, insmod.c, modinfo.c); each command returns its exit
 * status.
 */
public final class ModuleCommands {
    private final Kernel kernel;
    private final ModuleExtender extender;
    private final BundleContext context;

    public ModuleCommands(Kernel kernel, ModuleExtender extender, BundleContext context) {
        this.kernel = kernel;
        this.extender = extender;
        this.context = context;
    }

    /**
     * kmod lsmod: header "Module                  Size  Used by", then per module
     * {@code %-19s %8lu  %d} and the holder modules, comma-separated. {@code --proc} prints
     * /proc/modules instead (kernel/module/procfs.c m_show()).
     */
    public int lsmod(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.println("Usage: lsmod [--proc]\n  Lists loaded modules as kmod's lsmod does (built-in code is not listed).\n"
                    + "  --proc  print /proc/modules lines instead");
            return 0;
        }
        if (args.equals(List.of("--proc"))) {
            return procModules(out);
        }
        if (!args.isEmpty()) {
            err.println("lsmod: ERROR: unexpected argument " + args.get(0) + " (usage: lsmod [--proc])");
            return 1;
        }
        out.println("Module                  Size  Used by");
        for (Module m : kernel.modules().list()) {
            StringBuilder line = new StringBuilder(String.format("%-19s %8d  %d", m.name(), m.image().size(), m.refcount()));
            List<String> users = m.usedBy();
            if (!users.isEmpty()) {
                line.append(' ').append(String.join(",", users));
            }
            out.println(line);
        }
        return 0;
    }

    /** /proc/modules: {@code name size refcount users state 0x0000000000000000[ taints]}. */
    public int procModules(PrintStream out) {
        for (Module m : kernel.modules().list()) {
            StringBuilder users = new StringBuilder();
            for (String u : m.usedBy()) {
                users.append(u).append(',');
            }
            if (m.image().hasInit() && !m.image().hasExit()) {
                users.append("[permanent],");
            }
            if (users.length() == 0) {
                users.append('-');
            }
            String state = m.state() == ModuleState.GOING ? "Unloading"
                    : m.state() == ModuleState.COMING ? "Loading" : "Live";
            out.printf("%s %d %d %s %s 0x0000000000000000%n", m.name(), m.image().size(), m.refcount(), users, state);
        }
        return 0;
    }

    /** insmod JAR: kmod's "could not insert module" wording on failure. */
    public int insmod(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1 || args.get(0).startsWith("-")) {
            if (args.contains("--help")) {
                out.println("Usage: insmod JAR\n  Loads a subsystem bundle as a kernel module (load_module + init).");
                return 0;
            }
            err.println("insmod: ERROR: usage: insmod JAR");
            return 1;
        }
        String file = args.get(0);
        Path jar = Path.of(file);
        String why = org.bpfosgi.cli.UserFiles.whyNotReadable(jar);
        if (why != null) {
            // kmod: kmod_module_new_from_path/open failing is "could not load module F: strerror"
            err.println("insmod: ERROR: could not load module " + file + ": " + why);
            return 1;
        }
        try {
            extender.insmod(jar);
            return 0;
        } catch (KernelException e) {
            if (e.errno() == Errno.ENOENT && !jar.toFile().exists()) {
                err.println("insmod: ERROR: could not load module " + file + ": No such file or directory");
                return 1;
            }
            err.println("insmod: ERROR: could not insert module " + file + ": " + insmodStrerror(e.errno()));
            String detail = detail(e);
            if (!detail.isEmpty()) {
                err.println("insmod: " + detail);
            }
            return 1;
        }
    }

    /** kmod insmod.c mod_strerror(). */
    static String insmodStrerror(Errno e) {
        return switch (e) {
            case ENOEXEC -> "Invalid module format";
            case ENOENT -> "Unknown symbol in module";
            case ESRCH -> "Module has wrong symbol version";
            case EINVAL -> "Invalid parameters";
            default -> e.description();
        };
    }

    /** rmmod [-f] NAME...: delete_module first, kmod's messages for its answers. */
    public int rmmod(List<String> args, PrintStream out, PrintStream err) {
        boolean force = false;
        List<String> names = new ArrayList<>();
        for (String a : args) {
            switch (a) {
                case "-f", "--force" -> force = true;
                case "-h", "--help" -> {
                    out.println("Usage: rmmod [-f] NAME...\n  delete_module(NAME, force ? O_TRUNC : 0), then stop and uninstall its bundle.\n"
                            + "  -f  forced unload: ignores references and taints the kernel (R)");
                    return 0;
                }
                default -> {
                    if (a.startsWith("-")) {
                        err.println("rmmod: ERROR: unrecognized option " + a);
                        return 1;
                    }
                    names.add(a.endsWith(".ko") ? a.substring(0, a.length() - 3) : a);
                }
            }
        }
        if (names.isEmpty()) {
            err.println("rmmod: ERROR: missing module name.");
            return 1;
        }
        int status = 0;
        for (String name : names) {
            status |= rmmodOne(name, force, out, err);
        }
        return status;
    }

    private int rmmodOne(String name, boolean force, PrintStream out, PrintStream err) {
        ModuleExtender.RmmodResult r = extender.rmmod(name, force);
        if (r.builtin()) {
            err.println("rmmod: ERROR: Module " + name + " is builtin.");
            return 1;
        }
        var d = r.delete();
        if (d.ok()) {
            if (d.forced() && !d.holdersLeft().isEmpty()) {
                err.println("rmmod: WARNING: forced unload of " + name + " left references dangling: " + holders(d.holdersLeft()));
            }
            return 0;
        }
        Errno e = d.errno().orElseThrow();
        if (force) {
            // kmod skips its in-use check with -f and reports the kernel's answer as strerror
            err.println("rmmod: ERROR: could not remove module " + name + ": " + e.description());
        } else {
            switch (e) {
                case ENOENT -> err.println("rmmod: ERROR: Module " + name + " is not currently loaded");
                case EAGAIN -> {
                    if (!d.usedBy().isEmpty()) {
                        err.println("rmmod: ERROR: Module " + name + " is in use by: " + String.join(" ", d.usedBy()));
                    } else {
                        err.println("rmmod: ERROR: Module " + name + " is in use");
                    }
                }
                default -> err.println("rmmod: ERROR: could not remove module " + name + ": " + e.description());
            }
        }
        if (!d.holdersLeft().isEmpty()) {
            // not kmod: the model knows who holds the references, which is what a user debugging
            // a refused unload wants (delete_module spells -EAGAIN as -EWOULDBLOCK)
            String sym = e == Errno.EAGAIN ? "-EWOULDBLOCK" : e.symbol();
            err.println("rmmod: delete_module(\"" + name + "\") = " + sym + "; held by: " + holders(d.holdersLeft()));
        }
        return 1;
    }

    private static String holders(Map<String, Integer> h) {
        return ModuleTable.holders(h);
    }

    /** modinfo NAME: the bundle, state, refcount, each named holder, taints, built-in or not. */
    public int modinfo(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1 || args.get(0).startsWith("-")) {
            if (args.contains("--help")) {
                out.println("Usage: modinfo NAME\n  Shows a subsystem's bundle, module state, refcount, named holders, users and taints.");
                return 0;
            }
            err.println("modinfo: ERROR: usage: modinfo NAME");
            return 1;
        }
        String name = args.get(0);
        var s = extender.subsystem(name);
        if (s.isEmpty()) {
            err.println("modinfo: ERROR: Module " + name + " not found.");
            return 1;
        }
        Subsystem sub = s.get();
        field(out, "name", sub.name());
        field(out, "filename", sub.builtin() ? "(builtin)" : sub.bundle().getLocation().replaceFirst("^insmod:", ""));
        field(out, "bundle", sub.bundle().getBundleId() + " " + sub.bundle().getSymbolicName() + " " + sub.bundle().getVersion());
        field(out, "builtin", sub.builtin() ? "yes" : "no");
        field(out, "struct_ops", String.join(", ", structOps(sub)));
        if (sub.module().isPresent()) {
            Module m = sub.module().get();
            field(out, "state", m.state().initstate());
            field(out, "refcount", Integer.toString(m.refcount()));
            Map<String, Integer> h = m.holders();
            if (h.isEmpty()) {
                field(out, "holder", "-");
            }
            h.forEach((k, v) -> field(out, "holder", v == 1 ? k : k + " x" + v));
            field(out, "used by", m.usedBy().isEmpty() ? "-" : String.join(",", m.usedBy()));
            field(out, "depends", String.join(",", m.uses()));
        } else {
            field(out, "state", "built-in");
        }
        var t = kernel.modules().taints();
        field(out, "taints", t.isEmpty() ? "" : t.stream().map(String::valueOf).sorted().collect(Collectors.joining()) + " (kernel)");
        return 0;
    }

    private static void field(PrintStream out, String key, String value) {
        out.printf("%-16s%s%n", key + ":", value);
    }

    /** subsystems: every subsystem, built-in or module, with its struct_ops types. */
    public int subsystems(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            if (args.contains("--help")) {
                out.println("Usage: subsystems\n  Lists every BPF subsystem, built into vmlinux or a module, with its struct_ops types.");
                return 0;
            }
            err.println("subsystems: ERROR: takes no arguments");
            return 1;
        }
        out.printf("%-14s %-8s %-8s %-6s %s%n", "NAME", "KIND", "STATE", "KFUNCS", "STRUCT_OPS");
        for (Subsystem s : extender.subsystems()) {
            String state = s.module().map(m -> m.state().initstate()).orElse("live");
            out.printf("%-14s %-8s %-8s %-6s %s%n", s.name(), s.builtin() ? "builtin" : "module", state,
                    kfuncCount(s.name()), String.join(",", structOps(s)));
        }
        return 0;
    }

    /** The kfuncs in the subsystem's BTF_KFUNCS sets, as resolved from its header. */
    private String kfuncCount(String module) {
        return kernel.btf().compiledIds(module)
                .map(c -> Long.toString(c.sets().values().stream().filter(BtfIdSet::kfuncs)
                        .flatMap(set -> set.entries().stream()).distinct().count()))
                .orElse("-");
    }

    private List<String> structOps(Subsystem s) {
        ServiceReference<?>[] refs = s.bundle().getRegisteredServices();
        List<String> types = new ArrayList<>();
        if (refs == null) {
            return types;
        }
        for (ServiceReference<?> ref : refs) {
            Object svc = context.getService(ref);
            try {
                if (svc instanceof BpfSubsystem subsystem) {
                    subsystem.structOps().stream().map(StructOps::name).forEach(types::add);
                }
            } finally {
                context.ungetService(ref);
            }
        }
        return types;
    }

    /** dmesg: the kernel log. */
    public int dmesg(List<String> args, PrintStream out, PrintStream err) {
        kernel.dmesg().forEach(out::println);
        return 0;
    }

    private static String detail(KernelException e) {
        return e.detail();
    }
}
