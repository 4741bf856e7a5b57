package org.bpfosgi.race;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.bpfosgi.subsystem.KfuncPolicy;

/**
 * Runs a scenario's schedules and groups them by outcome.
 *
 * <p><b>Every schedule</b> ({@link Options#all()}): a depth-first search over the controller's
 * choices, each schedule re-executed from a fresh machine (stateless model checking). With the
 * reduction on, the search carries sleep sets (Godefroid): after the subtree where actor X moved
 * first from a state has been explored, X sleeps in its siblings' subtrees as long as the steps
 * taken there commute with X's step ({@link Footprint#independent}); a schedule whose every
 * runnable actor sleeps is cut, since an equivalent one (the same steps with commuting ones
 * swapped, hence the same outcome) was explored already.
 *
 * <p><b>Random schedules</b> ({@link Options#randomRuns()}): PCT (Burckhardt et al., ASPLOS
 * 2010): each actor gets a random priority, the highest-priority runnable actor runs, and at
 * {@code d - 1} random steps the running actor drops to a low priority; seeded, so a run is
 * reproducible, and each schedule is printed so it can be replayed.
 */
public final class Explorer {
    /** PCT's bug depth d: priority change points per schedule = d - 1. */
    static final int PCT_DEPTH = 3;

    /**
     * How to explore.
     *
     * @param randomRuns 0 for every schedule; else that many PCT schedules from {@code seed}
     * @param policy     the machine's kfunc policy (overrides the scenario's)
     * @param reduction  the partial-order reduction (for every schedule)
     */
    public record Options(int randomRuns, long seed, Optional<KfuncPolicy> policy, boolean reduction) {
        public static Options all() {
            return new Options(0, 0, Optional.empty(), true);
        }

        public static Options random(int runs, long seed) {
            return new Options(runs, seed, Optional.empty(), true);
        }

        public Options withPolicy(Optional<KfuncPolicy> p) {
            return new Options(randomRuns, seed, p, reduction);
        }

        public Options withReduction(boolean r) {
            return new Options(randomRuns, seed, policy, r);
        }
    }

    /** One distinct outcome: its lines, how many schedules led to it, the first of them. */
    public record Outcome(List<String> lines, int schedules, String replay) {
    }

    /** An invariant violation: what, and the first schedule that showed it with its trace. */
    public record Violation(String what, String schedule, List<String> trace) {
    }

    /**
     * What an exploration found.
     *
     * @param schedules complete schedules run
     * @param cut       schedules cut by the reduction (run only up to where every runnable actor slept)
     */
    public record Report(Scenario scenario, Options options, int schedules, int cut, long nanos,
                         List<Outcome> outcomes, List<Violation> violations) {
        public double schedulesPerSecond() {
            return nanos == 0 ? 0 : (schedules + cut) / (nanos / 1e9);
        }
    }

    private Explorer() {
    }

    private static KfuncPolicy policy(Scenario sc, Options o) {
        return o.policy().or(sc::policy).orElse(KfuncPolicy.SEED);
    }

    /** Explores {@code sc} on machines made from {@code modules}. */
    public static Report explore(Scenario sc, RaceModules modules, Options o) {
        long t0 = System.nanoTime();
        Collector c = new Collector();
        KfuncPolicy p = policy(sc, o);
        int cut = 0;
        if (o.randomRuns() > 0) {
            Random rnd = new Random(o.seed());
            int longest = 8;
            for (int run = 0; run < o.randomRuns(); run++) {
                Execution.Result r = new Execution(sc, modules, p).run(new Pct(rnd, sc.actors().size(), longest));
                longest = Math.max(longest, r.trace().size());
                c.add(r);
            }
        } else {
            cut = depthFirst(sc, modules, p, o.reduction(), c);
        }
        return new Report(sc, o, c.schedules, cut, System.nanoTime() - t0, c.outcomes(), c.violations());
    }

    /** A replayed schedule: its trace (one line per step), its outcome lines and invariant violations. */
    public record Replayed(String schedule, List<String> trace, List<String> outcome, List<String> violations) {
    }

    /** Replays one schedule: the result, with its trace. */
    public static Replayed replay(Scenario sc, RaceModules modules, Optional<KfuncPolicy> policy, String schedule) {
        for (char ch : schedule.toCharArray()) {
            if (ch < '0' || ch > '9') {
                throw new IllegalArgumentException("a schedule is a string of actor numbers 0-9, not '" + schedule + "'");
            }
        }
        KfuncPolicy p = policy.or(sc::policy).orElse(KfuncPolicy.SEED);
        Execution.Result r = new Execution(sc, modules, p).run((depth, enabled, at) -> {
            if (depth < schedule.length()) {
                return schedule.charAt(depth) - '0';
            }
            throw new IllegalArgumentException("the schedule ends after " + schedule.length()
                    + " steps but actors are left: " + describe(at));
        });
        if (r.schedule().length() < schedule.length()) {
            throw new IllegalArgumentException("the schedule has " + schedule.length() + " steps but every actor finished after "
                    + r.schedule().length() + " (" + r.schedule() + ")");
        }
        return new Replayed(r.schedule(), traceLines(r), r.outcome(), r.violations());
    }

