package org.bpfosgi.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.obj.BpfObject;
import org.bpfosgi.obj.ObjLoader;
import org.bpfosgi.obj.ObjectText;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.LoaderException;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.ProgArrayMap;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.structops.StructOpsLink;
import org.bpfosgi.structops.StructOpsMap;

/**
 * The commands of objects, maps, struct_ops and links, after bpftool and libbpf:
 * {@code obj load FILE [autoattach MAP,...]} (FILE: object text or a clang-built ELF object),
 * {@code obj unload [NAME]}, {@code obj show [FILE.o]};
 * {@code map show}, {@code map dump id N}, {@code map free id N}; {@code struct_ops show},
 * {@code struct_ops dump}, {@code struct_ops register FILE} (an {@code obj load} with bpftool's
 * "Registered ..." lines; the object stays loaded, as if its links were pinned),
 * {@code struct_ops unregister id N}; {@code link show},
 * {@code link free id N}; and {@code prog run id N [ctx_in HEX] [repeat K]}. User errors print
 * {@code Error: ...} and return 1.
 */
public final class StructOpsCli {
    /** The objects loaded in this machine, by name, in load order. */
    private final java.util.LinkedHashMap<String, BpfObject> objects = new java.util.LinkedHashMap<>();
    private final StructOpsKernel kernel;

    public StructOpsCli(StructOpsKernel kernel) {
        this.kernel = kernel;
    }

    public StructOpsKernel kernel() {
        return kernel;
    }

    private static int error(PrintStream err, String msg) {
        err.println("Error: " + msg);
        return 1;
    }

