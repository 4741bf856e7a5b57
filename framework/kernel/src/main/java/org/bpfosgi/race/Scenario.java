package org.bpfosgi.race;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
 * insmod bpf_testmod                   # setup lines: insmod NAME, prog load FILE [policy P] [unsafe-module-calls]
 * actor prog load body-kfunc.s         # actors: prog load FILE [policy P] [unsafe-module-calls],
 * actor rmmod bpf_testmod              #   rmmod [-f] NAME, insmod NAME, prog free id N
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
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + file + ": No such file or directory");
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
                    try {
                        return new ProgFree(line, Integer.parseInt(w.get(3)));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("prog free id N: N is a number");
                    }
                }
                throw new IllegalArgumentException("prog load FILE [policy P] [unsafe-module-calls]"
                        + (actor ? " or prog free id N" : ""));
            case "stop":
                if (!actor || w.size() != 2) {
                    throw new IllegalArgumentException("actor stop NAME (the module's bundle stopped without rmmod)");
                }
                return new Stop(line, w.get(1));
            case "obj", "struct_ops":
                throw new IllegalArgumentException("Not modelled by the race harness: " + w.get(0)
                        + " actors (struct_ops maps are not in this build)");
            default:
                throw new IllegalArgumentException("unknown command '" + w.get(0)
                        + "' (insmod, rmmod, prog load, prog free, stop)");
        }
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
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + file + ": No such file or directory");
        }
        return new ProgLoad(line, w.get(2), text, new ProgTable.LoadOptions(policy, unsafe));
    }
}
