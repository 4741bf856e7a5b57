package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.host.Host;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The C objects of framework/kernel/src/test/bpf/objects in the model against the live kernel's
 * answers for the same objects (record-golden.sh: OBJ.golden). The model is the launcher's
 * machine, as {@code ./bpf-osgi run} boots it: Felix, bpf_testmod, the built-in bpf_tcp_ca and
 * bpf_qdisc (bpf_tcp_ca lives in tcpcc-bundle, so no framework/kernel test can load a tcp-cc
 * object), vmlinux BTF as {@code --vmlinux} defaults it.
 *
 * <p>Compared per object: accept/reject of {@code obj load} with the kernel's
 * {@code bpftool prog loadall} (+ {@code struct_ops register}), then per program the xlated
 * instructions after both sides' fixups, normalised alike (instruction lines only, map ids as the
 * maps' names, "#..." after a call target dropped), and the BPF_PROG_TEST_RUN return values of
 * syscall programs, twice (global data carries over). Golden files are this kernel's: the
 * comparison needs the model to run on the kernel they were recorded on (its vmlinux BTF gives
 * the CO-RE offsets), else it is skipped and says why. The bpf_testmod objects have no golden
 * data (the live kernel has no bpf_testmod) and are checked by ClangTestmodObjectsTest instead.
 */
class ElfObjectDifferentialTest {
    static final Path REPO = Path.of(System.getProperty("bpfosgi.repo", "../.."));
    static final Path OBJECTS = REPO.resolve("framework/kernel/src/test/resources/org/bpfosgi/obj/objects");

    /** What record-golden.sh wrote for one object. */
    record Golden(boolean loaded, Optional<Boolean> registered, Map<String, List<String>> runs,
                  Map<String, List<String>> xlated) {
        static Optional<Golden> read(String obj) throws IOException {
            Path g = OBJECTS.resolve(obj + ".golden");
            if (!Files.exists(g)) {
                return Optional.empty();
            }
            boolean loaded = false;
            Optional<Boolean> registered = Optional.empty();
            Map<String, List<String>> runs = new LinkedHashMap<>();
            Map<String, List<String>> xlated = new LinkedHashMap<>();
            List<String> cur = null;
            for (String l : Files.readAllLines(g)) {
                if (l.startsWith("#")) {
                    continue;
                } else if (l.startsWith("load: ")) {
                    loaded = l.equals("load: ok");
                } else if (l.startsWith("register: ")) {
                    registered = Optional.of(l.equals("register: ok"));
                } else if (l.startsWith("run ")) {
                    // run NAME: retval A; retval B
                    String name = l.substring(4, l.indexOf(':'));
                    runs.put(name, List.of(l.substring(l.indexOf(':') + 2).split("; ")));
                } else if (l.startsWith("prog ")) {
                    cur = new ArrayList<>();
                    xlated.put(l.substring(5), cur);
                } else if (cur != null) {
                    cur.add(l);
                }
            }
            return Optional.of(new Golden(loaded, registered, runs, xlated));
        }
    }

    static String goldenKernel() throws IOException {
        return Files.readAllLines(OBJECTS.resolve("environment.txt")).stream().filter(l -> l.startsWith("uname -r: "))
                .findFirst().orElseThrow().substring("uname -r: ".length());
    }

    static boolean sameKernel() throws IOException {
        Path rel = Path.of("/proc/sys/kernel/osrelease");
        return VmlinuxBtf.realAvailable() && Files.isReadable(rel) && Files.readString(rel).strip().equals(goldenKernel());
    }

    private static final Pattern MAP_ID = Pattern.compile("map\\[id:(\\d+)\\]");

    private static final Pattern OPCODES = Pattern.compile("^\\s+([0-9a-f]{2})(?: ([0-9a-f]{2}))?.*");

