package org.bpfosgi.obj;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.CompiledBtf;
import org.bpfosgi.cli.ProgCli;
import org.bpfosgi.cli.StructOpsCli;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.bpfosgi.btf.BtfObject;

/**
 * A machine for the object, map and run tests, without OSGi: the module table, the built-in
 * vmlinux BTF, the program side, the run-time side, and bpf_testmod loaded as a module (its
 * header compiled as split BTF at COMING, its registrations in module_init). Commands run as
 * the launcher runs them ({@link #run}).
 */
final class ObjKernel {
    static final CompiledBtf VMLINUX = CDeclCompiler.compile("vmlinux-builtin.h",
            resource("/org/bpfosgi/btf/vmlinux-builtin.h"), null);
    static final String TESTMOD_HEADER = resource("/bpf/bpf_testmod.h");
    /** The repository's examples/progs. */
    static final Path PROGS = Path.of(System.getProperty("bpfosgi.repo", "../..")).resolve("examples/progs");

    final List<String> dmesg = new ArrayList<>();
    final ModuleTable modules = new ModuleTable(dmesg::add);
    final BtfRegistry btfRegistry = new BtfRegistry(VMLINUX.btf(), modules);
    final ProgKernel pk;
    final StructOpsKernel sk;
    final StructOpsCli cli;
    Module testmod;
    BtfObject testmodBtf;

    /** A machine whose loads default to the upstream kfunc policy (the landed selftests' world). */
    ObjKernel() {
        this(KfuncPolicy.UPSTREAM);
    }

    /** A machine whose loads default to {@code policy} (as {@code --kfunc-policy} sets it). */
    ObjKernel(KfuncPolicy policy) {
        modules.registerNotifier(new BtfModuleNotifier(btfRegistry, dmesg::add));
        pk = new ProgKernel(modules, btfRegistry, dmesg::add);
        pk.progs().setDefaultKfuncPolicy(policy);
        sk = new StructOpsKernel(pk, dmesg::add);
        cli = new StructOpsCli(sk);
    }

    static String resource(String path) {
        try (InputStream in = ObjKernel.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** insmod bpf_testmod. */
    ObjKernel withTestmod() {
        ModuleImage image = new ModuleImage("bpf_testmod", false,
                Optional.of(new ModuleImage.BtfSource("bpf_testmod.h", TESTMOD_HEADER)), true, true, 4096);
        Module[] self = new Module[1];
        BpfTestmod sub = new BpfTestmod();
        ModuleTable.ModuleCode code = new ModuleTable.ModuleCode() {
            @Override
            public int init() {
                return pk.registerSubsystem(self[0], btfRegistry.moduleBtf("bpf_testmod").orElseThrow(), sub);
            }

            @Override
            public void exit() {
            }
        };
        Module m = modules.prepareLoad(image, List.of(), code);
        self[0] = m;
        testmod = m;
        testmodBtf = btfRegistry.moduleBtf("bpf_testmod").orElseThrow();
        modules.initModule(m);
        return this;
    }

    /** One command's outcome. */
    record Out(int status, String out, String err) {
        boolean ok() {
            return status == 0;
        }

        @Override
        public String toString() {
            return "status " + status + "\n" + out + err;
        }
    }

    /** Runs {@code obj|map|struct_ops|link|prog ...}. */
    Out run(String cmd, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
        PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8);
        List<String> a = List.of(args);
        int s = switch (cmd) {
            case "obj" -> cli.obj(a, po, pe);
            case "map" -> cli.map(a, po, pe);
            case "struct_ops" -> cli.structOps(a, po, pe);
            case "link" -> cli.link(a, po, pe);
            case "prog" -> ProgCli.run(a, pk, cli, po, pe);
            default -> throw new IllegalArgumentException(cmd);
        };
        return new Out(s, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** Loads an object text (written to a temporary file named NAME.bpf). */
    Out load(String name, String text, String... extra) throws IOException {
        Path dir = Files.createTempDirectory("obj");
        Path f = dir.resolve(name + ".bpf");
        Files.writeString(f, text);
        List<String> a = new ArrayList<>(List.of("load", f.toString()));
        a.addAll(List.of(extra));
        return run("obj", a.toArray(String[]::new));
    }

    /** Loads an object directly (without the command). */
    BpfObject loadObject(String name, String text, Set<String> autoattach) {
        return ObjLoader.load(ObjectText.parse(text, name + ".bpf"), name, autoattach, sk);
    }

    static String example(String file) throws IOException {
        return Files.readString(PROGS.resolve(file));
    }

    /** The id a load printed for {@code kind name}. */
    static int id(Out load, String kind, String name) {
        for (String l : load.out().split("\n")) {
            String[] w = l.split(" ");
            if (w.length == 3 && w[0].equals(kind) && w[2].equals(name)) {
                return Integer.parseInt(w[1]);
            }
        }
        throw new AssertionError("no " + kind + " " + name + " in\n" + load);
    }

    /** The retval of {@code prog run id N [ctx_in HEX]}. */
    long retval(int progId, String... ctxIn) {
        Out r = ctxIn.length == 0 ? run("prog", "run", "id", Integer.toString(progId))
                : run("prog", "run", "id", Integer.toString(progId), "ctx_in", ctxIn[0]);
        if (!r.ok()) {
            throw new AssertionError("prog run failed: " + r);
        }
        for (String l : r.out().split("\n")) {
            if (l.startsWith("Return value: ")) {
                return Long.parseLong(l.substring(14, l.indexOf(',')));
            }
        }
        throw new AssertionError("no Return value line in " + r);
    }
}
