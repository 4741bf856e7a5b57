package org.bpfosgi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.felix.framework.Felix;
import org.bpfosgi.host.Host;
import org.bpfosgi.host.SubsystemHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

/**
 * A subsystem bundle requires the bpf-osgi extender ({@code osgi.extender=org.bpfosgi.subsystem}):
 * in a plain framework without the model it does not resolve (instead of starting and idling);
 * with the host's capability (the same system packages) it does.
 */
class ExtenderRequirementIntegrationTest {
    @TempDir
    Path tmp;

    @Test
    void aSubsystemBundleDoesNotResolveWithoutTheExtender() throws Exception {
        BundleException e = assertThrows(BundleException.class, () -> startTestmodIn(Map.of()));
        assertTrue(e.getMessage().contains("osgi.extender=org.bpfosgi.subsystem"), e.getMessage());
    }

    @Test
    void itResolvesWhereTheExtenderIsProvided() throws Exception {
        assertEquals(Bundle.ACTIVE, startTestmodIn(Map.of(Constants.FRAMEWORK_SYSTEMCAPABILITIES_EXTRA,
                SubsystemHeaders.EXTENDER_CAPABILITY)));
    }

    /** Boots a bare Felix exporting the API packages, installs and starts bpf_testmod's bundle. */
    private int startTestmodIn(Map<String, String> extra) throws Exception {
        Path bundles = Path.of(System.getProperty("bpfosgi.bundles", "target/bundles"));
        Map<String, Object> props = new HashMap<>(extra);
        props.put(Constants.FRAMEWORK_STORAGE, tmp.resolve("felix" + extra.size()).toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, Host.apiExports());
        Felix felix = new Felix(props);
        felix.start();
        try {
            // SCR and what it needs (the osgi.component extender the bundle also requires)
            for (String name : new String[] {"org.osgi.util.function", "org.osgi.util.promise",
                    "org.osgi.service.component", "org.apache.felix.scr"}) {
                try (InputStream in = Files.newInputStream(jar(bundles, name))) {
                    felix.getBundleContext().installBundle(name, in);
                }
            }
            for (Bundle b : felix.getBundleContext().getBundles()) {
                if (b.getSymbolicName().equals("org.apache.felix.scr")) {
                    b.start();
                }
            }
            Bundle testmod;
            try (InputStream in = Files.newInputStream(jar(bundles, "testmod-bundle"))) {
                testmod = felix.getBundleContext().installBundle("testmod", in);
            }
            testmod.start();
            return testmod.getState();
        } finally {
            felix.stop();
            felix.waitForStop(10_000);
        }
    }

    private static Path jar(Path dir, String name) {
        Path jar = dir.resolve(name + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + " (build with mvn -B verify)");
        }
        return jar;
    }
}
