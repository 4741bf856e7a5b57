package org.bpfosgi.race;

import java.util.Set;

/**
 * What one step (an actor's run from one named point to its next, or to its end) may touch, for
 * the partial-order reduction: two steps of different actors commute when neither writes an
 * object the other touches. Objects: {@code mod:NAME} (a module's state, refcount, BTF object and
 * registrations; {@code mod:*} is every module), {@code progs} (the program idr and its cyclic id
 * counter), {@code modtable} (the module list and module_mutex) and {@code btfids} (BTF id
 * allocation).
 *
 * <p>The classes, by actor (a conservative reading of the code between the points):
 * <ul>
 * <li>prog load: reads module state and takes/drops references on any module (try_module_get,
 * module_put and BTF get/put are counter updates, which commute with each other); its first step
 * allocates the program id, its last one publishes or gives back the id — those write
 * {@code progs}.
 * <li>prog free: writes {@code progs}, drops references.
 * <li>rmmod NAME (delete_module), by the point it leaves: from the start (or
 * {@code module_mutex:wait}) it only takes module_mutex ({@code modtable}); from
 * {@code delete_module:locked} it reads the module's state and users (find_module, source_list,
 * state != LIVE), which no load changes; from {@code delete_module:before_refcount_check}
 * (try_stop_module: the refcount check, GOING) and from {@code delete_module:after_refcount_check}
 * (exit, notifier GOING, free_module) it writes {@code mod:NAME}; from {@code delete_module:freed}
 * it only returns. Any other point it passes (a module_put of a module it used): writes
 * {@code mod:NAME}, reads every module.
 * <li>insmod NAME: writes {@code mod:NAME}, {@code modtable} and {@code btfids}.
 * <li>obj load, obj unload, struct_ops unregister: as prog load in every step, and they write
 * {@code maps} (the map idr, struct_ops map state, links).
 * <li>prog run: writes {@code maps} (run-time state), reads {@code progs} and every module.
 * <li>stop NAME (a bundle stop): reads {@code mod:NAME} in its first step (the lookup), then
 * writes {@code mod:NAME} and {@code modtable} in every step.
 * </ul>
 */
record Footprint(Set<String> writes, Set<String> shared) {
    /** A step of unknown extent (an actor stopped inside it): depends on everything. */
    static final Footprint ALL = new Footprint(Set.of("*"), Set.of("*"));

    static Footprint of(Scenario.Command c, String from, boolean finished) {
        if (c instanceof Scenario.ProgLoad) {
            return from.equals(Execution.START) || finished
                    ? new Footprint(Set.of("progs"), Set.of("mod:*")) : new Footprint(Set.of(), Set.of("mod:*"));
        }
        if (c instanceof Scenario.ObjLoad || c instanceof Scenario.ObjUnload || c instanceof Scenario.StructOpsUnregister) {
            // like prog load, every step: programs and maps made or freed, module references
            // taken and dropped (struct_ops map alloc, reg/unreg through the module's code)
            return new Footprint(Set.of("progs", "maps"), Set.of("mod:*"));
        }
        if (c instanceof Scenario.ProgRun) {
            return new Footprint(Set.of("maps"), Set.of("progs", "mod:*"));
        }
        if (c instanceof Scenario.ProgFree) {
            return new Footprint(Set.of("progs"), Set.of("mod:*"));
        }
        if (c instanceof Scenario.Rmmod r) {
            String mod = "mod:" + r.module();
            return switch (from) {
                case Execution.START, Execution.MUTEX_WAIT -> new Footprint(Set.of("modtable"), Set.of());
                case "delete_module:locked" -> new Footprint(Set.of("modtable"), Set.of(mod));
                case "delete_module:freed" -> new Footprint(Set.of(), Set.of());
                default -> new Footprint(Set.of(mod, "modtable"), Set.of("mod:*"));
            };
        }
        if (c instanceof Scenario.Stop st) {
            // from the start it only looks the module up (find_module) before BundleEvent.STOPPING
            return from.equals(Execution.START) ? new Footprint(Set.of(), Set.of("mod:" + st.module()))
                    : new Footprint(Set.of("mod:" + st.module(), "modtable"), Set.of("mod:*"));
        }
        if (c instanceof Scenario.Insmod i) {
            return new Footprint(Set.of("mod:" + i.module(), "modtable", "btfids"), Set.of("mod:*"));
        }
        return ALL;
    }

    /** Whether two steps of different actors commute. */
    static boolean independent(Footprint a, Footprint b) {
        return !overlaps(a.writes, b.writes) && !overlaps(a.writes, b.shared) && !overlaps(b.writes, a.shared);
    }

    private static boolean overlaps(Set<String> x, Set<String> y) {
        for (String p : x) {
            for (String q : y) {
                if (matches(p, q)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matches(String p, String q) {
        if (p.equals("*") || q.equals("*") || p.equals(q)) {
            return true;
        }
        return (p.equals("mod:*") && q.startsWith("mod:")) || (q.equals("mod:*") && p.startsWith("mod:"));
    }
}
