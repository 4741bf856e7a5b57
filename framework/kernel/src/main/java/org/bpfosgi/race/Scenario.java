package org.bpfosgi.race;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bpfosgi.prog.ProgTable;
import org.bpfosgi.subsystem.KfuncPolicy;

/**
 * A race scenario: the machine's setup (commands run one after the other before the race) and
 * the actors (one command line each, each on its own thread). The file format:
 *
 * <pre>
 * # comment
 * kfunc-policy seed                    # optional: the machine's default policy
 * insmod bpf_testmod                   # setup lines: insmod NAME, prog load FILE [policy P] [unsafe-module-calls],
 *                                      #   obj load FILE [autoattach MAP,...] [policy P] [unsafe-module-calls],
 *                                      #   obj unload [NAME]
 * actor prog load body-kfunc.s         # actors: prog load FILE [policy P] [unsafe-module-calls],
 * actor rmmod bpf_testmod              #   rmmod [-f] NAME, insmod NAME, prog free id N, stop NAME,
 *                                      #   obj load FILE [autoattach MAP,...], obj unload [NAME],
 *                                      #   prog run id N [ctx_in HEX], struct_ops unregister id N
 * </pre>
 *
 * Program files are read relative to the scenario file.
 */
public record Scenario(String name, Optional<KfuncPolicy> policy, List<Command> setup, List<Command> actors) {
    /** At most this many actors: a schedule names each step's actor with one digit. */
    public static final int MAX_ACTORS = 10;

    /** One command line: what it does, and the line as written. */
    public sealed interface Command {
        String line();

        /** The module names it mentions (for the final lsmod state). */
        default Optional<String> moduleName() {
            return Optional.empty();
        }
    }

    /** {@code prog load FILE [policy P] [unsafe-module-calls]}: the file's text is read once. */
    public record ProgLoad(String line, String file, String text, ProgTable.LoadOptions options) implements Command {
    }

    /** {@code rmmod [-f] NAME}. */
    public record Rmmod(String line, String module, boolean force) implements Command {
        @Override
        public Optional<String> moduleName() {
            return Optional.of(module);
        }
    }

    /** {@code insmod NAME}. */
    public record Insmod(String line, String module) implements Command {
        @Override
        public Optional<String> moduleName() {
            return Optional.of(module);
        }
    }

    /**
     * {@code stop NAME}: the module's bundle stopped without rmmod (Gogo {@code stop}), as the
     * extender turns it into a forced unload; see {@link RaceMachine#stopBundle(String)}.
     */
    public record Stop(String line, String module) implements Command {
        @Override
        public Optional<String> moduleName() {
            return Optional.of(module);
        }
    }

    /** {@code prog free id N}. */
    public record ProgFree(String line, int id) implements Command {
    }

    /**
     * {@code obj load FILE [autoattach MAP,...]}: a bpf-osgi object (programs, struct_ops maps),
     * loaded as {@code obj load} does ({@link org.bpfosgi.obj.ObjLoader}); the object is named
     * after the file. {@code autoattach} null: every struct_ops map is attached.
     */
    public record ObjLoad(String line, String name, org.bpfosgi.obj.ObjectText text,
                          Set<String> autoattach, ProgTable.LoadOptions options) implements Command {
    }

    /** {@code obj unload [NAME]}: the object's links, maps and programs closed (ObjLoader.unload). */
    public record ObjUnload(String line, Optional<String> name) implements Command {
    }

    /** {@code prog run id N [ctx_in HEX]}: BPF_PROG_TEST_RUN (repeat 0, as libbpf passes it). */
    public record ProgRun(String line, int id, byte[] ctxIn) implements Command {
    }

    /** {@code struct_ops unregister id N}: a struct_ops map's delete_elem (bpftool struct_ops unregister). */
    public record StructOpsUnregister(String line, int id) implements Command {
    }

    public Scenario {
        setup = List.copyOf(setup);
        actors = List.copyOf(actors);
    }

