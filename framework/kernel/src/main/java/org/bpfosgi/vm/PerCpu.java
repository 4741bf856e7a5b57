package org.bpfosgi.vm;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * {@code __per_cpu_offset[]} of a memory: where each CPU's copy of the per-cpu area starts. The
 * model runs on one CPU ({@link #NR_CPU_IDS}); CPU 0's copy is mapped, zero-filled, the first time
 * anything asks for it, and covers {@link #SIZE} bytes of per-cpu offsets (per-cpu ksyms from the
 * model's kallsyms, 0x20000 up). A per-cpu pointer ({@code void __percpu *}) is an offset from
 * it: {@code per_cpu_ptr(p, cpu) = p + __per_cpu_offset[cpu]}, which is also what the interpreter's
 * BPF_MOV64_PERCPU_REG adds (x86-64: {@code add dst, gs:[this_cpu_off]}). Per-cpu memory allocated
 * elsewhere in the memory (a per-cpu map's values) has the pointer {@code address - offset(cpu 0)}.
 */
public final class PerCpu {
    /** {@code nr_cpu_ids} (and num_possible_cpus()): the model has one CPU. */
    public static final int NR_CPU_IDS = 1;
    /** Offsets 0..SIZE of the per-cpu area. */
    public static final int SIZE = 0x40000;

    /**
     * The per-cpu offset of {@code pcpu_hot} (arch/x86/include/asm/current.h, v6.12; x86-64's
     * per-cpu section is zero-based there, so the offset is what {@code &pcpu_hot} is). A link-time
     * constant in the kernel; the model's, below the per-cpu ksyms' 0x20000 so that no
     * variable of BTF shares it.
     */
    public static final int PCPU_HOT = 0x1f000;
    /**
     * {@code &pcpu_hot.cpu_number}: after {@code current_task} (8 bytes) and {@code preempt_count}
     * (4) in v6.12's struct pcpu_hot. setup_per_cpu_areas() (arch/x86/kernel/setup_percpu.c) sets
     * {@code per_cpu(pcpu_hot.cpu_number, cpu) = cpu}: 0 in the model's one CPU's zero-filled area.
     */
    public static final int PCPU_HOT_CPU_NUMBER = PCPU_HOT + 12;

    private static final Map<Memory, Region> AREAS = new WeakHashMap<>();

    private PerCpu() {
    }

    /** {@code __per_cpu_offset[cpu]} in {@code m}, for {@code cpu < NR_CPU_IDS}. */
    public static long offset(Memory m, int cpu) {
        if (cpu != 0) {
            throw new IllegalArgumentException("cpu " + cpu + " >= nr_cpu_ids");
        }
        synchronized (AREAS) {
            return AREAS.computeIfAbsent(m, x -> x.allocate("per-cpu area of CPU 0", SIZE, Region.Access.READ_WRITE)).start();
        }
    }
}
