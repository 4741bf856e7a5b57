package org.bpfosgi.vm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adapts plain Java methods into {@link BpfFunction}s, so that a kfunc written as
 * {@code long bpf_kfunc_st_ops_inc10(CallContext ctx, long args)} can be bound by name. Parameters
 * may be an optional leading {@link CallContext} followed by up to five of {@code long}, {@code int},
 * {@code short}, {@code byte}, {@code boolean} (taken from r1..r5, truncated as a C callee would);
 * the return type may be {@code long}, {@code int}, {@code short}, {@code byte} (sign-extended into
 * r0), {@code boolean} (0 or 1) or {@code void} (r0 = 0). Models the argument passing of
 * include/linux/filter.h {@code BPF_CALL_x()} / the JIT's kfunc calls, register for register.
 */
public final class JavaFunctions {
    private JavaFunctions() {}

    /** The public methods of {@code target} that qualify, under their names (static methods too if target is a Class). */
    public static Map<String, BpfFunction> of(Object target) {
        Class<?> type = target instanceof Class<?> c ? c : target.getClass();
        Map<String, BpfFunction> out = new LinkedHashMap<>();
        for (Method m : type.getMethods()) {
            if (m.getDeclaringClass() == Object.class) continue;
            boolean isStatic = Modifier.isStatic(m.getModifiers());
            if (target instanceof Class<?> != isStatic) continue;
            if (qualifies(m)) out.put(m.getName(), of(m, isStatic ? null : target));
        }
        return out;
    }

    /** Binds every qualifying method of {@code target} as a kfunc under its name. */
    public static Bindings.Builder bindKfuncs(Bindings.Builder b, Object target) {
        of(target).forEach(b::kfunc);
        return b;
    }

    static boolean qualifies(Method m) {
        Class<?>[] p = m.getParameterTypes();
        int first = p.length > 0 && p[0] == CallContext.class ? 1 : 0;
        if (p.length - first > 5) return false;
        for (int i = first; i < p.length; i++) if (!scalar(p[i])) return false;
        Class<?> r = m.getReturnType();
        return r == void.class || scalar(r);
    }

    private static boolean scalar(Class<?> c) {
        return c == long.class || c == int.class || c == short.class || c == byte.class || c == boolean.class;
    }

    /** One method as a BpfFunction; {@code receiver} is null for a static method. */
    public static BpfFunction of(Method m, Object receiver) {
        if (!qualifies(m)) throw new IllegalArgumentException("not callable from BPF: " + m);
        MethodHandle h;
        try {
            h = MethodHandles.publicLookup().unreflect(m);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("not accessible: " + m, e);
        }
        if (receiver != null) h = h.bindTo(receiver);
        Class<?>[] p = m.getParameterTypes();
        boolean withCtx = p.length > 0 && p[0] == CallContext.class;
        int n = p.length - (withCtx ? 1 : 0);
        Class<?> ret = m.getReturnType();
        final MethodHandle mh = h;
        return (ctx, r1, r2, r3, r4, r5) -> {
            long[] regs = {r1, r2, r3, r4, r5};
            Object[] args = new Object[p.length];
            int k = 0;
            if (withCtx) args[k++] = ctx;
            for (int i = 0; i < n; i++) args[k + i] = narrow(p[k + i], regs[i]);
            Object result;
            try {
                result = mh.invokeWithArguments(args);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (ret == void.class) return 0;
            if (ret == boolean.class) return (Boolean) result ? 1 : 0;
            return ((Number) result).longValue();
        };
    }

    private static Object narrow(Class<?> c, long v) {
        if (c == long.class) return v;
        if (c == int.class) return (int) v;
        if (c == short.class) return (short) v;
        if (c == byte.class) return (byte) v;
        return v != 0;
    }
}
