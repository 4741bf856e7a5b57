package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.host.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subsystem whose module_init (its DS component's activate) fails, through real SCR: insmod
 * reports init's errno in kmod's words, the failure path leaves no bundle, module or BTF behind,
 * and no stack trace reaches the user's terminal.
 */
class InitFailureIntegrationTest {
    @TempDir
    Path tmp;
    private Host host;

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void initThrowingKernelExceptionFailsWithItsErrno() throws Exception {
        checkFailedInit("throw new org.bpfosgi.errno.KernelException(org.bpfosgi.errno.Errno.ENOMEM, \"no memory for st_ops\");",
                "Cannot allocate memory", "no memory for st_ops");
    }

    @Test
    void initThrowingAnythingElseIsAFailedInit() throws Exception {
        checkFailedInit("throw new IllegalStateException(\"boom from init\");", "Invalid parameters", "boom from init");
    }

    private void checkFailedInit(String initBody, String strerror, String reason) throws Exception {
        Path jar = failingBundle(initBody);
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            host = Host.start(new Host.Config(ModuleLifecycleIntegrationTest.BUNDLES, false, Optional.empty(),
                    List.of(), List.of()));
            int bundles = host.context().getBundles().length;
            int btfs = host.kernel().btf().list().size();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
            int status = host.execute("insmod " + jar, ps, ps);
            String out = buf.toString(StandardCharsets.UTF_8);
            assertEquals(1, status, out);
            assertTrue(out.startsWith("insmod: ERROR: could not insert module " + jar + ": " + strerror + "\n"), out);
            assertTrue(out.contains(reason), out);
            assertTrue(host.kernel().modules().find("failing_init").isEmpty());
            assertEquals(bundles, host.context().getBundles().length, "the bundle was uninstalled");
            assertEquals(btfs, host.kernel().btf().list().size(), "its module BTF was unregistered (GOING)");
            assertTrue(host.kernel().dmesg().stream().anyMatch(l -> l.contains(reason)), host.kernel().dmesg().toString());
            // the name is free again, and the machine goes on
            assertEquals(0, host.execute("lsmod", ps, ps));
        } finally {
            System.setErr(saved);
        }
        assertFalse(stderr.toString(StandardCharsets.UTF_8).contains("\tat "), "no stack trace: " + stderr);
    }

    /** A subsystem bundle (with a BTF header) whose DS component's activate runs {@code initBody}. */
    private Path failingBundle(String initBody) throws IOException, URISyntaxException {
        return SubsystemTestJar.build(tmp, "failing_init", "org.bpfosgi.test.failinginit", "org.bpfosgi.errno", "f.Failer",
                "package f;\npublic class Failer {\n  void init() { " + initBody + " }\n  void exit() { }\n}\n",
                "struct failing_init_args { int a; };\n",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"failer\" immediate=\"true\""
                        + " activate=\"init\" deactivate=\"exit\"><implementation class=\"f.Failer\"/></scr:component>\n");
    }
}