    private static int parseId(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an id");
        }
    }

    private interface Body {
        int run() throws IOException;
    }

    private static int guarded(PrintStream err, Body b) {
        try {
            return b.run();
        } catch (LoaderException | IllegalArgumentException e) {
            return error(err, e.getMessage());
        } catch (IOException e) {
            return error(err, e.getMessage());
        } catch (RuntimeException e) {
            return error(err, "internal error: " + e);
        }
    }

    // ------------------------------------------------------------------ obj

    /** {@code obj load FILE [autoattach MAP,...] | obj unload [NAME] | obj show}. */
    public int obj(List<String> args, PrintStream out, PrintStream err) {
        return guarded(err, () -> {
            if (args.isEmpty() || args.get(0).equals("help")) {
                (args.isEmpty() ? err : out).println("Usage: obj { load FILE [autoattach MAP[,MAP...]] | unload [NAME] | show [FILE.o] }\n"
                        + "       FILE: a bpf-osgi object text, or an ELF object built by clang -target bpf (FILE.o)");
                return args.isEmpty() ? 1 : 0;
            }
            switch (args.get(0)) {
                case "load":
                    return objLoad(args, out, err);
                case "unload":
                    return objUnload(args, out, err);
                case "show":
                    if (args.size() == 2 && args.get(1).equals("--help")) {
                        out.println("Usage: obj show [FILE.o]  (no FILE: the loaded objects)");
                        return 0;
                    }
                    if (args.size() == 2) {
                        return objShowFile(Path.of(args.get(1)), out, err);
                    }
                    synchronized (objects) {
                        for (BpfObject o : objects.values()) {
                            List<String> parts = new ArrayList<>();
                            o.created().forEach(c -> parts.add(c.toString()));
                            out.println(o.name() + ": " + String.join(", ", parts));
                        }
                    }
                    return 0;
                default:
                    return error(err, "unknown command '" + args.get(0) + "' (load, unload, show)");
            }
        });
    }

    private int objLoad(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.size() == 2 && args.get(1).equals("--help")) {
            out.println("Usage: obj load FILE [autoattach MAP[,MAP...]|none]");
            return 0;
        }
        if (args.size() != 2 && !(args.size() == 4 && args.get(2).equals("autoattach"))) {
            return error(err, "obj load FILE [autoattach MAP[,MAP...]]");
        }
        Path file = Path.of(args.get(1));
        if (!Files.isReadable(file)) {
            return error(err, "cannot read " + file + ": No such file or directory");
        }
        if (Files.isDirectory(file)) {
            return error(err, "cannot read " + file + ": Is a directory");
        }
        boolean elf = org.bpfosgi.obj.elf.ElfObject.isElf(file);
        org.bpfosgi.obj.elf.ElfObject elfObj = null;
        if (elf) {
            // a clang-built object: libbpf's bpf_object__open_file() (its name: the file name up to the first '.')
            try {
                elfObj = org.bpfosgi.obj.elf.ElfObject.open(file);
            } catch (org.bpfosgi.obj.elf.ObjOpenException e) {
                err.println("libbpf: " + e.libbpfLine());
                return error(err, "failed to open object file " + file + ": " + org.bpfosgi.obj.LibbpfErrno.text(e.err()));
            }
        }
        String text = null;
        if (!elf) {
            // object text: a binary file that is not ELF is named as such, not by a decoder's words
            try {
                text = UserFiles.text(file);
            } catch (UserFiles.Unreadable e) {
                return error(err, "cannot read " + file + ": " + e.reason());
            }
        }
        String name = elf ? elfObj.name() : file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Set<String> autoattach = null;
        if (args.size() == 4) {
            autoattach = args.get(3).equals("none") ? Set.of() : new LinkedHashSet<>(List.of(args.get(3).split(",")));
        }
        synchronized (objects) {
            if (objects.containsKey(name)) {
                return error(err, "object '" + name + "' is loaded already (obj unload " + name + ")");
            }
        }
        BpfObject obj;
        try {
            org.bpfosgi.obj.OpenedObject opened = elf ? elfObj.toOpened()
                    : ObjectText.parse(text, file.toString()).toOpened();
            // a misspelt map name would otherwise leave that map unattached without a word
            java.util.Optional<String> unknown = ObjLoader.unknownAutoattach(opened, autoattach);
            if (unknown.isPresent()) {
                return error(err, ObjLoader.unknownAutoattachMessage(file.toString(), unknown.get()));
            }
            obj = ObjLoader.load(opened, name, autoattach, kernel);
        } catch (ObjLoader.ObjLoadException e) {
            e.lines().forEach(l -> err.println("libbpf: " + l));
            return error(err, "failed to load object file: " + org.bpfosgi.obj.LibbpfErrno.text(e.err()));
        }
        synchronized (objects) {
            objects.put(name, obj);
        }
        obj.log().forEach(l -> err.println("libbpf: " + l));
        obj.created().forEach(c -> out.println(c));
        return 0;
    }

    /** {@code obj show FILE.o}: what libbpf's open makes of a clang-built object, nothing loaded. */
    private int objShowFile(Path file, PrintStream out, PrintStream err) {
        if (!Files.isReadable(file)) {
            return error(err, "cannot read " + file + ": No such file or directory");
        }
        if (!org.bpfosgi.obj.elf.ElfObject.isElf(file)) {
            return error(err, file + " is not an ELF object (obj show FILE takes a clang-built .o)");
        }
        org.bpfosgi.obj.elf.ElfObject o;
        try {
            o = org.bpfosgi.obj.elf.ElfObject.open(file);
        } catch (org.bpfosgi.obj.elf.ObjOpenException e) {
            err.println("libbpf: " + e.libbpfLine());
            return error(err, "failed to open object file " + file + ": " + org.bpfosgi.obj.LibbpfErrno.text(e.err()));
        }
        org.bpfosgi.obj.elf.ElfShow.lines(o).forEach(out::println);
        return 0;
    }

    private int objUnload(List<String> args, PrintStream out, PrintStream err) {
        BpfObject o;
        synchronized (objects) {
            if (args.size() == 1) {
                if (objects.size() != 1) {
                    return error(err, objects.isEmpty() ? "no object is loaded" : "several objects are loaded: obj unload NAME");
                }
                o = objects.values().iterator().next();
            } else if (args.size() == 2) {
                o = objects.get(args.get(1));
                if (o == null) {
                    return error(err, "no object '" + args.get(1) + "' is loaded");
                }
            } else {
                return error(err, "obj unload [NAME]");
            }
            objects.remove(o.name());
        }
        ObjLoader.unload(o, kernel);
        return 0;
    }

    /** The loaded object of this name (for tests and scripts). */
    public java.util.Optional<BpfObject> object(String name) {
        synchronized (objects) {
            return java.util.Optional.ofNullable(objects.get(name));
        }
    }

    // ------------------------------------------------------------------ map

    /** {@code map show | map dump id N | map free id N}. */
    public int map(List<String> args, PrintStream out, PrintStream err) {
        return guarded(err, () -> {
            if (args.isEmpty()) {
                err.println("Usage: map { show | dump id ID | free id ID }");
                return 1;
            }
            switch (args.get(0)) {
                case "show", "list" -> {
                    for (BpfMap m : kernel.maps().list()) {
                        out.printf("%d: %s  name %s  flags 0x%x%n", m.id(), m.type().bpftoolName(), m.name(), m.attr().flags());
                        out.printf("\tkey %dB  value %dB  max_entries %d%n", m.attr().keySize(), m.attr().valueSize(),
                                m.attr().maxEntries());
                        if (m instanceof ProgArrayMap pa && pa.ownerType().isPresent()) {
                            out.printf("\towner_prog_type %s%n", pa.ownerType().get().name().toLowerCase(java.util.Locale.ROOT));
                        }
                        // bpftool's show_map_close_plain(): "btf_id N" (the map's BTF), "frozen"
                        if (m.btf() != null || m.frozen()) {
                            out.println("\t" + (m.btf() != null ? "btf_id " + m.btf().id() : "")
                                    + (m.frozen() ? (m.btf() != null ? "  " : "") + "frozen" : ""));
                        }
                        if (m instanceof StructOpsMap st) {
                            out.printf("\tbtf_vmlinux_value_type_id %d  btf %s%n", st.attr().btfVmlinuxValueTypeId(), st.desc().btf().name());
                        }
                    }
                    return 0;
                }
                case "dump" -> {
                    if (args.size() != 3 || !args.get(1).equals("id")) {
                        return error(err, "map dump id ID");
                    }
                    int id = parseId(args.get(2));
                    BpfMap m = kernel.maps().get(id).orElse(null);
                    if (m == null) {
                        return error(err, "get map by id (" + id + "): No such file or directory");
                    }
                    int found = 0;
                    for (int key = 0; key < m.attr().maxEntries(); key++) {
                        byte[] v = m.lookupUser(key);
                        if (v == null) {
                            continue;
                        }
                        found++;
                        out.println("key: " + hex(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(key).array())
                                + (v.length <= 16 ? "  value: " + hex(v) : "  value:"));
                        if (v.length > 16) {
                            for (int i = 0; i < v.length; i += 16) {
                                out.println(hex(java.util.Arrays.copyOfRange(v, i, Math.min(v.length, i + 16))));
                            }
                        }
                    }
                    out.println("Found " + found + " element" + (found == 1 ? "" : "s"));
                    return 0;
                }
                case "free" -> {
                    if (args.size() != 3 || !args.get(1).equals("id")) {
                        return error(err, "map free id ID");
                    }
                    int id = parseId(args.get(2));
                    int r = kernel.maps().close(id);
                    if (r == Errno.EBADF.negative()) {
                        return error(err, "map " + id + ": the user's reference is already freed (the kernel still holds it)");
                    }
                    if (r < 0) {
                        return error(err, "get map by id (" + id + "): No such file or directory");
                    }
                    return 0;
                }
                default -> {
                    return error(err, "unknown command '" + args.get(0) + "' (show, dump, free)");
                }
            }
        });
    }

    private static String hex(byte[] b) {
        List<String> parts = new ArrayList<>();
        for (byte x : b) {
            parts.add(HexFormat.of().toHexDigits(x));
        }
        return String.join(" ", parts);
    }

    // ------------------------------------------------------------------ struct_ops

    /** {@code struct_ops show | struct_ops dump | struct_ops unregister id N}. */
    public int structOps(List<String> args, PrintStream out, PrintStream err) {
        return guarded(err, () -> {
            if (args.isEmpty()) {
                err.println("Usage: struct_ops { show | dump | register FILE | unregister id ID }");
                return 1;
            }
            switch (args.get(0)) {
                case "show", "list" -> {
                    for (StructOpsMap m : structOpsMaps()) {
                        out.printf("%d: %-15s %-32s%n", m.id(), m.name(), m.desc().name());
                    }
                    return 0;
                }
                case "dump" -> {
                    for (StructOpsMap m : structOpsMaps()) {
                        out.printf("%d: %s  %s  state %s  %s%n", m.id(), m.name(), m.desc().name(), m.state(),
                                (m.attr().flags() & MapCreateAttr.BPF_F_LINK) != 0 ? "link" : "");
                        List<BpfProg> progs = m.progs();
                        List<String> names = m.memberNames();
                        for (int i = 0; i < names.size(); i++) {
                            BpfProg p = progs.get(i);
                            if (p != null) {
                                out.printf("\t.%s = prog %d (%s)%n", names.get(i), p.id(), p.name());
                            }
                        }
                    }
                    return 0;
                }
                case "unregister" -> {
                    if (args.size() != 3 || !args.get(1).equals("id")) {
                        return error(err, "struct_ops unregister id ID");
                    }
                    int id = parseId(args.get(2));
                    BpfMap m = kernel.maps().get(id).orElse(null);
                    if (!(m instanceof StructOpsMap st)) {
                        return error(err, "get map by id (" + id + "): " + (m == null ? "No such file or directory" : "not a struct_ops map"));
                    }
                    int r = st.delete(0);
                    if (r < 0) {
                        Errno e = Errno.ofOrElse(-r, null);
                        String why = r == -115 ? "Operation now in progress" : e == null ? "errno " + (-r) : e.description();
                        return error(err, "can't unload " + st.desc().name() + " " + st.name() + " id " + st.id() + ": " + why);
                    }
                    out.println("Unregistered " + st.desc().name() + " " + st.name() + " id " + st.id());
                    return 0;
                }
                case "register" -> {
                    if (args.size() != 2) {
                        return error(err, "struct_ops register FILE");
                    }
                    // obj load's own lines are replaced by bpftool's
                    int r = objLoad(List.of("load", args.get(1)), new PrintStream(java.io.OutputStream.nullOutputStream()), err);
                    if (r != 0) {
                        return r;
                    }
                    // bpftool struct_ops register's lines, per struct_ops map of the object
                    String name = Path.of(args.get(1)).getFileName().toString().replaceFirst("\\.[^.]*$", "");
                    BpfObject o = object(name).orElseThrow();
                    for (BpfObject.Created c : o.created()) {
                        if (!c.kind().equals("map") || !(kernel.maps().get(c.id()).orElse(null) instanceof StructOpsMap st)) {
                            continue;
                        }
                        int link = o.links().stream().filter(l -> l.map() == st).mapToInt(StructOpsLink::id).findFirst().orElse(0);
                        out.println(link == 0 ? "Registered " + st.desc().name() + " " + st.name() + " id " + st.id()
                                : "Registered " + st.desc().name() + " " + st.name() + " map id " + st.id() + " link id " + link);
                    }
                    return 0;
                }
                default -> {
                    return error(err, "unknown command '" + args.get(0) + "' (show, dump, register, unregister)");
                }
            }
        });
    }

    private List<StructOpsMap> structOpsMaps() {
        List<StructOpsMap> out = new ArrayList<>();
        for (BpfMap m : kernel.maps().list()) {
            if (m instanceof StructOpsMap st) {
                out.add(st);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ link

    /** {@code link show | link free id N}. */
    public int link(List<String> args, PrintStream out, PrintStream err) {
        return guarded(err, () -> {
            if (args.isEmpty()) {
                err.println("Usage: link { show | free id ID }");
                return 1;
            }
            switch (args.get(0)) {
                case "show", "list" -> {
                    for (StructOpsLink l : kernel.links().list()) {
                        out.printf("%d: struct_ops  map_id %d%n", l.id(), l.map().id());
                    }
                    return 0;
                }
                case "free" -> {
                    if (args.size() != 3 || !args.get(1).equals("id")) {
                        return error(err, "link free id ID");
                    }
                    int id = parseId(args.get(2));
                    if (kernel.links().close(id) < 0) {
                        return error(err, "get link by id (" + id + "): No such file or directory");
                    }
                    return 0;
                }
                default -> {
                    return error(err, "unknown command '" + args.get(0) + "' (show, free)");
                }
            }
        });
    }

    // ------------------------------------------------------------------ prog run

    /**
     * {@code prog run id N [ctx_in HEX] [repeat K]}: BPF_PROG_TEST_RUN as libbpf's
     * bpf_prog_test_run_opts() passes it (repeat 0 unless given; bpftool always passes 1, which
     * the kernel refuses for syscall programs). Prints the context after the run
     * ({@code ctx_out}) and bpftool's {@code Return value: R, duration: Dns} line.
     */
    public int progRun(List<String> args, PrintStream out, PrintStream err) {
        return guarded(err, () -> {
            if (args.size() < 3 || !args.get(1).equals("id")) {
                return error(err, "prog run id ID [ctx_in HEX] [repeat K]");
            }
            int id = parseId(args.get(2));
            byte[] ctx = null;
            int repeat = 0;
            for (int i = 3; i < args.size(); i += 2) {
                if (i + 1 >= args.size()) {
                    return error(err, "'" + args.get(i) + "' needs a value");
                }
                String v = args.get(i + 1);
                switch (args.get(i)) {
                    case "ctx_in" -> {
                        try {
                            ctx = HexFormat.of().parseHex(v.replace(" ", ""));
                        } catch (IllegalArgumentException e) {
                            return error(err, "ctx_in wants hex bytes, e.g. 0000000000000000");
                        }
                    }
                    case "repeat" -> repeat = parseId(v);
                    default -> {
                        return error(err, "unknown option '" + args.get(i) + "' (ctx_in, repeat)");
                    }
                }
            }
            if (kernel.progs().progs().get(id).isEmpty()) {
                return error(err, "get by id (" + id + "): No such file or directory");
            }
            StructOpsKernel.TestRun r = kernel.testRun(id, ctx, repeat);
            if (r.oops() != null) {
                return error(err, "failed to run program: the kernel oopsed (see dmesg): " + r.oops());
            }
            if (r.err() < 0) {
                Errno e = Errno.ofOrElse(-r.err(), null);
                return error(err, "failed to run program: " + (e == null ? "errno " + (-r.err()) : e.description()));
            }
            if (ctx != null && ctx.length > 0) {
                out.println("ctx_out: " + hex(r.ctxOut()));
            }
            out.printf("Return value: %d, duration%s: %dns%n", r.retval(), repeat > 1 ? " (average)" : "", r.duration());
            return 0;
        });
    }
}
