package org.bpfosgi.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: a test method (or constructor) parameter of type {@link Machine} gets a
 * freshly booted machine with bpf_testmod loaded, shut down after the test.
 *
 * <pre>{@code
 * @ExtendWith(MachineExtension.class)
 * class MySubsystemTest {
 *     @Test void loads(Machine m) { assertTrue(m.insmod(jar).ok()); }
 * }
 * }</pre>
 */
public final class MachineExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MachineExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == Machine.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getStore(NS).getOrComputeIfAbsent("machine", k -> Machine.boot(), Machine.class);
    }

    @Override
    public void afterEach(ExtensionContext c) {
        Machine m = c.getStore(NS).remove("machine", Machine.class);
        if (m != null) {
            m.close();
        }
    }
}
