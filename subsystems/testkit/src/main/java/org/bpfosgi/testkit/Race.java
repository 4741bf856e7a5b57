package org.bpfosgi.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.bpfosgi.race.Explorer;
import org.bpfosgi.race.RaceModules;
import org.bpfosgi.race.Scenario;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.KfuncPolicy;

/**
 * Module unload during verification, for a subsystem's own tests: actors (program loads,
 * {@code rmmod}, {@code insmod}, program frees) race at every named point of the kernel model,
 * each schedule on a fresh OSGi-free machine; the result is the table of distinct outcomes,
 * with the invariants checked after every schedule (see {@link RaceResult}).
 *
 * <pre>{@code
 * RaceResult r = Race.with("hello_ops", Path.of("src/main/bpf/hello_ops.h"), HelloSubsystem::new)
 *         .setup("insmod hello_ops")
 *         .actor("prog load src/test/bpf/greet.s")
 *         .actor("rmmod hello_ops")
 *         .exploreAll();
 * r.assertInvariantsHeld();
 * r.assertNever("a load and rmmod both succeed", o -> o.ok(0) && o.ok(1));
 * }</pre>
 *
 * Command lines are those of a {@code .race} file ({@code bpf-osgi race explore}): setup
 * {@code insmod NAME} and {@code prog load FILE [policy P]}; actors {@code prog load FILE [policy P]
 * [unsafe-module-calls]}, {@code rmmod [-f] NAME}, {@code insmod NAME}, {@code prog free id N}.
 * Program files are relative to {@link #in(Path)} (the working directory by default).
 */
public final class Race {
    private final Map<String, RaceModules.ModuleDef> modules = new LinkedHashMap<>();
    private final List<String> setup = new ArrayList<>();
    private final List<String> actors = new ArrayList<>();
    private Optional<KfuncPolicy> policy = Optional.empty();
    private Path dir = Path.of("");

    private Race() {
    }

    /** A race whose machines know module {@code name}: its BTF header and a factory of its subsystem object. */
    public static Race with(String name, Path btfHeader, Supplier<? extends BpfSubsystem> subsystem) {
        return new Race().module(name, btfHeader, subsystem);
    }

    /** {@link #with(String, Path, Supplier)} with the header's file name and text. */
    public static Race with(String name, String headerFileName, String headerText, Supplier<? extends BpfSubsystem> subsystem) {
        return new Race().module(name, headerFileName, headerText, subsystem);
    }

    /** Another module the machines know. */
    public Race module(String name, Path btfHeader, Supplier<? extends BpfSubsystem> subsystem) {
        String text;
        try {
            text = Files.readString(btfHeader, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return module(name, btfHeader.getFileName().toString(), text, subsystem);
    }

    /** Another module the machines know, its header given as text. */
    public Race module(String name, String headerFileName, String headerText, Supplier<? extends BpfSubsystem> subsystem) {
        modules.put(name, new RaceModules.ModuleDef(name, headerFileName, headerText, subsystem::get));
        return this;
    }

    /** A setup line, run before the actors start. */
    public Race setup(String line) {
        setup.add(line);
        return this;
    }

    /** An actor: one command line on its own thread. */
    public Race actor(String line) {
        actors.add(line);
        return this;
    }

    /** The machines' kfunc policy for pro/epilogue kfuncs (default: seed). */
    public Race policy(KfuncPolicy p) {
        this.policy = Optional.of(p);
        return this;
    }

    /** The folder program files are read from. */
    public Race in(Path folder) {
        this.dir = folder;
        return this;
    }

    private Scenario scenario() {
        List<String> lines = new ArrayList<>(setup);
        actors.forEach(a -> lines.add("actor " + a));
        try {
            return Scenario.parse("race", lines, dir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every schedule (up to the partial-order reduction: one per class of equivalent schedules). */
    public RaceResult exploreAll() {
        return run(Explorer.Options.all().withPolicy(policy));
    }

    /** {@code runs} seeded random (PCT) schedules: for scenarios too large for {@link #exploreAll()}. */
    public RaceResult exploreRandom(int runs, long seed) {
        return run(Explorer.Options.random(runs, seed).withPolicy(policy));
    }

    private RaceResult run(Explorer.Options o) {
        Scenario sc = scenario();
        RaceModules m = RaceModules.of(modules);
        return new RaceResult(Explorer.explore(sc, m, o), schedule -> Explorer.replay(sc, m, policy, schedule));
    }
}
