package org.bpfosgi.host;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfosgi.errno.Errno;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Asks Felix SCR (through {@code ServiceComponentRuntime} DTOs) whether a bundle's components
 * activated, i.e. whether the module's init succeeded. The host lives on the class path, outside
 * SCR's class space, so the DTOs are read reflectively rather than through the OSGi types.
 */
final class ScrProbe {
    private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    /** ComponentConfigurationDTO.FAILED_ACTIVATION (DS 1.4). */
    private static final int FAILED_ACTIVATION = 16;
    private static final Pattern ERRNO = Pattern.compile("KernelException: -(E[A-Z0-9_]+)");

    /** Why a component failed to activate. */
    record InitFailure(Errno errno, String message) {
    }

    private final BundleContext context;

    ScrProbe(BundleContext context) {
        this.context = context;
    }

    /** The first activation failure of the bundle's components, if any. */
    Optional<InitFailure> activationFailure(Bundle bundle) {
        // getAllServiceReferences: the host may see another copy of the SCR API classes (a test
        // class path does); class-space filtering would hide SCR's service from it
        ServiceReference<?> ref = firstReference();
        if (ref == null) {
            return Optional.of(new InitFailure(Errno.ENOENT, "Felix SCR is not running"));
        }
        Object scr = context.getService(ref);
        try {
            Object bundles = Array.newInstance(Bundle.class, 1);
            Array.set(bundles, 0, bundle);
            Method descs = scr.getClass().getMethod("getComponentDescriptionDTOs", bundles.getClass());
            Collection<?> descriptions = (Collection<?>) descs.invoke(scr, bundles);
            for (Object d : descriptions) {
                Method confs = findMethod(scr.getClass(), "getComponentConfigurationDTOs");
                for (Object c : (Collection<?>) confs.invoke(scr, d)) {
                    int state = c.getClass().getField("state").getInt(c);
                    if (state == FAILED_ACTIVATION) {
                        String failure = String.valueOf(c.getClass().getField("failure").get(c));
                        return Optional.of(parse(failure));
                    }
                }
            }
            return Optional.empty();
        } catch (ReflectiveOperationException e) {
            return Optional.of(new InitFailure(Errno.EINVAL, "cannot query SCR: " + e));
        } finally {
            context.ungetService(ref);
        }
    }


    private ServiceReference<?> firstReference() {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(SCR, null);
            return refs == null || refs.length == 0 ? null : refs[0];
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Method findMethod(Class<?> c, String name) throws NoSuchMethodException {
        for (Method m : c.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 1) {
                return m;
            }
        }
        throw new NoSuchMethodException(name);
    }

    /** A KernelException thrown by activate carries the errno init returns; anything else is -EINVAL. */
    static InitFailure parse(String failure) {
        // the user reads this: the exception's words, not its Java type
        String firstLine = org.bpfosgi.kernel.Debug.stripJavaTypes(failure);
        Matcher m = ERRNO.matcher(failure);
        if (m.find()) {
            try {
                return new InitFailure(Errno.valueOf(m.group(1)), firstLine);
            } catch (IllegalArgumentException e) {
                // unknown name: fall through
            }
        }
        return new InitFailure(Errno.EINVAL, firstLine);
    }
}
