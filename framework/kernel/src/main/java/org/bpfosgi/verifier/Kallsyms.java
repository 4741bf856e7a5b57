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
        return s == null ? 0 : s.address();
    }

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
