package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.host.Host;
import org.junit.jupiter.api.Test;

/**
 * {@code ./bpf-osgi --help} lists every command a booted machine's command table holds, each
 * on a line of its own, plus the launcher's own commands, and nothing else.
 */
class HelpListsEveryCommandTest {
    /** Commands Main runs itself (not in the machine's table). */
    private static final Set<String> LAUNCHER = Set.of("demo", "shell", "run", "help", "conformance-plugin");

    /** The first word of each command line of the help's "Commands:" section. */
    static Set<String> listed(String usage) {
        String section = usage.substring(usage.indexOf("Commands:\n"), usage.indexOf("Options (before the command):"));
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^  ([a-z][a-z_-]*)(?= |$)").matcher(section);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String run(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int status = Main.run(argv, new PrintStream(o, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status);
        return o.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheCommandTableAndTheLauncherCommands() throws Exception {
        Set<String> expected = new TreeSet<>(LAUNCHER);
        try (Host host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, Optional.empty(),
                List.of("bpf_testmod"), List.of()))) {
            expected.addAll(host.commands().names());
        }
        assertEquals(expected, listed(run("--help")));
    }

    @Test
    void helpIsTheSameTextAsDashDashHelp() {
        String help = run("--help");
        assertEquals(help, run("help"));
        assertEquals(help, run("-h"));
        assertTrue(help.contains("\n  help                 this text (as --help)\n"), help);
    }
}
