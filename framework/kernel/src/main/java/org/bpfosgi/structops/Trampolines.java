package org.bpfosgi.structops;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.KernelCalls;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.MemoryFault;
import org.bpfosgi.vm.Oops;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;

/**
 * The BPF trampolines of struct_ops maps: what bpf_struct_ops_prepare_trampoline() builds for
 * each program member, at an address in the BPF image area that the map stores in
 * {@code kdata}. Calling one (module code calling {@code st_ops->member(args)}) stores the
 * arguments as the {@code u64} array the program sees as its context and runs the program; its
 * R0 is the call's result. A trampoline of a freed (or reset) map stays known, so a call through
 * a stale pointer is a detected use after free.
 */
public final class Trampolines implements KernelCalls {
    /** Where the model's BPF images start (x86-64's module/BPF area). */
    static final long BPF_IMAGE_BASE = 0xffffffffa0000000L;
    /** MAX_BPF_FUNC_ARGS. */
    static final int MAX_BPF_FUNC_ARGS = 12;

    private record Trampoline(long addr, StructOpsMap map, String member, BpfProg prog) {
    }

    private final StructOpsKernel kernel;
    private final Map<Long, Trampoline> live = new HashMap<>();
    private final Map<Long, Trampoline> released = new HashMap<>();
    private final Set<Long> all = new HashSet<>();
    private long next = BPF_IMAGE_BASE;

    Trampolines(StructOpsKernel kernel) {
        this.kernel = kernel;
    }

    /** bpf_struct_ops_prepare_trampoline() for one member: the trampoline's address. */
    synchronized long prepare(StructOpsMap map, String member, BpfProg prog) {
        long addr = next;
        next += 0x40;
        Trampoline t = new Trampoline(addr, map, member, prog);
        live.put(addr, t);
        all.add(addr);
        return addr;
    }

    /** The image is freed (map free, or a failed update's reset). */
    synchronized void release(long addr) {
        Trampoline t = live.remove(addr);
        if (t != null) {
            released.put(addr, t);
        }
    }

    @Override
    public long call(long fn, long[] args, Memory mem) {
        Trampoline t;
        Trampoline stale;
        synchronized (this) {
            t = live.get(fn);
            stale = released.get(fn);
        }
        if (t == null) {
            if (stale != null) {
                throw new MemoryFault(Oops.Kind.USE_AFTER_FREE, fn, 0, "use after free: call through the freed trampoline of "
                        + StructOpsMap.holderName(stale.map().id(), stale.map().name()) + " member " + stale.member());
            }
            throw new MemoryFault(Oops.Kind.PAGE_FAULT, fn, 0,
                    "unable to handle page fault: indirect call to 0x" + Long.toHexString(fn) + ", no function there");
        }
        if (args.length > MAX_BPF_FUNC_ARGS) {
            throw new MemoryFault(Oops.Kind.FUNCTION_FAILED, fn, 0, "trampoline called with " + args.length + " arguments");
        }
        // the trampoline's stack: the arguments as u64 ctx[] (read-only to the program)
        byte[] ctx = new byte[Math.max(8, args.length * 8)];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(ctx).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < args.length; i++) {
            b.putLong(i * 8, args[i]);
        }
        Region r = mem.map("trampoline ctx of " + t.prog().name(), ctx, Region.Access.READ_ONLY);
        try {
            Outcome o = kernel.run(t.prog(), r.start());
            if (o instanceof Exit e) {
                return e.r0();
            }
            Oops oops = (Oops) o;
            throw new MemoryFault(oops.kind(), oops.address(), oops.size(), "in prog " + t.prog().id() + " ("
                    + t.prog().name() + ") at insn " + oops.insn() + ", called through its struct_ops trampoline: " + oops.reason());
        } finally {
            mem.free(r);
        }
    }
}
