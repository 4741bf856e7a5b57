package org.bpfosgi.structops;

import java.util.function.Consumer;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.verifier.StructOpsDesc;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.MemoryFault;
import org.bpfosgi.vm.Oops;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;

/**
 * The run-time side of one machine's BPF: the kernel address space programs run against, the
 * map table (struct_ops maps, prog arrays), the struct_ops links, the struct_ops trampolines,
 * and BPF_PROG_TEST_RUN. One program (with what it calls) runs at a time: runs and every access
 * to kernel memory hold {@link #lock()}.
 *
 * <p><b>Wiring.</b> {@code new StructOpsKernel(progKernel, klog)} after the {@link ProgKernel}.
 */
public final class StructOpsKernel {
    private final ProgKernel progs;
    private final Consumer<String> klog;
    private final Memory memory = new Memory();
    private final Object lock = new Object();
    private final MapTable maps = new MapTable(this);
    private final LinkTable links = new LinkTable(this);
    private final Trampolines trampolines = new Trampolines(this);

    public StructOpsKernel(ProgKernel progs, Consumer<String> klog) {
        this.progs = progs;
        this.klog = klog;
        progs.setMaps(maps::used);
    }

    public ProgKernel progs() {
        return progs;
    }

    public ModuleTable modules() {
        return progs.modules();
    }

    public MapTable maps() {
        return maps;
    }

    public LinkTable links() {
        return links;
    }

    Trampolines trampolines() {
        return trampolines;
    }

    /** The kernel address space (use under {@link #lock()}). */
    public Memory memory() {
        return memory;
    }

    /** Held by every run and every access to {@link #memory()}. */
    public Object lock() {
        return lock;
    }

    /**
     * Kernel memory as module code sees it, with the trampolines behind indirect calls: what a
     * subsystem's callbacks get, and what a kernel caller of a registered ops table uses (e.g.
     * tcp_ack's {@code icsk->icsk_ca_ops->cong_avoid(sk, ack, acked)} in a test harness).
     */
    public KernelMemory kernelMemory() {
        return ProgRunner.memory(memory, trampolines);
    }

    void printk(String line) {
        klog.accept(line);
    }

    /** The interpreter image of a program, its kfuncs able to call through trampolines. */
    LoadedProgram prepare(BpfProg p) {
        return ProgRunner.prepare(p, progs.structOps().kallsyms(), trampolines);
    }

    /** One interpreter (with its stacks) per nesting level; rebuilt when the set of prog arrays changed. */
    private final java.util.List<Vm> vms = new java.util.ArrayList<>();
    private int depth;
    private long vmsGeneration = -1;

    /**
     * Runs {@code p} with R1 = {@code r1}. A nested run — a struct_ops program called through its
     * trampoline from a kfunc — runs on its own interpreter and stacks, as the trampoline's
     * program runs on its own kernel stack frames. Never throws: a bad access is an {@link Oops}.
     */
    public Outcome run(BpfProg p, long r1) {
        synchronized (lock) {
            if (vmsGeneration != maps.generation() && depth == 0) {
                vms.forEach(Vm::release);
                vms.clear();
                vmsGeneration = maps.generation();
            }
            if (vms.size() <= depth) {
                vms.add(new Vm(memory, bindings()));
            }
            Vm vm = vms.get(depth);
            depth++;
            try {
                return vm.run(prepare(p), r1);
            } finally {
                depth--;
            }
        }
    }

    /** What a tail call finds through the map address in R2: every live prog array. */
    private Bindings bindings() {
        Bindings.Builder b = Bindings.builder();
        for (org.bpfosgi.structops.BpfMap m : maps.list()) {
            if (m instanceof ProgArrayMap pa) {
                b.progArray(pa.address(), pa);
            }
        }
        return b.build();
    }

