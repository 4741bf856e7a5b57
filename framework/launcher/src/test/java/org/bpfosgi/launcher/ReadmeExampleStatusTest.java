package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every {@code ./bpf-osgi [OPTIONS] run examples/NAME.gosh} the README shows runs, with its
 * options, and exits as the README says: 1 where the text next to it says "exits 1 by design"
 * (a refusal is the script's point; said once, next to one of the command's mentions), else 0.
 * Every example script is shown at least once.
 */
class ReadmeExampleStatusTest {
    private static final Path REPO = Path.of(System.getProperty("bpfosgi.repo", "../.."));
    private static final Pattern RUN = Pattern.compile("\\./bpf-osgi ((?:--[a-z-]+ \\S+ )*)run (examples/[\\w-]+\\.gosh)");

    /** One README command: the options, the script, and whether the README says it exits 1. */
    record Shown(List<String> options, String script, boolean exits1) {
    }

    /**
     * The README's distinct commands; a command shown more than once (the same options and
     * script) is said to exit 1 when any of its mentions says so.
     */
    static List<Shown> shown(String readme) {
        java.util.Map<List<Object>, Shown> out = new java.util.LinkedHashMap<>();
        Matcher m = RUN.matcher(readme);
        while (m.find()) {
            // what the README says next to it: up to the next command, blank line or code fence
            int end = readme.length();
            for (String stop : List.of("./bpf-osgi", "\n\n", "```")) {
                int i = readme.indexOf(stop, m.end());
                if (i >= 0) {
                    end = Math.min(end, i);
                }
            }
            String note = readme.substring(m.end(), end);
            List<String> opts = m.group(1).isBlank() ? List.of() : Arrays.asList(m.group(1).strip().split(" "));
            out.merge(List.of(opts, m.group(2)), new Shown(opts, m.group(2), note.contains("exits 1 by design")),
                    (a, b) -> new Shown(a.options(), a.script(), a.exits1() || b.exits1()));
        }
        return List.copyOf(out.values());
    }

    @Test
    void everyExampleRunTheReadmeShowsExitsAsItSays() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        List<Shown> cmds = shown(readme);
        Set<String> scripts = new TreeSet<>();
        try (Stream<Path> s = Files.list(REPO.resolve("examples"))) {
            s.filter(p -> p.toString().endsWith(".gosh")).forEach(p -> scripts.add("examples/" + p.getFileName()));
        }
        Set<String> covered = new TreeSet<>();
        cmds.forEach(c -> covered.add(c.script()));
        assertEquals(scripts, covered, "every example script is shown in the README");
        List<String> wrong = new ArrayList<>();
        for (Shown c : cmds) {
            // the script's paths are relative to the repository: a copy with them made absolute
            Path tmp = Files.createTempFile("readme", ".gosh");
            try {
                String text = Files.readString(REPO.resolve(c.script()))
                        .replace("examples/", REPO.toAbsolutePath().normalize().resolve("examples") + "/");
                Files.writeString(tmp, text);
                List<String> argv = new ArrayList<>(List.of("--bundles", ModuleLifecycleIntegrationTest.BUNDLES.toString()));
                argv.addAll(c.options());
                argv.addAll(List.of("run", tmp.toString()));
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
                int status = Main.run(argv.toArray(String[]::new), ps, ps);
                int expected = c.exits1() ? 1 : 0;
                if (status != expected) {
                    wrong.add(String.join(" ", c.options()) + " run " + c.script() + ": exit " + status + ", the README says "
                            + expected + "\n" + buf.toString(StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertTrue(cmds.stream().anyMatch(Shown::exits1) && cmds.stream().anyMatch(c -> !c.exits1()), cmds.toString());
    }
}
