package org.bpfosgi.prog;

import java.util.List;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Program;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.verifier.Kallsyms;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.BpfFunction;
import org.bpfosgi.vm.BpfMapOps;
import org.bpfosgi.vm.CallContext;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Vm;

/**
 * Runs a loaded program in the interpreter ({@link Vm}) the way the kernel runs the xlated
 * image: every call's imm is the callee's address relative to {@code __bpf_call_base}, resolved
 * through {@link Kallsyms} to the Java body of the helper or kfunc. A call into a symbol of a
 * module that has been freed is an oops (use after free).
 *
 * <p>Unfinished: helper bodies exist for the time/random/CPU helpers; bpf_trace_printk returns 0
 * without printing.
 */
public final class ProgRunner {
    private ProgRunner() {
    }

    /** The interpreter image of {@code prog} with its calls bound. */
    public static LoadedProgram prepare(BpfProg prog, Kallsyms ks) {
        return prepare(prog, ks, KernelCalls.NONE);
    }

    /**
     * The interpreter image of {@code prog} with its calls bound; kfunc bodies reach
     * {@code calls} through {@link KernelMemory#indirectCall}.
     */
    public static LoadedProgram prepare(BpfProg prog, Kallsyms ks, KernelCalls calls) {
        Bindings.Builder b = Bindings.builder();
        List<Insn> insns = prog.insns();
        for (Insn i : insns) {
            if (!i.isCall() || i.isPseudoCall()) {
                continue;
            }
            Kallsyms.Symbol sym = ks.at(Kallsyms.callTarget(i.imm())).orElse(null);
            BpfFunction f = sym == null ? unresolved(i.imm()) : bind(sym, calls);
            if (i.isKfuncCall()) {
                b.kfunc(sym == null ? "?" + i.imm() : sym.name(), i.imm(), i.off(), f);
            } else {
                b.helper(i.imm(), f);
            }
        }
        return LoadedProgram.load(prog.name(), Program.of(insns), b.build());
    }

    /** Runs with R1 = {@code ctx}. */
    public static Outcome run(Vm vm, LoadedProgram p, long ctx) {
        return vm.run(p, ctx);
    }

    private static BpfFunction unresolved(int imm) {
        return (c, r1, r2, r3, r4, r5) -> {
            throw c.oops("call to an address with no symbol (imm " + imm + ")");
        };
    }

    private static BpfFunction bind(Kallsyms.Symbol sym, KernelCalls calls) {
        if (sym.body() == null) {
            return helper(sym.name());
        }
        return (c, r1, r2, r3, r4, r5) -> {
            if (sym.owner() != null && sym.owner().isFreed()) {
                throw c.oops("use after free: " + sym.name() + " of module " + sym.owner().name() + " was unloaded");
            }
            return sym.body().call(memory(c.memory(), calls), new long[] {r1, r2, r3, r4, r5});
        };
    }