    /**
     * Calls a module's struct_ops callback ({@code reg}, {@code unreg}, {@code init_member},
     * {@code validate}): 0, or the errno it returned ({@link KernelException}; its message is
     * the module's pr_err(), logged). A callback of a module that was force-unloaded is not
     * called: that call is a use after free, reported on the module and in the kernel log
     * (-EFAULT). A callback's bad access or Java exception is logged as an oops (-EFAULT).
     */
    int callModule(StructOpsDesc desc, String what, Runnable callback) {
        Module owner = desc.owner();
        if (owner != null && owner.isFreed()) {
            owner.reportUseAfterFree(what + " (" + desc.name() + ") after the module was freed");
            klog.accept("BUG: unable to handle page fault: " + what + " of module " + owner.name()
                    + " was unloaded (use after free)");
            return Errno.EFAULT.negative();
        }
        try {
            synchronized (lock) {
                callback.run();
            }
            return 0;
        } catch (KernelException e) {
            if (!e.detail().isEmpty()) {
                klog.accept(e.detail());
            }
            return e.errno().negative();
        } catch (MemoryFault f) {
            klog.accept("BUG: " + what + " of " + desc.name() + ": " + f.getMessage());
            return Errno.EFAULT.negative();
        } catch (RuntimeException e) {
            klog.accept("BUG: " + what + " of " + desc.name() + " threw " + e);
            return Errno.EFAULT.negative();
        }
    }

    /** What BPF_PROG_TEST_RUN returns: an errno, or the retval, duration and ctx; or the oops that killed the caller. */
    public record TestRun(int err, long retval, long duration, byte[] ctxOut, Oops oops) {
        public boolean ok() {
            return err == 0 && oops == null;
        }
    }

    /**
     * Models bpf_prog_test_run() → {@code prog->aux->ops->test_run}: no such program: -EBADF
     * (bpf_prog_get()); struct_ops programs: bpf_struct_ops_test_run() runs only bpf_dummy_ops
     * programs (not modelled), -EOPNOTSUPP for the others; syscall programs:
     * bpf_prog_test_run_syscall().
     *
     * @param ctxIn  ctx_in (null: none)
     * @param repeat attr.test.repeat
     */
    public TestRun testRun(int progId, byte[] ctxIn, int repeat) {
        BpfProg p = progs.progs().get(progId).orElse(null);
        if (p == null) {
            return new TestRun(Errno.EBADF.negative(), 0, 0, null, null);
        }
        if (p.type() == BpfProgType.STRUCT_OPS) {
            return new TestRun(Errno.EOPNOTSUPP.negative(), 0, 0, null, null);
        }
        if (p.type() != BpfProgType.SYSCALL) {
            return new TestRun(Errno.ENOTSUPP.negative(), 0, 0, null, null);
        }
        return testRunSyscall(p, ctxIn == null ? new byte[0] : ctxIn, repeat);
    }

    /**
     * Models net/bpf/test_run.c bpf_prog_test_run_syscall(): no data_in/out, ctx_out, duration,
     * repeat, flags or batch_size (-EINVAL: so {@code bpftool prog run}, which always passes
     * repeat 1, cannot run a syscall program — checked on the 6.18 machine); ctx_size_in at least
     * the program's max_ctx_offset and at most U16_MAX (-EINVAL); the context is a kernel copy of
     * the user's bytes (memdup_user), copied back after the run; retval is R0 as u32; the
     * duration is not measured (0).
     */
    private TestRun testRunSyscall(BpfProg p, byte[] ctxIn, int repeat) {
        if (repeat != 0) {
            return new TestRun(Errno.EINVAL.negative(), 0, 0, null, null);
        }
        if (ctxIn.length < p.aux().maxCtxOffset() || ctxIn.length > 0xffff) {
            return new TestRun(Errno.EINVAL.negative(), 0, 0, null, null);
        }
        synchronized (lock) {
            Region ctx = ctxIn.length == 0 ? null : memory.map("test_run ctx", ctxIn.clone(), Region.Access.READ_WRITE);
            try {
                Outcome o = run(p, ctx == null ? 0 : ctx.start());
                if (o instanceof Oops oops) {
                    oopsReport(p, oops);
                    return new TestRun(0, 0, 0, null, oops);
                }
                long retval = ((Exit) o).r0() & 0xffffffffL;
                byte[] out = ctx == null ? new byte[0] : ctx.bytes().clone();
                return new TestRun(0, retval, 0, out, null);
            } finally {
                if (ctx != null) {
                    memory.free(ctx);
                }
            }
        }
    }

    /** The kernel log of an oops in a program: what went wrong, where, and the modules. */
    private void oopsReport(BpfProg p, Oops oops) {
        klog.accept("BUG: " + oops.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " in prog "
                + p.id() + " (" + p.name() + ") at insn " + oops.insn() + ": " + oops.reason());
        StringBuilder mods = new StringBuilder("Modules linked in:");
        for (Module m : modules().list()) {
            mods.append(' ').append(m.name());
        }
        modules().lastUnloaded().ifPresent(n -> mods.append(" [last unloaded: ").append(n).append(']'));
        klog.accept(mods.toString());
    }
}