    private static String describe(List<String> at) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < at.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('A').append(i).append(' ').append(at.get(i));
        }
        return sb.toString();
    }

    private static final class Frame {
        final List<Integer> enabled;
        final Map<Integer, Footprint> sleep;
        final Map<Integer, Footprint> done = new LinkedHashMap<>();
        /** The actors that must be tried first from this state (DPOR's backtrack set). */
        final java.util.Set<Integer> backtrack = new java.util.LinkedHashSet<>();
        int chosen;
        Footprint chosenFp;

        Frame(List<Integer> enabled, Map<Integer, Footprint> sleep) {
            this.enabled = List.copyOf(enabled);
            this.sleep = sleep;
        }
    }

    /** The depth-first search with sleep sets; returns the number of schedules cut. */
    private static int depthFirst(Scenario sc, RaceModules modules, KfuncPolicy p, boolean reduction, Collector c) {
        List<Frame> frames = new ArrayList<>();
        int cut = 0;
        while (true) {
            Execution.Chooser ch = new Execution.Chooser() {
                @Override
                public int choose(int depth, List<Integer> enabled, List<String> at) {
                    if (depth < frames.size()) {
                        Frame f = frames.get(depth);
                        if (!enabled.contains(f.chosen)) {
                            throw new IllegalStateException("the model is not deterministic: at step " + (depth + 1)
                                    + " actor " + f.chosen + " cannot run on re-execution (" + describe(at) + ")");
                        }
                        return f.chosen;
                    }
                    Map<Integer, Footprint> sleep = new HashMap<>();
                    if (reduction && depth > 0) {
                        Frame prev = frames.get(depth - 1);
                        inherit(prev.sleep, prev, sleep);
                        inherit(prev.done, prev, sleep);
                    }
                    Frame f = new Frame(enabled, sleep);
                    frames.add(f);
                    f.chosen = -1;
                    for (int i : enabled) {
                        if (!sleep.containsKey(i)) {
                            f.chosen = i;
                            break;
                        }
                    }
                    if (!reduction) {
                        f.backtrack.addAll(enabled);
                    } else if (f.chosen >= 0) {
                        f.backtrack.add(f.chosen);
                    }
                    return f.chosen;
                }

                @Override
                public void stepped(int depth, int actor, Footprint fp) {
                    frames.get(depth).chosenFp = fp;
                }
            };
            Execution.Result r = new Execution(sc, modules, p).run(ch);
            if (r.abandoned()) {
                cut++;
            } else {
                c.add(r);
            }
            if (reduction) {
                addBacktracks(frames);
            }
            int d = frames.size() - 1;
            while (d >= 0) {
                Frame f = frames.get(d);
                if (f.chosen >= 0) {
                    f.done.put(f.chosen, f.chosenFp == null ? Footprint.ALL : f.chosenFp);
                }
                Integer next = null;
                for (int i : f.backtrack) {
                    if (!f.done.containsKey(i) && !f.sleep.containsKey(i)) {
                        next = i;
                        break;
                    }
                }
                if (next != null) {
                    f.chosen = next;
                    f.chosenFp = null;
                    while (frames.size() > d + 1) {
                        frames.remove(frames.size() - 1);
                    }
                    break;
                }
                d--;
            }
            if (d < 0) {
                return cut;
            }
        }
    }

    /**
     * DPOR (Flanagan and Godefroid, POPL 2005) over the execution just run: for each step i and
     * the latest earlier step j of another actor that races with it (dependent, and not ordered
     * before i through a step in between), the state before j must also be explored with i's
     * actor first — or, if that actor could not run there, with every actor that could.
     */
    private static void addBacktracks(List<Frame> frames) {
        int n = 0;
        while (n < frames.size() && frames.get(n).chosen >= 0) {
            n++;
        }
        int actors = 0;
        for (int k = 0; k < n; k++) {
            actors = Math.max(actors, frames.get(k).chosen + 1);
            for (int e : frames.get(k).enabled) {
                actors = Math.max(actors, e + 1);
            }
        }
        // vc[i][a]: the number of steps of actor a that happen before or are step i
        int[][] vc = new int[n][actors];
        int[] lastOf = new int[actors];
        java.util.Arrays.fill(lastOf, -1);
        int[] countOf = new int[actors];
        for (int i = 0; i < n; i++) {
            Frame fi = frames.get(i);
            int p = fi.chosen;
            Footprint fpi = fi.chosenFp == null ? Footprint.ALL : fi.chosenFp;
            int[] c = lastOf[p] >= 0 ? vc[lastOf[p]].clone() : new int[actors];
            int race = -1;
            for (int j = i - 1; j >= 0; j--) {
                Frame fj = frames.get(j);
                if (fj.chosen == p) {
                    continue;
                }
                Footprint fpj = fj.chosenFp == null ? Footprint.ALL : fj.chosenFp;
                if (!Footprint.independent(fpi, fpj)) {
                    // j races with i unless j already happens before i through the steps taken so far
                    boolean ordered = c[fj.chosen] > stepIndexOf(frames, j);
                    if (!ordered && race < 0) {
                        race = j;
                    }
                    for (int a = 0; a < actors; a++) {
                        c[a] = Math.max(c[a], vc[j][a]);
                    }
                }
            }
            countOf[p]++;
            c[p] = countOf[p];
            vc[i] = c;
            lastOf[p] = i;
            if (race >= 0) {
                Frame fr = frames.get(race);
                if (fr.enabled.contains(p)) {
                    fr.backtrack.add(p);
                } else {
                    fr.backtrack.addAll(fr.enabled);
                }
            }
        }
    }

    /** How many steps the actor of step j had taken up to and including j. */
    private static int stepIndexOf(List<Frame> frames, int j) {
        int a = frames.get(j).chosen;
        int k = 0;
        for (int x = 0; x <= j; x++) {
            if (frames.get(x).chosen == a) {
                k++;
            }
        }
        return k - 1;
    }

    /** Actors asleep (or explored) at the parent stay asleep if their step commutes with the step taken. */
    private static void inherit(Map<Integer, Footprint> from, Frame prev, Map<Integer, Footprint> into) {
        for (Map.Entry<Integer, Footprint> e : from.entrySet()) {
            if (e.getKey() != prev.chosen && prev.chosenFp != null && Footprint.independent(e.getValue(), prev.chosenFp)) {
                into.put(e.getKey(), e.getValue());
            }
        }
    }

    /** PCT: random priorities, d - 1 random change points over the expected schedule length. */
    private static final class Pct implements Execution.Chooser {
        private final int[] priority;
        private final int[] changeAt;

        Pct(Random rnd, int actors, int length) {
            priority = new int[actors];
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < actors; i++) {
                order.add(i);
            }
            java.util.Collections.shuffle(order, rnd);
            for (int i = 0; i < actors; i++) {
                priority[order.get(i)] = PCT_DEPTH + i;
            }
            changeAt = new int[PCT_DEPTH - 1];
            for (int k = 0; k < changeAt.length; k++) {
                changeAt[k] = rnd.nextInt(Math.max(1, length));
            }
        }

        @Override
        public int choose(int depth, List<Integer> enabled, List<String> at) {
            int best = best(enabled);
            for (int k = 0; k < changeAt.length; k++) {
                if (changeAt[k] == depth) {
                    priority[best] = k;
                    best = best(enabled);
                }
            }
            return best;
        }

        private int best(List<Integer> enabled) {
            int best = enabled.get(0);
            for (int i : enabled) {
                if (priority[i] > priority[best]) {
                    best = i;
                }
            }
            return best;
        }
    }

    /** Groups results by outcome, in order of first appearance. */
    private static final class Collector {
        int schedules;
        final Map<List<String>, int[]> counts = new LinkedHashMap<>();
        final Map<List<String>, String> first = new HashMap<>();
        final Map<String, Violation> violations = new LinkedHashMap<>();

        void add(Execution.Result r) {
            schedules++;
            counts.computeIfAbsent(r.outcome(), k -> new int[1])[0]++;
            first.putIfAbsent(r.outcome(), r.schedule());
            for (String v : r.violations()) {
                violations.putIfAbsent(v, new Violation(v, r.schedule(), traceLines(r)));
            }
        }

        List<Outcome> outcomes() {
            List<Outcome> out = new ArrayList<>();
            counts.forEach((k, v) -> out.add(new Outcome(k, v[0], first.get(k))));
            return out;
        }

        List<Violation> violations() {
            return List.copyOf(violations.values());
        }
    }

    /** A schedule's trace, one line per step. */
    static List<String> traceLines(Execution.Result r) {
        List<String> out = new ArrayList<>();
        int n = 1;
        for (Execution.Step s : r.trace()) {
            out.add(String.format("%4d  A%d  %s -> %s", n++, s.actor(), s.from(), s.to()));
        }
        return out;
    }
}
