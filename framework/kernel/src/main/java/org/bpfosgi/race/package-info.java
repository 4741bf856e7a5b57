/**
 * The race harness: actors (a program load, an rmmod, an insmod, a program free)
 * each on its own thread, parked at every named point of the model
 * ({@link org.bpfosgi.module.ModuleTable#point(String)}), and a controller that decides which
 * actor passes its next point. {@link org.bpfosgi.race.Explorer} runs every schedule of a small
 * scenario (with a sleep-set partial-order reduction) or seeded PCT-style random ones, on a fresh
 * OSGi-free machine per schedule ({@link org.bpfosgi.race.RaceMachine}), checks the invariants
 * after each and prints the table of distinct outcomes with one replayable schedule each.
 */
package org.bpfosgi.race;
