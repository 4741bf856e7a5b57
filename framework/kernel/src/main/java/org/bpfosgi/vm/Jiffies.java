package org.bpfosgi.vm;

/**
 * The kernel's {@code jiffies} (kernel/time/jiffies.c; on x86-64 the linker makes it
 * {@code jiffies_64}): a 64-bit tick counter at a fixed address of the kernel image, which
 * do_misc_fixups()'s bpf_jiffies64 inline loads ({@code BPF_LD_IMM64(BPF_REG_0, &jiffies)},
 * {@code BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_0, 0)}). In a run's memory it is a read-only
 * 8-byte region at {@link #ADDRESS}, mapped the first time a program that loads the address
 * runs ({@link LoadedProgram#readsJiffies}) and set to {@link #now()} at the start of each such
 * run — the value the bpf_jiffies64 helper's body returns, with HZ = 250 (CONFIG_HZ_250).
 */
public final class Jiffies {
    /**
     * {@code &jiffies}: the model's address in kernel data, apart from what its kallsyms hands
     * out (text from 0xffffffff81300000 and 0xffffffff81a00000, data from 0xffffffff82800000).
     */
    public static final long ADDRESS = 0xffffffff82000000L;
    /** CONFIG_HZ. */
    public static final long HZ = 250;

    private Jiffies() {
    }

    /** The tick count now: monotonic time in units of 1/HZ s. */
    public static long now() {
        return System.nanoTime() / (1_000_000_000L / HZ);
    }

    /**
     * Maps {@code jiffies} in {@code m} if it is not yet, and stores {@link #now()} in it (the
     * variable lives in the machine's memory, as the kernel's lives in its image).
     */
    static void update(Memory m) {
        byte[] b = m.regionAt(ADDRESS)
                .orElseGet(() -> m.mapFixed("jiffies", ADDRESS, new byte[8], Region.Access.READ_ONLY))
                .bytes();
        long v = now();
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
    }
}
