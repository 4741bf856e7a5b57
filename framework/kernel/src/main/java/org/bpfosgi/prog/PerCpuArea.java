package org.bpfosgi.prog;

import org.bpfosgi.vm.Memory;

/**
 * The per-cpu area of the model's one CPU in a run's memory, what {@code this_cpu_ptr()} and
 * {@code per_cpu_ptr()} (include/linux/percpu-defs.h) add a per-cpu variable's address to: a
 * per-cpu ksym's address is its offset in the area (kallsyms on x86-64; the model's
 * {@code Kallsyms} numbers them from 0x20000), and {@code __per_cpu_offset[0]} is where CPU 0's
 * copy of the area starts. The model runs on one CPU ({@code nr_cpu_ids} = 1); the area is
 * mapped, zero-filled, the first time a program asks for it, and covers
 * {@link #SIZE} bytes of offsets: a variable past it (more than the model's kallsyms numbers
 * in practice) is a page fault, not a silent read of something else.
 */
final class PerCpuArea {
    /** {@code nr_cpu_ids}: the model has one CPU. */
    static final int NR_CPU_IDS = org.bpfosgi.vm.PerCpu.NR_CPU_IDS;
    /** Offsets 0..SIZE of the per-cpu area (the model's kallsyms puts per-cpu variables from 0x20000, 0x40 apart). */
    static final int SIZE = org.bpfosgi.vm.PerCpu.SIZE;

    private PerCpuArea() {
    }

    /** {@code __per_cpu_offset[cpu]} in {@code m}, for {@code cpu < NR_CPU_IDS} ({@link org.bpfosgi.vm.PerCpu}). */
    static long perCpuOffset(Memory m, int cpu) {
        return org.bpfosgi.vm.PerCpu.offset(m, cpu);
    }

    /** Models bpf_this_cpu_ptr() (kernel/bpf/helpers.c): {@code this_cpu_ptr(percpu_ptr)} on CPU 0. */
    static long thisCpuPtr(Memory m, long percpuPtr) {
        return perCpuOffset(m, 0) + percpuPtr;
    }

    /**
     * Models bpf_per_cpu_ptr() (kernel/bpf/helpers.c): NULL for {@code cpu >= nr_cpu_ids} (cpu
     * is a u32), else {@code per_cpu_ptr(ptr, cpu)}.
     */
    static long perCpuPtr(Memory m, long ptr, long cpu) {
        long c = cpu & 0xffffffffL;
        if (c >= NR_CPU_IDS) {
            return 0;
        }
        return perCpuOffset(m, (int) c) + ptr;
    }
}
