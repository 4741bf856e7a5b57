package org.bpfosgi.race;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.KfuncPolicy;

/**
 * One schedule on a fresh machine: the setup runs, then each actor gets a thread that parks at
 * every named point ({@link ModuleTable#setPointHook}); the controller lets exactly one actor run
 * at a time, from its point to its next one (a step), as the {@link Chooser} says. An actor parked
 * at {@code module_mutex:wait} is runnable only once no parked actor holds module_mutex.
 *
 * <p>Detected instead of hanging: a deadlock (actors left, none runnable: each actor's point is
 * reported), a livelock (more than {@link #MAX_STEPS} steps), and an actor stuck outside any named
 * point (blocked in a lock or wait the harness does not control: its stack is reported).
 */
final class Execution {
    static final String START = "start";
    static final String EXIT = "exit";
    static final String MUTEX_WAIT = "module_mutex:wait";
    static final int MAX_STEPS = 5_000;
    /** How many consecutive 50 ms checks an actor may sit blocked outside a point before it is reported stuck. */
    private static final int STUCK_CHECKS = 40;
    private static final ThreadLocal<ActorState> CURRENT = new ThreadLocal<>();

    /** Decides each step. */
    interface Chooser {
        /** The actor to run at {@code depth} (one of {@code enabled}), or -1 to abandon the schedule. */
        int choose(int depth, List<Integer> enabled, List<String> parkedAt);

        /** The step at {@code depth} ran; what it may have touched. */
        default void stepped(int depth, int actor, Footprint fp) {
        }
    }

    /** One step of the trace. */
    record Step(int actor, String from, String to) {
    }

    /**
     * What a schedule gave.
     *
     * @param schedule   the actors chosen, one digit per step
     * @param complete   every actor finished (false: abandoned by the reduction, or a deadlock / stuck actor)
     * @param abandoned  cut by the partial-order reduction (not an outcome)
     * @param outcome    each actor's result and the final state, one line each
     * @param violations invariant violations
     */
    record Result(String schedule, List<Step> trace, boolean complete, boolean abandoned, List<String> outcome,
                  List<String> violations, List<String> useAfterFree) {
    }

    private final Scenario scenario;
    private final RaceModules modules;
    private final KfuncPolicy policy;
    private RaceMachine m;
    private ActorState[] actors;
    /** Released by an actor when it parks or finishes: the controller's turn. */
    private final java.util.concurrent.Semaphore back = new java.util.concurrent.Semaphore(0);
    private volatile boolean abandon;
    private final List<String> violations = new ArrayList<>();

    private static final class ActorState {
        final int idx;
        final Scenario.Command cmd;
        final Execution exec;
        Thread thread;
        /** Released by the controller: this actor's turn. */
        final java.util.concurrent.Semaphore go = new java.util.concurrent.Semaphore(0);
        volatile String at = START;
        volatile boolean parked;
        volatile boolean done;
        volatile String result;
        int points;

        ActorState(int idx, Scenario.Command cmd, Execution exec) {
            this.idx = idx;
            this.cmd = cmd;
            this.exec = exec;
        }
    }

    Execution(Scenario scenario, RaceModules modules, KfuncPolicy policy) {
        this.scenario = scenario;
        this.modules = modules;
        this.policy = policy;
    }