    private static BpfFunction helper(String name) {
        return switch (name) {
            case "bpf_ktime_get_ns", "bpf_ktime_get_boot_ns", "bpf_ktime_get_coarse_ns" -> (c, a, b, d, e, f) -> System.nanoTime();
            case "bpf_jiffies64" -> (c, a, b, d, e, f) -> org.bpfosgi.vm.Jiffies.now();
            case "bpf_get_prandom_u32" -> (c, a, b, d, e, f) -> java.util.concurrent.ThreadLocalRandom.current().nextInt() & 0xffffffffL;
            // kernel/bpf/helpers.c: map->ops->map_lookup_elem / map_update_elem / map_delete_elem
            case "bpf_map_lookup_elem" -> (c, a, b, d, e, f) -> mapOps(c, a).lookupElem(c.memory(), b);
            case "bpf_map_update_elem" -> (c, a, b, d, e, f) -> mapOps(c, a).updateElem(c.memory(), b, d, e);
            case "bpf_map_delete_elem" -> (c, a, b, d, e, f) -> mapOps(c, a).deleteElem(c.memory(), b);
            // map->ops->map_push_elem / map_pop_elem / map_peek_elem (queue and stack maps)
            case "bpf_map_push_elem" -> (c, a, b, d, e, f) -> mapOps(c, a).pushElem(c.memory(), b, d);
            case "bpf_map_pop_elem" -> (c, a, b, d, e, f) -> mapOps(c, a).popElem(c.memory(), b);
            case "bpf_map_peek_elem" -> (c, a, b, d, e, f) -> mapOps(c, a).peekElem(c.memory(), b);
            // map->ops->map_lookup_percpu_elem (per-cpu maps)
            case "bpf_map_lookup_percpu_elem" -> (c, a, b, d, e, f) -> mapOps(c, a).lookupPercpuElem(c.memory(), b, d);
            // bpf_this_cpu_ptr, bpf_per_cpu_ptr (kernel/bpf/helpers.c): the model's one CPU
            case "bpf_this_cpu_ptr" -> (c, a, b, d, e, f) -> PerCpuArea.thisCpuPtr(c.memory(), a);
            case "bpf_per_cpu_ptr" -> (c, a, b, d, e, f) -> PerCpuArea.perCpuPtr(c.memory(), a, b);
            // bpf_kptr_xchg (kernel/bpf/helpers.c): xchg(kptr, ptr), the old pointer returned
            case "bpf_kptr_xchg" -> (c, a, b, d, e, f) -> {
                long old = c.memory().ld64(a);
                c.memory().st64(a, b);
                return old;
            };
            // do_misc_fixups()'s direct calls of map->ops (BPF_CALL_IMM(ops->map_update_elem), ...)
            // and htab_map_gen_lookup()'s __htab_map_lookup_elem: the callee must be the map's own
            case "array_map_lookup_elem", "htab_map_lookup_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).lookupElem(c.memory(), b);
            case "array_map_update_elem", "htab_map_update_elem" ->
                (c, a, b, d, e, f) -> ownOps(c, a, name).updateElem(c.memory(), b, d, e);
            case "array_map_delete_elem", "htab_map_delete_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).deleteElem(c.memory(), b);
            case "htab_lru_map_lookup_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).lookupElem(c.memory(), b);
            case "htab_lru_map_update_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).updateElem(c.memory(), b, d, e);
            case "htab_lru_percpu_map_lookup_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).lookupElem(c.memory(), b);
            case "htab_lru_percpu_map_update_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).updateElem(c.memory(), b, d, e);
            case "htab_lru_percpu_map_lookup_percpu_elem" ->
                (c, a, b, d, e, f) -> ownOps(c, a, name).lookupPercpuElem(c.memory(), b, d);
            case "htab_lru_map_delete_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).deleteElem(c.memory(), b);
            case "__htab_map_lookup_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).htabLookupElem(c.memory(), b);
            case "htab_percpu_map_lookup_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).lookupElem(c.memory(), b);
            case "htab_percpu_map_update_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).updateElem(c.memory(), b, d, e);
            case "htab_percpu_map_lookup_percpu_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).lookupPercpuElem(c.memory(), b, d);
            case "percpu_array_map_lookup_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).lookupElem(c.memory(), b);
            case "percpu_array_map_lookup_percpu_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).lookupPercpuElem(c.memory(), b, d);
            case "queue_stack_map_lookup_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).lookupElem(c.memory(), b);
            case "queue_stack_map_update_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).updateElem(c.memory(), b, d, e);
            case "queue_stack_map_delete_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).deleteElem(c.memory(), b);
            case "queue_stack_map_push_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).pushElem(c.memory(), b, d);
            case "queue_map_pop_elem", "stack_map_pop_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).popElem(c.memory(), b);
            case "queue_map_peek_elem", "stack_map_peek_elem" -> (c, a, b, d, e, f) -> ownOps(c, a, name).peekElem(c.memory(), b);
            // prog array and struct_ops map ops: the model runs none of them from a program (an oops, as
            // bpf_map_lookup_elem on such a map is)
            case "fd_array_map_lookup_elem", "fd_array_map_delete_elem", "bpf_struct_ops_map_lookup_elem",
                 "bpf_struct_ops_map_update_elem", "bpf_struct_ops_map_delete_elem" ->
                (c, a, b, d, e, f) -> ownOps(c, a, name).lookupElem(c.memory(), b);
            default -> (c, a, b, d, e, f) -> 0;
        };
    }

    /** The map whose {@code struct bpf_map} is at {@code addr} (what the verifier let R1 be); anything else is an oops. */
    private static BpfMapOps mapOps(CallContext c, long addr) {
        Object o = c.memory().regionAt(addr).map(Region::owner).orElse(null);
        if (o instanceof BpfMapOps ops) {
            return ops;
        }
        throw c.oops(String.format("map helper called with 0x%x, which is not a map with map ops", addr));
    }

    /**
     * {@link #mapOps} for a direct call of {@code fn}, a function of one map type's ops: a map of
     * another type in R1 is an oops (the kernel would run one type's code on another's struct).
     */
    private static BpfMapOps ownOps(CallContext c, long addr, String fn) {
        BpfMapOps ops = mapOps(c, addr);
        org.bpfosgi.verifier.MapOps own = org.bpfosgi.verifier.MapOps.byName(ops.opsName());
        if (own == null || !own.hasFunction(fn)) {
            throw c.oops(String.format("%s called with the map at 0x%x, whose ops are %s", fn, addr, ops.opsName()));
        }
        return ops;
    }

    /** The interpreter's memory as kfunc bodies see it. */
    static KernelMemory memory(Memory m) {
        return memory(m, KernelCalls.NONE);
    }

    /** The interpreter's memory as kfunc bodies and struct_ops callbacks see it, with its indirect calls. */
    public static KernelMemory memory(Memory m, KernelCalls calls) {
        return new KernelMemory() {
            @Override
            public long indirectCall(long fn, long... args) {
                return calls.call(fn, args.clone(), m);
            }

            @Override
            public long readU64(long addr) {
                return m.ld64(addr);
            }

            @Override
            public int readU32(long addr) {
                return (int) m.ld32(addr);
            }

            @Override
            public void writeU64(long addr, long value) {
                m.st64(addr, value);
            }

            @Override
            public void writeU32(long addr, int value) {
                m.st32(addr, value);
            }
        };
    }
}
