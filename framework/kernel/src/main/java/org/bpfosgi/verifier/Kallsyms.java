package org.bpfosgi.verifier;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.module.Module;
import org.bpfosgi.subsystem.Kfunc;

/**
 * Models the part of kernel/kallsyms.c the verifier uses: {@code kallsyms_lookup_name()} for
 * kfunc addresses, and {@code __bpf_call_base} for call immediates. A symbol here is a Java
 * function bound by name (a kfunc body, or a helper), with a synthetic address: vmlinux symbols
 * in kernel text, module symbols in the module area — both within ±2 GiB of
 * {@code __bpf_call_base}, as on x86-64, so BPF_CALL_IMM() fits in 32 bits.
 */
public final class Kallsyms {
    /** The address of {@code __bpf_call_base} (kernel text). */
    public static final long BPF_CALL_BASE = 0xffffffff81200000L;
    private static final long VMLINUX_TEXT = 0xffffffff81300000L;
    private static final long MODULES_VADDR = 0xffffffffc0000000L;

    /** One symbol: its name, address, owner (null = vmlinux) and Java body (null for helpers). */
    public record Symbol(String name, long address, Module owner, Kfunc body) {
    }

    private final Map<String, Symbol> byName = new LinkedHashMap<>();
    private final Map<Long, Symbol> byAddr = new LinkedHashMap<>();
    private long nextVmlinux = VMLINUX_TEXT;
    private long nextModuleArea = MODULES_VADDR;
    private final Map<Module, long[]> moduleNext = new LinkedHashMap<>();
    /** Kernel data (.data): non-per-cpu variables. */
    private static final long VMLINUX_DATA = 0xffffffff82800000L;
    /**
     * Per-cpu variables: on x86-64 kallsyms gives a per-cpu symbol its offset in the per-cpu
     * area (a small number, e.g. {@code runqueues} at 0x2fcc0), which this_cpu_ptr() adds to the
     * cpu's base; the model numbers them from here.
     */
    private static final long PERCPU_BASE = 0x20000L;
    /** vmlinux functions that only BTF names (no Java body, not a helper): kallsyms has every function. */
    private static final long VMLINUX_OTHER_TEXT = 0xffffffff81a00000L;
    private long nextData = VMLINUX_DATA;
    private long nextPercpu = PERCPU_BASE;
    private long nextOtherText = VMLINUX_OTHER_TEXT;
    private final Map<String, Symbol> vmlinuxBtfFuncs = new LinkedHashMap<>();

    /** Adds a symbol of vmlinux or of a module (a module's symbols appear when it is loaded). */
    public synchronized Symbol add(String name, Module owner, Kfunc body) {
        long addr;
        if (owner == null) {
            addr = nextVmlinux;
            nextVmlinux += 0x40;
        } else {
            long[] next = moduleNext.computeIfAbsent(owner, m -> {
                long base = nextModuleArea;
                nextModuleArea += 0x100000;
                return new long[] {base};
            });
            addr = next[0];
            next[0] += 0x40;
        }
        Symbol s = new Symbol(name, addr, owner, body);
        byName.putIfAbsent(name, s);
        byAddr.put(addr, s);
        return s;
    }

    /**
     * Adds a variable of vmlinux or of a module (what check_pseudo_btf_id() looks up by the name
     * of a BTF VAR): a per-cpu one at its offset in the per-cpu area, another in kernel data.
     * A name kallsyms already has keeps its first symbol (kallsyms_lookup_name() finds the first).
     */
    public synchronized Symbol addData(String name, Module owner, boolean percpu) {
        long addr;
        if (percpu) {
            addr = nextPercpu;
            nextPercpu += 0x40;
        } else {
            addr = nextData;
            nextData += 0x40;
        }
        Symbol s = new Symbol(name, addr, owner, null);
        if (byName.putIfAbsent(name, s) == null) {
            byAddr.put(addr, s);
            dataSymbols.add(s);
        }
        return byName.get(name);
    }

