package org.bpfosgi.host;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The commands of one machine, by name. Each runs with its arguments and two streams and
 * returns an exit status; the Gogo shell, {@code run} scripts and single commands all go
 * through this table.
 */
public final class CommandTable {

    /** One command. */
    @FunctionalInterface
    public interface Command {
        int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
    }

    private final Map<String, Command> commands = new TreeMap<>();

    public synchronized CommandTable add(String name, Command c) {
        commands.put(name, c);
        return this;
    }

    public synchronized Optional<Command> get(String name) {
        return Optional.ofNullable(commands.get(name));
    }

    public synchronized List<String> names() {
        return List.copyOf(commands.keySet());
    }
}
