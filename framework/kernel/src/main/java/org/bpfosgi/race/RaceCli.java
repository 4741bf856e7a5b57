package org.bpfosgi.race;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.subsystem.KfuncPolicy;

/**
 * The {@code race} command: {@code race explore FILE.race [--all | --random N --seed S]
 * [--kfunc-policy P] [--no-reduction]} prints the outcome table; {@code race replay FILE.race
 * --schedule S [--kfunc-policy P]} prints one schedule's trace and outcome. Exit status 1 when
 * an invariant was violated (or on a usage error).
 */
public final class RaceCli {
    static final String USAGE = String.join("\n",
            "Usage: race explore FILE.race [--all | --random N --seed S] [--kfunc-policy P] [--no-reduction]",
            "       race replay FILE.race --schedule S [--kfunc-policy P]",
            "",
            "       FILE.race: setup lines (insmod NAME, prog load FILE [policy P], kfunc-policy P), then",
            "                  one 'actor COMMAND' line per actor: prog load FILE [policy P] [unsafe-module-calls],",
            "                  rmmod [-f] NAME, insmod NAME, prog free id N, stop NAME (its bundle stopped)",
            "       S: the actor (0-9) that passes its next named point at each step, as explore prints it",
            "");

    private RaceCli() {
    }

    /** Runs {@code race ARGS...}; 0, or 1 on a violation or a usage error. */
    public static int run(List<String> args, RaceModules modules, PrintStream out, PrintStream err) {
        return run(args, modules, null, out, err);
    }

    /**
     * {@link #run(List, RaceModules, PrintStream, PrintStream)} on machines whose kfunc policy,
     * when neither {@code --kfunc-policy} nor the scenario says, is {@code machineDefault}.
     */
    public static int run(List<String> args, RaceModules modules, KfuncPolicy machineDefault, PrintStream out,
                          PrintStream err) {
        try {
            if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
                (args.isEmpty() ? err : out).print(USAGE);
                return args.isEmpty() ? 1 : 0;
            }
            String sub = args.get(0);
            if (!sub.equals("explore") && !sub.equals("replay")) {
                return error(err, "unknown command '" + sub + "' (explore, replay)");
            }
            if (args.size() < 2) {
                return error(err, "race " + sub + " FILE.race ...");
            }
            Path file = Path.of(args.get(1));
            Optional<KfuncPolicy> policy = Optional.empty();
            Integer random = null;
            Long seed = null;
            String schedule = null;
            boolean all = false;
            boolean reduction = true;
            for (int i = 2; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--all" -> all = true;
                    case "--no-reduction" -> reduction = false;
                    case "--random" -> random = positive(a, value(args, ++i, a));
                    case "--seed" -> seed = parseLong(a, value(args, ++i, a));
                    case "--schedule" -> schedule = value(args, ++i, a);
                    case "--kfunc-policy" -> {
                        String v = value(args, ++i, a);
                        policy = Optional.of(KfuncPolicy.ofCliName(v).orElseThrow(() ->
                                new IllegalArgumentException("--kfunc-policy is seed, upstream or emit-call, not " + v)));
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            Scenario sc = Scenario.read(file);
            if (policy.isEmpty() && sc.policy().isEmpty() && machineDefault != null) {
                policy = Optional.of(machineDefault);
            }
            if (sub.equals("replay")) {
                if (schedule == null || all || random != null || seed != null || !reduction) {
                    return error(err, "race replay FILE.race --schedule S [--kfunc-policy P]");
                }
                Explorer.Replayed r = Explorer.replay(sc, modules, policy, schedule);
                printReplay(sc, r, out);
                return r.violations().isEmpty() ? 0 : 1;
            }
            if (schedule != null || (all && random != null) || (random == null) != (seed == null)) {
                return error(err, "race explore FILE.race [--all | --random N --seed S] [--kfunc-policy P] [--no-reduction]");
            }
            Explorer.Options o = (random == null ? Explorer.Options.all() : Explorer.Options.random(random, seed))
                    .withPolicy(policy).withReduction(reduction);
            Explorer.Report rep = Explorer.explore(sc, modules, o);
            out.print(table(rep, true));
            return rep.violations().isEmpty() ? 0 : 1;
        } catch (IOException | IllegalArgumentException e) {
            return error(err, e.getMessage());
        } catch (RuntimeException e) {
            return error(err, "internal error: " + e);
        }
    }

    private static String value(List<String> args, int i, String opt) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args.get(i);
    }

    private static int positive(String opt, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new IllegalArgumentException(opt + " wants a positive number, not " + v);
    }

    private static long parseLong(String opt, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " wants a number, not " + v);
        }
    }

    private static int error(PrintStream err, String msg) {
        err.println("Error: race: " + msg);
        return 1;
    }

    private static void header(Scenario sc, StringBuilder sb) {
        sb.append("scenario ").append(sc.name()).append(": ").append(sc.actors().size()).append(" actors\n");
        for (int i = 0; i < sc.actors().size(); i++) {
            sb.append("  A").append(i).append("  ").append(sc.actors().get(i).line()).append('\n');
        }
    }

    /**
     * The outcome table. Without {@code timing} it is the same on every machine (the golden
     * files); with it, the time taken and schedules per second follow the counts.
     */
    public static String table(Explorer.Report r, boolean timing) {
        StringBuilder sb = new StringBuilder();
        header(r.scenario(), sb);
        Explorer.Options o = r.options();
        if (o.randomRuns() > 0) {
            sb.append(String.format("random: %d PCT schedules (depth %d), seed %d%n", r.schedules(), Explorer.PCT_DEPTH, o.seed()));
        } else {
            sb.append(String.format("all schedules: %d explored, %d cut by the sleep sets%s%n",
                    r.schedules(), r.cut(), o.reduction() ? "" : " (reduction off)"));
        }
        if (timing) {
            sb.append(String.format("time: %.2f s, %.0f schedules/s%n", r.nanos() / 1e9, r.schedulesPerSecond()));
        }
        sb.append(String.format("%d distinct outcomes%n", r.outcomes().size()));
        int n = 1;
        for (Explorer.Outcome oc : r.outcomes()) {
            sb.append(String.format("%noutcome %d: %d schedule%s, replay with --schedule %s%n", n++, oc.schedules(),
                    oc.schedules() == 1 ? "" : "s", oc.replay()));
            for (String l : oc.lines()) {
                sb.append("  ").append(l).append('\n');
            }
        }
        sb.append('\n');
        if (r.violations().isEmpty()) {
            sb.append("invariants: held in every schedule\n");
        } else {
            sb.append("invariant violations: ").append(r.violations().size()).append('\n');
            for (Explorer.Violation v : r.violations()) {
                sb.append("  ").append(v.what()).append("\n    first in schedule ").append(v.schedule()).append(":\n");
                for (String t : v.trace()) {
                    sb.append("    ").append(t).append('\n');
                }
            }
        }
        return sb.toString();
    }

    static void printReplay(Scenario sc, Explorer.Replayed r, PrintStream out) {
        StringBuilder sb = new StringBuilder();
        header(sc, sb);
        sb.append("schedule ").append(r.schedule()).append(": step, actor, its point before -> after\n");
        r.trace().forEach(t -> sb.append(t).append('\n'));
        sb.append("outcome:\n");
        r.outcome().forEach(l -> sb.append("  ").append(l).append('\n'));
        if (r.violations().isEmpty()) {
            sb.append("invariants: held\n");
        } else {
            sb.append("invariant violations:\n");
            r.violations().forEach(v -> sb.append("  ").append(v).append('\n'));
        }
        out.print(sb);
    }
}