    /**
     * The variables of {@code btf}'s own types (a module's split BTF: its own; vmlinux: all) as
     * kallsyms lists them once the object is loaded: each VAR a data symbol, per-cpu when it is in
     * the object's own ".data..percpu" DATASEC (the one find_btf_percpu_datasec() finds).
     */
    public synchronized void addBtfVars(org.bpfosgi.btf.Btf btf, Module owner) {
        int percpuSec = findPercpuDatasec(btf);
        java.util.Set<Integer> percpu = new java.util.HashSet<>();
        if (percpuSec > 0) {
            for (org.bpfosgi.btf.BtfType.VarSecInfo v : ((org.bpfosgi.btf.BtfType.DataSec) btf.type(percpuSec)).vars()) {
                percpu.add(v.type());
            }
        }
        for (int id = Math.max(1, btf.startId()); id < btf.nrTypes(); id++) {
            if (btf.kind(id) == org.bpfosgi.btf.api.BtfKind.VAR) {
                addData(btf.name(id), owner, percpu.contains(id));
            }
        }
    }

    /**
     * Models find_btf_percpu_datasec() (kernel/bpf/verifier.c, v6.12): the id of the
     * ".data..percpu" DATASEC among the object's own types (a module's BTF skips vmlinux's), or
     * -ENOENT.
     */
    public static int findPercpuDatasec(org.bpfosgi.btf.Btf btf) {
        for (int id = Math.max(1, btf.startId()); id < btf.nrTypes(); id++) {
            if (btf.kind(id) == org.bpfosgi.btf.api.BtfKind.DATASEC && btf.name(id).equals(".data..percpu")) {
                return id;
            }
        }
        return -2;
    }

    /**
     * Models kallsyms_lookup_name() for a function BTF names: the kernel's kallsyms has every
     * function of vmlinux, the model's symbol table only those with a Java body or a helper
     * number. A vmlinux FUNC of BTF ({@code vmlinuxBtfFunc}) that the table lacks gets an address
     * of its own on first use, kept apart from the table so that a later {@link #add} of the same
     * name (a built-in subsystem's kfunc) is not shadowed.
     */
    public synchronized long lookupName(String name, boolean vmlinuxBtfFunc) {
        long a = lookupName(name);
        if (a != 0 || !vmlinuxBtfFunc) {
            return a;
        }
        return vmlinuxBtfFuncs.computeIfAbsent(name, n -> {
            long addr = nextOtherText;
            nextOtherText += 0x40;
            return new Symbol(n, addr, null, null);
        }).address();
    }

    /**
     * A module's symbols go with free_module(): they can no longer be looked up by name. Their
     * addresses stay known (module addresses are never reused here), so that a call through a
     * dangling address — a program still holding it after a forced unload — is reported as a
     * use after free rather than as an unknown address.
     */
    public synchronized void removeModule(Module owner) {
        byName.values().removeIf(s -> s.owner() == owner);
        moduleNext.remove(owner);
    }

    /** Models kallsyms_lookup_name(): the address, or 0 when there is no such symbol. */
    public synchronized long lookupName(String name) {
        Symbol s = byName.get(name);
        return s == null || (!kallsymsAll && dataSymbols.contains(s)) ? 0 : s.address();
    }

    /**
     * CONFIG_KALLSYMS_ALL: whether kallsyms lists data symbols (variables, per-cpu ones
     * included) as well as functions. Distribution kernels set it; without it
     * kallsyms_lookup_name() of a variable is 0 and a ksym of a variable fails to load
     * ("ldimm64 failed to find the address for kernel symbol"). The model's default is y; the
     * differential corpus's kernel (a 6.18 without it) is compared with it off.
     */
    public synchronized void setKallsymsAll(boolean all) {
        this.kallsymsAll = all;
    }

    public synchronized boolean kallsymsAll() {
        return kallsymsAll;
    }

    private boolean kallsymsAll = true;
    private final java.util.Set<Symbol> dataSymbols = new java.util.HashSet<>();

    /** The symbol at an address (what the interpreter calls), also of an unloaded module. */
    public synchronized Optional<Symbol> at(long addr) {
        return Optional.ofNullable(byAddr.get(addr));
    }

    public synchronized Optional<Symbol> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Models BPF_CALL_IMM(x): {@code x - __bpf_call_base}, as a long to let callers range-check. */
    public static long callImm(long addr) {
        return addr - BPF_CALL_BASE;
    }

    /** The address a call immediate stands for. */
    public static long callTarget(int imm) {
        return BPF_CALL_BASE + imm;
    }
}