    /** Every module name the scenario mentions, in order of first mention. */
    public List<String> moduleNames() {
        Set<String> out = new LinkedHashSet<>();
        for (Command c : setup) {
            c.moduleName().ifPresent(out::add);
        }
        for (Command c : actors) {
            c.moduleName().ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    /** Reads a scenario file; a bad line is an IllegalArgumentException naming it. */
    public static Scenario read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = org.bpfosgi.cli.UserFiles.text(file).lines().toList();
        } catch (org.bpfosgi.cli.UserFiles.Unreadable e) {
            // strerror's words, or "not a text file": not a Java decoder's "Input length = 1"
            throw new IOException("cannot read " + file + ": " + e.reason());
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(file.getFileName().toString(), lines, dir);
    }

    /** Parses scenario lines; program files are resolved against {@code dir}. */
    public static Scenario parse(String name, List<String> lines, Path dir) throws IOException {
        Optional<KfuncPolicy> policy = Optional.empty();
        List<Command> setup = new ArrayList<>();
        List<Command> actors = new ArrayList<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            List<String> w = Arrays.asList(line.split("\\s+"));
            String where = name + ":" + n + ": ";
            try {
                if (w.get(0).equals("kfunc-policy")) {
                    if (w.size() != 2) {
                        throw new IllegalArgumentException("kfunc-policy seed|upstream|emit-call");
                    }
                    policy = Optional.of(policyOf(w.get(1)));
                } else if (w.get(0).equals("actor")) {
                    if (w.size() < 2) {
                        throw new IllegalArgumentException("actor COMMAND...");
                    }
                    actors.add(command(String.join(" ", w.subList(1, w.size())), w.subList(1, w.size()), dir, true));
                } else {
                    if (!actors.isEmpty()) {
                        throw new IllegalArgumentException("setup lines come before the actors");
                    }
                    setup.add(command(line, w, dir, false));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
        }
        if (actors.isEmpty()) {
            throw new IllegalArgumentException(name + ": no actor lines (actor COMMAND...)");
        }
        if (actors.size() > MAX_ACTORS) {
            throw new IllegalArgumentException(name + ": at most " + MAX_ACTORS + " actors");
        }
        // Runs and module callbacks hold StructOpsKernel.lock() across the named points inside
        // module code; a second actor that needs the lock would block outside any point.
        long locking = actors.stream().filter(c -> c instanceof ObjLoad || c instanceof ObjUnload
                || c instanceof ProgRun || c instanceof StructOpsUnregister).count();
        if (locking > 1) {
            throw new IllegalArgumentException("Not modelled by the race harness: more than one actor among obj load, "
                    + "obj unload, prog run and struct_ops unregister (they serialise on the run lock, which is no named point)");
        }
        return new Scenario(name, policy, setup, actors);
    }

    private static KfuncPolicy policyOf(String v) {
        return KfuncPolicy.ofCliName(v).orElseThrow(() ->
                new IllegalArgumentException("policy is seed, upstream or emit-call, not " + v));
    }

    private static Command command(String line, List<String> w, Path dir, boolean actor) throws IOException {
        switch (w.get(0)) {
            case "insmod":
                if (w.size() != 2) {
                    throw new IllegalArgumentException("insmod NAME (a module the machine knows, e.g. bpf_testmod)");
                }
                return new Insmod(line, w.get(1));
            case "rmmod": {
                if (!actor) {
                    throw new IllegalArgumentException("rmmod is an actor, not a setup line");
                }
                boolean force = w.size() == 3 && w.get(1).equals("-f");
                if (w.size() != (force ? 3 : 2)) {
                    throw new IllegalArgumentException("rmmod [-f] NAME");
                }
                return new Rmmod(line, w.get(w.size() - 1), force);
            }
            case "prog":
                if (w.size() >= 3 && w.get(1).equals("load")) {
                    return progLoad(line, w, dir);
                }
                if (actor && w.size() == 4 && w.get(1).equals("free") && w.get(2).equals("id")) {
                    return new ProgFree(line, number(w.get(3), "prog free id N"));
                }
                if (actor && (w.size() == 4 || w.size() == 6) && w.get(1).equals("run") && w.get(2).equals("id")
                        && (w.size() == 4 || w.get(4).equals("ctx_in"))) {
                    byte[] ctx = null;
                    if (w.size() == 6) {
                        try {
                            ctx = java.util.HexFormat.of().parseHex(w.get(5));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("prog run id N ctx_in HEX: HEX is hex bytes, e.g. 0000000000000000");
                        }
                    }
                    return new ProgRun(line, number(w.get(3), "prog run id N"), ctx);
                }
                throw new IllegalArgumentException("prog load FILE [policy P] [unsafe-module-calls]"
                        + (actor ? ", prog free id N or prog run id N [ctx_in HEX]" : ""));
            case "stop":
                if (!actor || w.size() != 2) {
                    throw new IllegalArgumentException("actor stop NAME (the module's bundle stopped without rmmod)");
                }
                return new Stop(line, w.get(1));
            case "obj":
                if (w.size() >= 3 && w.get(1).equals("load")) {
                    return objLoad(line, w, dir);
                }
                if (w.size() <= 3 && w.size() >= 2 && w.get(1).equals("unload")) {
                    return new ObjUnload(line, w.size() == 3 ? Optional.of(w.get(2)) : Optional.empty());
                }
                throw new IllegalArgumentException("obj load FILE [autoattach MAP[,MAP...]] or obj unload [NAME]");
            case "struct_ops":
                if (actor && w.size() == 4 && w.get(1).equals("unregister") && w.get(2).equals("id")) {
                    return new StructOpsUnregister(line, number(w.get(3), "struct_ops unregister id N"));
                }
                throw new IllegalArgumentException("actor struct_ops unregister id N");
            default:
                throw new IllegalArgumentException("unknown command '" + w.get(0)
                        + "' (insmod, rmmod, prog load, prog free, prog run, obj load, obj unload, "
                        + "struct_ops unregister, stop)");
        }
    }

    private static int number(String s, String usage) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage + ": N is a number");
        }
    }

    private static ObjLoad objLoad(String line, List<String> w, Path dir) throws IOException {
        Path file = dir.resolve(w.get(2));
        String text;
        try {
            text = org.bpfosgi.cli.UserFiles.text(file);
        } catch (org.bpfosgi.cli.UserFiles.Unreadable e) {
            throw new IOException("cannot read " + file + ": " + e.reason());
        }
        Set<String> autoattach = null;
        Optional<KfuncPolicy> policy = Optional.empty();
        boolean unsafe = false;
        for (int i = 3; i < w.size(); i++) {
            if (w.get(i).equals("autoattach") && i + 1 < w.size()) {
                String v = w.get(++i);
                autoattach = v.equals("none") ? Set.of() : Set.copyOf(List.of(v.split(",")));
            } else if (w.get(i).equals("unsafe-module-calls")) {
                unsafe = true;
            } else if (w.get(i).equals("policy") && i + 1 < w.size()) {
                policy = Optional.of(policyOf(w.get(++i)));
            } else {
                throw new IllegalArgumentException("obj load FILE [autoattach MAP[,MAP...]] [policy P] [unsafe-module-calls]: "
                        + "unknown option '" + w.get(i) + "'");
            }
        }
        if (unsafe && policy.isPresent() && policy.get() != KfuncPolicy.EMIT_CALL) {
            throw new IllegalArgumentException("unsafe-module-calls only applies to policy emit-call");
        }
        String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        org.bpfosgi.obj.ObjectText parsed;
        try {
            parsed = org.bpfosgi.obj.ObjectText.parse(text, w.get(2));
        } catch (org.bpfosgi.prog.LoaderException e) {
            throw new IllegalArgumentException(w.get(2) + ": " + e.getMessage());
        }
        // as obj load refuses it: a misspelt map name would leave that map unattached in every schedule
        Optional<String> unknown = org.bpfosgi.obj.ObjLoader.unknownAutoattach(parsed.toOpened(), autoattach);
        if (unknown.isPresent()) {
            throw new IllegalArgumentException(org.bpfosgi.obj.ObjLoader.unknownAutoattachMessage(w.get(2), unknown.get()));
        }
        return new ObjLoad(line, name, parsed, autoattach, new ProgTable.LoadOptions(policy, unsafe));
    }

    private static ProgLoad progLoad(String line, List<String> w, Path dir) throws IOException {
        Path file = dir.resolve(w.get(2));
        Optional<KfuncPolicy> policy = Optional.empty();
        boolean unsafe = false;
        for (int i = 3; i < w.size(); i++) {
            if (w.get(i).equals("unsafe-module-calls")) {
                unsafe = true;
            } else if (w.get(i).equals("policy") && i + 1 < w.size()) {
                policy = Optional.of(policyOf(w.get(++i)));
            } else {
                throw new IllegalArgumentException("unknown option '" + w.get(i) + "' (policy P, unsafe-module-calls)");
            }
        }
        if (unsafe && policy.isPresent() && policy.get() != KfuncPolicy.EMIT_CALL) {
            throw new IllegalArgumentException("unsafe-module-calls only applies to policy emit-call");
        }
        String text;
        try {
            text = org.bpfosgi.cli.UserFiles.text(file);
        } catch (org.bpfosgi.cli.UserFiles.Unreadable e) {
            throw new IOException("cannot read " + file + ": " + e.reason());
        }
        return new ProgLoad(line, w.get(2), text, new ProgTable.LoadOptions(policy, unsafe));
    }
}
