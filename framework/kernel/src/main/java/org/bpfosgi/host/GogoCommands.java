package org.bpfosgi.host;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpfosgi.errno.KernelException;

/**
 * The Gogo face of the {@link CommandTable}: registered as a service with
 * {@code osgi.command.scope=bpf}, one method per command name (Gogo binds functions to methods
 * by name, reflectively, so no Gogo type is needed here). Output goes to System.out/err, which
 * Gogo routes to the calling session. The exit status of the last command is kept for
 * {@code run} and single-command mode.
 */
public final class GogoCommands {
    /** The function names registered with Gogo; each has a method below. */
    public static final String[] FUNCTIONS = {
        "lsmod", "insmod", "rmmod", "modinfo", "subsystems", "dmesg",
        "asm", "disasm", "exec", "btf", "prog", "obj", "map", "struct_ops", "link"
    };

    private final CommandTable table;
    private final AtomicInteger lastStatus = new AtomicInteger();

    public GogoCommands(CommandTable table) {
        this.table = table;
    }

    /** The exit status of the last command run through Gogo, and resets it to 0. */
    public int takeStatus() {
        return lastStatus.getAndSet(0);
    }

    private void call(String name, String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        var cmd = table.get(name);
        if (cmd.isEmpty()) {
            err.println(name + ": not available in this build");
            lastStatus.set(1);
            return;
        }
        try {
            int s = cmd.get().run(List.of(args), out, err);
            lastStatus.set(s);
        } catch (KernelException e) {
            err.println(name + ": " + e.getMessage());
            lastStatus.set(1);
        } catch (Exception | LinkageError e) {
            // a bug, not a user error: say so, but keep the machine running
            err.println(name + ": internal error: " + e);
            lastStatus.set(1);
        } finally {
            out.flush();
            err.flush();
        }
    }

    public void lsmod(String... args) {
        call("lsmod", args);
    }

    public void insmod(String... args) {
        call("insmod", args);
    }

    public void rmmod(String... args) {
        call("rmmod", args);
    }

    public void modinfo(String... args) {
        call("modinfo", args);
    }

    public void subsystems(String... args) {
        call("subsystems", args);
    }

    public void dmesg(String... args) {
        call("dmesg", args);
    }

    public void asm(String... args) {
        call("asm", args);
    }

    public void disasm(String... args) {
        call("disasm", args);
    }

    public void exec(String... args) {
        call("exec", args);
    }

    public void btf(String... args) {
        call("btf", args);
    }

    public void prog(String... args) {
        call("prog", args);
    }

    public void obj(String... args) {
        call("obj", args);
    }

    public void map(String... args) {
        call("map", args);
    }

    public void struct_ops(String... args) {
        call("struct_ops", args);
    }

    public void link(String... args) {
        call("link", args);
    }
}