    /** Runs the setup and then the actors under {@code chooser}. */
    Result run(Chooser chooser) {
        m = new RaceMachine(modules, policy);
        for (Scenario.Command c : scenario.setup()) {
            String r = perform(c, null);
            if (!r.startsWith("ok")) {
                throw new IllegalArgumentException("setup line '" + c.line() + "' failed: " + r);
            }
        }
        int n = scenario.actors().size();
        actors = new ActorState[n];
        for (int i = 0; i < n; i++) {
            ActorState a = new ActorState(i, scenario.actors().get(i), this);
            actors[i] = a;
            a.thread = new Thread(() -> actorBody(a), "race-actor-" + i);
            a.thread.setDaemon(true);
        }
        m.modules.setPointHook(this::onPoint);
        StringBuilder schedule = new StringBuilder();
        List<Step> trace = new ArrayList<>();
        boolean complete = false;
        boolean abandoned = false;
        List<String> blocked = new ArrayList<>();
        List<String> incomplete = null;
        try {
            for (ActorState a : actors) {
                a.thread.start();
            }
            for (int k = 0; k < n; k++) {
                back.acquireUninterruptibly();
            }
            for (int depth = 0; ; depth++) {
                List<Integer> enabled = new ArrayList<>();
                boolean left = false;
                for (ActorState a : actors) {
                    if (!a.done) {
                        left = true;
                        if (!a.at.equals(MUTEX_WAIT) || !m.modules.moduleMutexLocked()) {
                            enabled.add(a.idx);
                        }
                    }
                }
                if (!left) {
                    complete = true;
                    break;
                }
                if (enabled.isEmpty()) {
                    blocked.add("deadlock: no actor can go on; " + parkedSummary());
                    break;
                }
                if (depth >= MAX_STEPS) {
                    blocked.add("livelock: more than " + MAX_STEPS + " steps; " + parkedSummary());
                    break;
                }
                List<String> at = new ArrayList<>();
                for (ActorState a : actors) {
                    at.add(a.done ? EXIT : a.at);
                }
                int i = chooser.choose(depth, enabled, at);
                if (i < 0) {
                    abandoned = true;
                    break;
                }
                if (!enabled.contains(i)) {
                    throw new IllegalArgumentException("schedule step " + (depth + 1) + ": actor " + i
                            + (i >= n ? " does not exist" : " cannot run (" + at.get(i) + ")"));
                }
                ActorState a = actors[i];
                String from = a.at;
                schedule.append((char) ('0' + i));
                Optional<String> stuck = step(a);
                if (stuck.isPresent()) {
                    trace.add(new Step(i, from, "(stuck)"));
                    chooser.stepped(depth, i, Footprint.ALL);
                    blocked.add(stuck.get());
                    break;
                }
                String to = a.done ? EXIT : a.at;
                trace.add(new Step(i, from, to));
                chooser.stepped(depth, i, Footprint.of(a.cmd, from, a.done));
            }
            if (!complete && !abandoned) {
                // a deadlock, livelock or stuck actor: the state as it is now, before the actors are let go
                incomplete = new ArrayList<>();
                for (ActorState a : actors) {
                    incomplete.add("A" + a.idx + " " + a.cmd.line() + ": "
                            + (a.done ? a.result : "not finished, last point " + a.at));
                }
                incomplete.addAll(blocked);
                finalState(incomplete, false);
            }
        } finally {
            abandon = true;
            for (ActorState a : actors) {
                a.go.release(1_000_000);
            }
            for (ActorState a : actors) {
                try {
                    // an actor stuck outside the points cannot be made to finish: do not wait long for it
                    a.thread.join(blocked.isEmpty() ? 10_000 : 500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            m.modules.setPointHook(null);
        }
        if (abandoned) {
            return new Result(schedule.toString(), trace, false, true, List.of(), List.of(), List.of());
        }
        if (incomplete != null) {
            return new Result(schedule.toString(), trace, false, false, incomplete, List.copyOf(violations), List.of());
        }
        List<String> outcome = new ArrayList<>();
        for (ActorState a : actors) {
            outcome.add("A" + a.idx + " " + a.cmd.line() + ": " + a.result);
        }
        finalState(outcome, true);
        for (String u : useAfterFree()) {
            outcome.add("use-after-free: " + u);
        }
        return new Result(schedule.toString(), trace, complete, false, outcome, List.copyOf(violations),
                useAfterFree());
    }

    private String parkedSummary() {
        StringBuilder sb = new StringBuilder();
        for (ActorState a : actors) {
            sb.append(sb.length() == 0 ? "" : ", ").append('A').append(a.idx).append(' ')
                    .append(a.done ? "finished" : "parked at " + a.at);
        }
        return sb.toString();
    }

    /** Lets {@code a} run to its next point or its end; empty, or a report that it got stuck outside a point. */
    private Optional<String> step(ActorState a) {
        a.go.release();
        int checks = 0;
        while (true) {
            try {
                if (back.tryAcquire(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return Optional.empty();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted while A" + a.idx + " ran after " + a.at);
            }
            Thread.State s = a.thread.getState();
            boolean blocked = !a.parked && (s == Thread.State.BLOCKED || s == Thread.State.WAITING
                    || s == Thread.State.TIMED_WAITING);
            checks = blocked ? checks + 1 : 0;
            if (checks >= STUCK_CHECKS) {
                StringBuilder sb = new StringBuilder("stuck: A" + a.idx + " is blocked outside any named point ("
                        + s + ") after " + a.at + ", at");
                StackTraceElement[] st = a.thread.getStackTrace();
                for (int k = 0; k < Math.min(6, st.length); k++) {
                    sb.append(' ').append(st[k]);
                }
                sb.append("; ").append(parkedSummary());
                return Optional.of(sb.toString());
            }
        }
    }

    private void actorBody(ActorState a) {
        CURRENT.set(a);
        String r;
        try {
            park(a, START);
            r = perform(a.cmd, a);
        } catch (RuntimeException | LinkageError e) {
            r = "internal error: " + e;
        } finally {
            CURRENT.remove();
        }
        a.result = r;
        a.done = true;
        back.release();
    }

    private void onPoint(String point) {
        ActorState a = CURRENT.get();
        if (a == null || a.exec != this) {
            return;
        }
        if (point.startsWith("module_code:") && point.equals(a.at)) {
            // consecutive calls of the same module function (is_valid_access for each ctx access)
            // are one step: freeing the module between two of them shows nothing the first did not
            return;
        }
        checkAtPoint(point);
        park(a, point);
    }

    private void park(ActorState a, String point) {
        if (abandon) {
            return;
        }
        a.at = point;
        a.points++;
        a.parked = true;
        back.release();
        a.go.acquireUninterruptibly();
        a.parked = false;
    }

    /** Refcounts never negative; BTF ids never alias. Runs on the actor's thread at each point. */
    private void checkAtPoint(String point) {
        for (Module mod : m.everLoaded()) {
            if (mod.rawRefcnt() < 0) {
                violation("refcount of " + mod.name() + " is " + mod.refcount() + " at " + point);
            }
        }
        m.recordBtfIds().ifPresent(v -> violation(v + " (at " + point + ")"));
    }

    private synchronized void violation(String v) {
        if (!violations.contains(v)) {
            violations.add(v);
        }
    }

    /** Runs one command; the result as the outcome table shows it. {@code a} is null for setup lines. */
    private String perform(Scenario.Command c, ActorState a) {
        if (c instanceof Scenario.Insmod i) {
            return m.insmod(i.module());
        }
        if (c instanceof Scenario.Rmmod r) {
            ModuleTable.DeleteResult d = m.rmmod(r.module(), r.force());
            if (!d.ok()) {
                return errnoText(d.ret());
            }
            if (!d.forced() && !d.holdersLeft().isEmpty()) {
                violation("rmmod " + r.module() + " succeeded unforced while references were held: "
                        + new TreeMap<>(d.holdersLeft()));
            }
            return d.forced() ? "ok, forced" + (d.holdersLeft().isEmpty() ? "" : " (references left dangling: "
                    + new TreeMap<>(d.holdersLeft()).keySet() + ")") : "ok";
        }
        if (c instanceof Scenario.ProgLoad p) {
            ProgLoadResult r = m.progLoad(p.text(), p.file(), p.options());
            if (r.ok()) {
                return "ok, prog id " + r.prog().id();
            }
            return errnoText(r.err()) + lastLogLine(r.log());
        }
        if (c instanceof Scenario.Stop st) {
            return m.stopBundle(st.module());
        }
        if (c instanceof Scenario.ProgFree f) {
            int r = m.progFree(f.id());
            return r == 0 ? "ok" : errnoText(r);
        }
        if (c instanceof Scenario.ObjLoad o) {
            return m.objLoad(o);
        }
        if (c instanceof Scenario.ObjUnload u) {
            return m.objUnload(u.name());
        }
        if (c instanceof Scenario.ProgRun r) {
            return m.progRun(r.id(), r.ctxIn());
        }
        if (c instanceof Scenario.StructOpsUnregister u) {
            return m.structOpsUnregister(u.id());
        }
        throw new IllegalArgumentException("not an actor: " + c.line());
    }

    static String errnoText(int ret) {
        Errno e = Errno.ofOrElse(ret, null);
        if (e == null) {
            return String.valueOf(ret);
        }
        return e == Errno.EWOULDBLOCK ? "-EWOULDBLOCK" : e.symbol();
    }

    /**
     * The verifier log's last line that says why: not the "processed N insns" statistics and not
     * an instruction of the trace (a failure that logs no reason, like the seed's -ENXIO from
     * find_kfunc_desc_btf_offset, shows the errno alone).
     */
    private static String lastLogLine(String log) {
        String[] lines = log.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("processed ") && !l.startsWith("verification time")
                    && !l.matches("\\d+: .*")) {
                return " \"" + l + "\"";
            }
        }
        return "";
    }

    /**
     * The final state (lsmod of the scenario's modules, programs, taint) and the end-of-schedule
     * invariants: no reference held for a failed load or an ended bpf_check(); then, once every
     * program is freed, every LIVE module and BTF object back at its base count.
     */
    private void finalState(List<String> outcome, boolean complete) {
        List<String> names = m.modules.list().stream().map(Module::name).toList();
        List<String> mentioned = new ArrayList<>(scenario.moduleNames());
        for (String n : names) {
            if (!mentioned.contains(n)) {
                mentioned.add(n);
            }
        }
        for (String l : m.lsmod(mentioned)) {
            outcome.add("lsmod: " + l);
        }
        List<Integer> progs = m.progIds();
        outcome.add("progs: " + (progs.isEmpty() ? "none" : progs.toString()));
        if (!m.modules.taints().isEmpty()) {
            outcome.add("taint: " + new TreeSet<>(m.modules.taints()));
        }
        if (!complete) {
            return;
        }
        for (Module mod : m.modules.list()) {
            for (String h : mod.holders().keySet()) {
                if (h.startsWith("verifier ")) {
                    violation(mod.name() + ": " + h + " still held after bpf_check() returned");
                } else if (h.startsWith("prog ")) {
                    int sp = h.indexOf(' ', 5);
                    int id = Integer.parseInt(h.substring(5, sp < 0 ? h.length() : sp));
                    if (!progs.contains(id)) {
                        violation(mod.name() + ": '" + h + "' held, but there is no program " + id
                                + " (a failed load kept a reference)");
                    }
                }
            }
        }
        m.freeAll();
        for (Module mod : m.modules.list()) {
            if (mod.state() == ModuleState.LIVE && (mod.refcount() != 0 || !mod.holders().isEmpty())) {
                violation(mod.name() + ": refcount " + mod.refcount() + " " + mod.holders()
                        + " after every program was freed (base is 0)");
            }
        }
        for (Map.Entry<String, Integer> e : m.btfRefcnts().entrySet()) {
            if (e.getValue() != 1) {
                violation("BTF " + e.getKey() + ": refcnt " + e.getValue() + " after every program was freed (base is 1)");
            }
        }
        for (String line : m.dmesg()) {
            if (line.contains("refcount would go negative")) {
                violation(line);
            }
        }
        boolean forced = m.modules.taints().contains(ModuleTable.TAINT_FORCED_RMMOD);
        if (!forced) {
            for (String u : useAfterFree()) {
                violation("use after free without a forced unload: " + u);
            }
        }
    }

    /** Every use-after-free report of every module this machine had (ids of programs elided for grouping). */
    private List<String> useAfterFree() {
        TreeSet<String> out = new TreeSet<>();
        for (Module mod : m.everLoaded()) {
            out.addAll(mod.useAfterFreeReports());
        }
        return List.copyOf(out);
    }
}
