package org.bpfosgi.host;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpfosgi.errno.KernelException;

/**
 * The Gogo face of the {@link CommandTable}: registered as one service with
 * {@code osgi.command.scope=bpf} and {@code osgi.command.function} = the table's names. Gogo
 * binds a function name to a method of that name, or else to {@code _main}, to which it passes
 * the function name first (as argv[0]); every command goes through {@code _main}, so a command
 * is declared once, in the table. Output goes to System.out/err, which Gogo routes to the
 * calling session. The exit status of the last command is kept for {@code run} and
 * single-command mode.
 */
public final class GogoCommands {
    private final CommandTable table;
    private final AtomicInteger lastStatus = new AtomicInteger();

    public GogoCommands(CommandTable table) {
        this.table = table;
    }

    /** The function names to register with Gogo: every command of the table. */
    public String[] functions() {
        return table.names().toArray(String[]::new);
    }

    /** The exit status of the last command run through Gogo, and resets it to 0. */
    public int takeStatus() {
        return lastStatus.getAndSet(0);
    }

    /** Gogo's entry for every function without a method of its own: argv[0] is the command name. */
    public void _main(String... argv) {
        if (argv.length == 0) {
            return;
        }
        call(argv[0], java.util.Arrays.copyOfRange(argv, 1, argv.length));
    }

    private void call(String name, String[] args) {
        lastStatus.set(run(name, List.of(args), System.out, System.err));
    }

    /**
     * Runs a command of the table with its arguments as given (no Gogo parsing, so no
     * expansion of {@code $...}); returns its exit status.
     */
    public int run(String name, List<String> args, PrintStream out, PrintStream err) {
        var cmd = table.get(name);
        if (cmd.isEmpty()) {
            err.println(name + ": not available in this build");
            return 1;
        }
        try {
            return cmd.get().run(args, out, err);
        } catch (KernelException e) {
            err.println(name + ": " + e.getMessage());
            return 1;
        } catch (OutOfMemoryError e) {
            err.println(name + ": out of memory");
            return 1;
        } catch (Exception | LinkageError e) {
            // a bug, not a user error: say so, but keep the machine running
            err.println(name + ": internal error: " + org.bpfosgi.kernel.Debug.describe(e));
            org.bpfosgi.kernel.Debug.trace(e, err);
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