    /**
     * The normalisation record-golden.sh applies to bpftool's text, on a dump with or without
     * {@code opcodes} lines: instruction lines only, map ids as map names, "#..." after a call
     * target dropped, and a kfunc call (0x85 with src_reg 2, seen in its opcode line) as
     * "call kernel-function" (bpftool names it only when /proc/kallsyms has it).
     */
    static List<String> normalise(List<String> dump, Map<String, String> mapNames) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < dump.size(); i++) {
            String l = dump.get(i);
            if (!l.matches("^ *\\d+: \\(.*")) {
                continue;
            }
            Matcher m = MAP_ID.matcher(l);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement("map[" + mapNames.getOrDefault(m.group(1), "id:" + m.group(1)) + "]"));
            }
            m.appendTail(sb);
            l = sb.toString();
            Matcher op = i + 1 < dump.size() ? OPCODES.matcher(dump.get(i + 1)) : null;
            if (op != null && op.matches() && op.group(1).equals("85") && op.group(2) != null
                    && Integer.parseInt(op.group(2), 16) >> 4 == 2) {
                l = l.replaceAll("call .*$", "call kernel-function");
            }
            out.add(l.replaceAll("(call pc[+-]\\d+)#.*", "$1").replaceAll("(call [^ ]+)#[^ ]*$", "$1"));
        }
        return out;
    }

    /** One command on the machine: status and what it printed (out and err). */
    record Ran(int status, String text) {
    }

    static Ran exec(Host host, String line) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int s = host.execute(line, ps, ps);
        return new Ran(s, buf.toString(StandardCharsets.UTF_8));
    }

    /** "map ID NAME" / "prog ID NAME" lines of an obj load. */
    static Map<String, String> ids(String loadOutput, String kind) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : loadOutput.split("\n")) {
            String[] w = l.split(" ");
            if (w.length == 3 && w[0].equals(kind)) {
                m.put(w[2], w[1]);
            }
        }
        return m;
    }

    /**
     * Differences the model has today, each with the model's own words. The test checks that the
     * model still says exactly this (it fails when the difference goes away or changes: then
     * update or delete the entry) and is reported skipped with the reason.
     */
    static final Map<String, String> KNOWN = Map.of();

    /**
     * Programs whose xlated text differs today, with the reason: checked to still differ (the
     * test fails when one agrees: delete it here), reported as skipped.
     */
    static final Map<String, String> KNOWN_XLATED = Map.of();

    // the bpf_testmod objects (examples/clang-object/st_ops.o, st_ops_asm) are not here: the live kernel has no bpf_testmod, so there is no
    // golden data for them; ClangTestmodObjectsTest checks what they return in the model
    @ParameterizedTest
    @ValueSource(strings = {"maps_globals", "tcp_cc", "big_core"})
    void modelAgreesWithTheLiveKernel(String obj) throws Exception {
        Optional<Golden> golden = Golden.read(obj);
        assumeTrue(golden.isPresent(), obj + ": no live-kernel golden data (this kernel has no bpf_testmod)");
        assumeTrue(sameKernel(), obj + ": golden data of kernel " + goldenKernel()
                + "; the model must run on that kernel's /sys/kernel/btf/vmlinux");
        Golden g = golden.get();
        Path file = OBJECTS.resolve(obj + ".o");
        try (Host host = Host.start(Host.Config.defaults(ModuleLifecycleIntegrationTest.BUNDLES))) {
            Ran load = exec(host, "obj load " + file);
            if (KNOWN.containsKey(obj)) {
                assertTrue(load.status() != 0 && load.text().contains(KNOWN.get(obj)), obj + ": the known difference "
                        + "changed; the model now says:\n" + load.text());
                assumeTrue(false, obj + ": known difference: the kernel loads it, the model says " + KNOWN.get(obj));
            }
            // libbpf's load (bpftool prog loadall) and attach (bpftool struct_ops register) are one
            // command in the model: the kernel's verdict is both
            boolean kernelOk = g.loaded() && g.registered().orElse(true);
            assertEquals(kernelOk, load.status() == 0, obj + ": the kernel " + (kernelOk ? "accepts" : "refuses")
                    + " it; the model says:\n" + load.text());
            if (!kernelOk) {
                return;
            }
            Map<String, String> progs = ids(load.text(), "prog");
            Map<String, String> mapNames = new LinkedHashMap<>();
            ids(load.text(), "map").forEach((name, id) -> mapNames.put(id, name));
            assertEquals(g.xlated().keySet(), new java.util.TreeSet<>(progs.keySet()), load.text());
            List<String> known = new ArrayList<>();
            for (var e : g.xlated().entrySet()) {
                Ran d = exec(host, "prog dump xlated id " + progs.get(e.getKey()) + " opcodes");
                assertEquals(0, d.status(), d.text());
                List<String> model = normalise(List.of(d.text().split("\n")), mapNames);
                String key = obj + " " + e.getKey();
                if (KNOWN_XLATED.containsKey(key)) {
                    assertFalse(e.getValue().equals(model), key + " now agrees with the kernel: delete it from KNOWN_XLATED");
                    known.add(key + ": " + KNOWN_XLATED.get(key));
                    continue;
                }
                assertEquals(e.getValue(), model, key);
            }
            for (var e : g.runs().entrySet()) {
                for (String want : e.getValue()) {
                    Ran r = exec(host, "prog run id " + progs.get(e.getKey()));
                    // golden "retval N" (BPF_PROG_TEST_RUN's retval) is bpftool's "Return value: N"
                    assertTrue(want.startsWith("retval ") && r.text().startsWith("Return value: " + want.substring(7) + ","),
                            obj + " " + e.getKey() + ": the kernel's " + want + ", the model's " + r.text());
                }
            }
            assertEquals(0, exec(host, "obj unload").status());
            assumeTrue(known.isEmpty(), "known differences: " + known);
        }
    }

    /** The normalisation itself, on bpftool's words (maps_globals.xlated.txt is bpftool's raw text). */
    @ParameterizedTest
    @ValueSource(strings = {"maps_globals"})
    void normalisationOfBpftoolTextGivesTheGolden(String obj) throws IOException {
        Golden g = Golden.read(obj).orElseThrow();
        List<String> raw = Files.readAllLines(OBJECTS.resolve(obj + ".xlated.txt"));
        // the raw dump's map ids: from its own text, in the golden's order of names
        List<String> golden = g.xlated().get("maps_and_globals");
        Map<String, String> names = new LinkedHashMap<>();
        List<String> rawInsns = raw.stream().filter(l -> l.matches("^ *\\d+: \\(.*")).toList();
        assertEquals(golden.size(), rawInsns.size());
        for (int i = 0; i < golden.size(); i++) {
            Matcher a = MAP_ID.matcher(rawInsns.get(i));
            Matcher b = Pattern.compile("map\\[([^\\]]+)\\]").matcher(golden.get(i));
            if (a.find() && b.find()) {
                names.put(a.group(1), b.group(1));
            }
        }
        assertFalse(names.isEmpty());
        assertEquals(golden, normalise(raw, names));
    }
}
