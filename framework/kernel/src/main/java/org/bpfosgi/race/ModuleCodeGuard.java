package org.bpfosgi.race;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.subsystem.BpfSubsystem;

/**
 * Wraps a module's subsystem object so that every call into its code (verifier ops, generators,
 * struct_ops callbacks, kfunc bodies) first checks that the module has not been freed: a call
 * after free_module() is the kernel's use-after-free of module text, recorded with
 * {@link Module#reportUseAfterFree(String)} and then carried out (the kernel would run whatever
 * the freed memory now holds; the model runs the old code, so that the schedule goes on).
 *
 * <p>Interfaces of the subsystem SPI returned by a call (directly, in an {@link Optional}, a
 * {@link List} or as the values of a {@link Map}) are wrapped in turn, once per object, so the
 * kernel sees stable identities.
 */
final class ModuleCodeGuard implements InvocationHandler {
    private static final String SPI = "org.bpfosgi.subsystem.";
    private final Module module;
    private final ModuleTable table;
    private final java.util.function.BooleanSupplier pointsOn;
    private final Object target;
    private final Map<Object, Object> wrapped;

    private ModuleCodeGuard(Module module, ModuleTable table, java.util.function.BooleanSupplier pointsOn, Object target,
                            Map<Object, Object> wrapped) {
        this.module = module;
        this.table = table;
        this.pointsOn = pointsOn;
        this.target = target;
        this.wrapped = wrapped;
    }

    /**
     * The subsystem with every call into its module's code checked, each call first passing the
     * named point {@code module_code:NAME:Interface.method} (so a race can free the module right
     * before the verifier calls its is_valid_access, gen_prologue, ...) while {@code pointsOn}
     * says so: not while the module's own init or exit registers or unregisters it, which the
     * kernel model does under the struct_ops registry's lock (an actor parked there would block
     * every other actor's lookups outside any point).
     */
    static BpfSubsystem wrap(BpfSubsystem subsystem, Module module, ModuleTable table,
                             java.util.function.BooleanSupplier pointsOn) {
        return (BpfSubsystem) new ModuleCodeGuard(module, table, pointsOn, null, new IdentityHashMap<>())
                .wrapValue(subsystem, BpfSubsystem.class);
    }

    private Object wrapValue(Object v, Class<?> declared) {
        if (v == null || Proxy.isProxyClass(v.getClass())) {
            return v;
        }
        if (v instanceof Optional<?> o) {
            return o.map(this::wrapAny);
        }
        if (v instanceof List<?> l) {
            return l.stream().map(this::wrapAny).toList();
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, wrapAny(x)));
            return java.util.Collections.unmodifiableMap(out);
        }
        if (declared.isInterface() && declared.getName().startsWith(SPI)) {
            synchronized (wrapped) {
                return wrapped.computeIfAbsent(v, x -> Proxy.newProxyInstance(declared.getClassLoader(),
                        new Class<?>[] {declared}, new ModuleCodeGuard(module, table, pointsOn, x, wrapped)));
            }
        }
        return v;
    }

    /** An element of a collection: wrapped as the one SPI interface it implements, if any. */
    private Object wrapAny(Object x) {
        if (x == null) {
            return null;
        }
        for (Class<?> c = x.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().startsWith(SPI) && !i.isAnnotation()) {
                    return wrapValue(x, i);
                }
            }
        }
        return x;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "guarded " + target;
            };
        }
        String what = method.getDeclaringClass().getSimpleName() + "." + method.getName();
        if (pointsOn.getAsBoolean()) {
            table.point("module_code:" + module.name() + ":" + what);
        }
        if (module.isFreed()) {
            module.reportUseAfterFree(what + " of module " + module.name() + " called after the module was freed");
        }
        Object r;
        try {
            r = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        return wrapValue(r, method.getReturnType());
    }
}
