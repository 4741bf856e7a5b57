package org.bpfosgi.testkit;

import java.util.List;

/**
 * One distinct outcome of a race: each actor's result ("ok", "ok, prog id 1", "-EWOULDBLOCK",
 * "-ENXIO \"...\"" with the verifier log's reason, "not finished, last point POINT" after a deadlock or a stuck actor), the final state lines
 * ({@code lsmod: NAME State refcount N [holders]}, {@code progs: [...]}, {@code taint: [R]},
 * {@code use-after-free: ...}), how many schedules led to it, and a schedule that replays it.
 */
public record RaceOutcome(List<String> results, List<String> state, int schedules, String replay) {
    public RaceOutcome {
        results = List.copyOf(results);
        state = List.copyOf(state);
    }

    static RaceOutcome of(List<String> lines, int actors, int schedules, String replay) {
        List<String> results = lines.subList(0, actors).stream().map(l -> l.substring(l.indexOf(": ") + 2)).toList();
        return new RaceOutcome(results, lines.subList(actors, lines.size()), schedules, replay);
    }

    /** Actor {@code actor}'s result. */
    public String result(int actor) {
        return results.get(actor);
    }

    /** Whether actor {@code actor} succeeded. */
    public boolean ok(int actor) {
        return results.get(actor).startsWith("ok");
    }

    /** Whether module memory or code was used after the module was freed (a forced unload). */
    public boolean useAfterFree() {
        return state.stream().anyMatch(l -> l.startsWith("use-after-free"));
    }

    /** The results and the state, as the table prints them. */
    public List<String> lines() {
        return java.util.stream.Stream.concat(results.stream(), state.stream()).toList();
    }
}
