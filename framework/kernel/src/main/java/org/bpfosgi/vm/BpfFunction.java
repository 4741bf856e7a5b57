package org.bpfosgi.vm;

/**
 * A helper or kfunc implemented in Java: receives the five argument registers r1-r5 and returns
 * what the program finds in r0. It reaches the program's memory through {@code ctx}; an access
 * that fails there ends the run in an {@link Oops}, as does any exception the function throws.
 */
@FunctionalInterface
public interface BpfFunction {
    long call(CallContext ctx, long r1, long r2, long r3, long r4, long r5);
}
