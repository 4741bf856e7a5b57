package org.bpfosgi.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

import org.bpfosgi.race.Explorer;
import org.bpfosgi.race.RaceCli;
import org.junit.jupiter.api.Assertions;

/**
 * What {@link Race} found: the distinct outcomes with how many schedules led to each and a
 * schedule that replays one, and the invariant violations. The invariants: refcounts never
 * negative and back to their base once every program is freed; rmmod succeeded only with no
 * holders unless forced; no module code ran after its module was freed unless the unload was
 * forced (then each use is in the outcome as {@code use-after-free: ...}); a failed load holds
 * nothing; BTF ids of a re-inserted module never alias the old ones.
 */
public final class RaceResult {
    private final Explorer.Report report;
    private final Function<String, Explorer.Replayed> replayer;

    RaceResult(Explorer.Report report, Function<String, Explorer.Replayed> replayer) {
        this.report = report;
        this.replayer = replayer;
    }

    /** Schedules run. */
    public int schedules() {
        return report.schedules();
    }

    /** The distinct outcomes, in the order they were first seen. */
    public List<RaceOutcome> outcomes() {
        int actors = report.scenario().actors().size();
        List<RaceOutcome> out = new ArrayList<>();
        for (Explorer.Outcome o : report.outcomes()) {
            out.add(RaceOutcome.of(o.lines(), actors, o.schedules(), o.replay()));
        }
        return out;
    }

    /** Each invariant violation, with the first schedule that showed it. */
    public List<String> violations() {
        return report.violations().stream().map(v -> v.what() + " (schedule " + v.schedule() + ")").toList();
    }

    /** The table {@code bpf-osgi race explore} prints (without timings). */
    public String table() {
        return RaceCli.table(report, false);
    }

    /** Replays one schedule: its trace, one line per step, then its outcome lines. */
    public List<String> replay(String schedule) {
        Explorer.Replayed r = replayer.apply(schedule);
        List<String> out = new ArrayList<>(r.trace());
        out.addAll(r.outcome());
        return out;
    }

    /** Fails, with the table, if any invariant was violated. */
    public RaceResult assertInvariantsHeld() {
        Assertions.assertTrue(report.violations().isEmpty(), () -> "invariants violated:\n" + table());
        return this;
    }

    /** Fails, naming the outcome and its schedule, if some outcome matches {@code outcome}. */
    public RaceResult assertNever(String what, Predicate<RaceOutcome> outcome) {
        for (RaceOutcome o : outcomes()) {
            if (outcome.test(o)) {
                Assertions.fail("never expected " + what + ", but schedule " + o.replay() + " gives:\n  "
                        + String.join("\n  ", o.lines()));
            }
        }
        return this;
    }

    /** Fails, with the table, if no outcome matches {@code outcome}. */
    public RaceResult assertSometimes(String what, Predicate<RaceOutcome> outcome) {
        Assertions.assertTrue(outcomes().stream().anyMatch(outcome), () -> "no schedule gives " + what + ":\n" + table());
        return this;
    }
}
