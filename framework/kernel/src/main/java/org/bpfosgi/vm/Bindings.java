package org.bpfosgi.vm;

import java.util.HashMap;
import java.util.Map;

/**
 * The helpers, kfuncs and prog arrays a program's calls reach, supplied by whoever runs it.
 * Helpers are keyed by {@code bpf_func_id}; kfuncs by (BTF id, fd_array offset), the pair a
 * verified {@code BPF_CALL_KFUNC(off, imm)} carries, and by name, for programs whose kfunc calls
 * are still symbolic. Prog arrays are keyed by the address a program passes as r2 to
 * {@code bpf_tail_call}. Immutable; build with {@link #builder()}.
 */
public final class Bindings {
    private final Map<Integer, BpfFunction> helpers;
    private final Map<Long, BpfFunction> kfuncsById;
    private final Map<String, BpfFunction> kfuncsByName;
    private final Map<Long, ProgArray> progArrays;

    private Bindings(Builder b) {
        helpers = Map.copyOf(b.helpers);
        kfuncsById = Map.copyOf(b.kfuncsById);
        kfuncsByName = Map.copyOf(b.kfuncsByName);
        progArrays = Map.copyOf(b.progArrays);
    }

    public static final Bindings NONE = builder().build();

    public static Builder builder() { return new Builder(); }

    public BpfFunction helper(int id) { return helpers.get(id); }

    public BpfFunction kfunc(int btfId, int off) { return kfuncsById.get(key(btfId, off)); }

    public BpfFunction kfunc(String name) { return kfuncsByName.get(name); }

    public ProgArray progArray(long address) { return progArrays.get(address); }

    private static long key(int btfId, int off) { return ((long) off << 32) | (btfId & 0xffffffffL); }

    public static final class Builder {
        private final Map<Integer, BpfFunction> helpers = new HashMap<>();
        private final Map<Long, BpfFunction> kfuncsById = new HashMap<>();
        private final Map<String, BpfFunction> kfuncsByName = new HashMap<>();
        private final Map<Long, ProgArray> progArrays = new HashMap<>();

        public Builder helper(int id, BpfFunction f) { helpers.put(id, f); return this; }

        /** Binds a kfunc under its name and, when known, its (BTF id, fd_array offset). */
        public Builder kfunc(String name, int btfId, int off, BpfFunction f) {
            kfuncsByName.put(name, f);
            kfuncsById.put(key(btfId, off), f);
            return this;
        }

        public Builder kfunc(String name, BpfFunction f) { kfuncsByName.put(name, f); return this; }

        public Builder progArray(long address, ProgArray a) { progArrays.put(address, a); return this; }

        public Bindings build() { return new Bindings(this); }
    }
}
