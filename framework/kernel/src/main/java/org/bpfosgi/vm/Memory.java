package org.bpfosgi.vm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The simulated kernel address space: regions placed at fake direct-map addresses
 * ({@link #KERNEL_BASE} upwards), page-aligned, with an unmapped guard page after each, never
 * reused. A load or store outside every live region is a page fault, a store into a read-only
 * region a protection fault, an access to a freed region a use after free: the cases where the
 * real kernel would oops (arch/x86/mm/fault.c {@code page_fault_oops()}).
 *
 * <p>The last region used is cached, so a program working on its stack or its context pays one
 * subtraction and one compare per access. Not thread-safe: one program runs at a time.
 */
public final class Memory {
    /** Where the fake direct map starts (x86-64's {@code __PAGE_OFFSET} without KASLR). */
    public static final long KERNEL_BASE = 0xffff888000000000L;
    private static final long PAGE = 4096;

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Region[] live = new Region[16];
    private int count;
    private final List<Region> freed = new ArrayList<>();
    private long next = KERNEL_BASE;

    // The fast-path cache: the last region touched, and the one before (a program typically
    // alternates between its stack and one object, e.g. its context).
    private long cStart = 1;
    private int cSize = 0;
    private byte[] cData = new byte[0];
    private boolean cWritable;
    private long dStart = 1;
    private int dSize = 0;
    private byte[] dData = new byte[0];
    private boolean dWritable;

    /** Maps a new zero-filled region. */
    public Region allocate(String name, int size, Region.Access access) {
        return map(name, new byte[size], access);
    }

    /** Maps a new zero-filled region that is the kernel object {@code owner} (see {@link Region#owner()}). */
    public Region allocate(String name, int size, Region.Access access, Object owner) {
        return map(name, new byte[size], access, owner);
    }

    /** Maps {@code data} itself (not a copy): the program's stores are visible in the array. */
    public Region map(String name, byte[] data, Region.Access access) {
        return map(name, data, access, null);
    }

    private Region map(String name, byte[] data, Region.Access access, Object owner) {
        Region r = new Region(name, next, data, access, owner);
        long pages = (data.length + PAGE - 1) / PAGE;
        next += (pages + 1) * PAGE; // one unmapped guard page after every region
        insert(r);
        return r;
    }

    /**
     * Maps {@code data} itself at the fixed address {@code addr}, outside the direct map: a
     * variable of the kernel image (e.g. {@code jiffies}, {@link Jiffies}), whose address is a
     * link-time constant that verified code embeds. It must not overlap a live region.
     */
    public Region mapFixed(String name, long addr, byte[] data, Region.Access access) {
        if (Long.compareUnsigned(addr, KERNEL_BASE) >= 0 && Long.compareUnsigned(addr, next) < 0) {
            throw new IllegalArgumentException("0x" + Long.toHexString(addr) + " is in the direct map");
        }
        Region r = new Region(name, addr, data, access, null);
        for (int k = 0; k < count; k++) {
            if (Long.compareUnsigned(live[k].start, r.end()) < 0 && Long.compareUnsigned(addr, live[k].end()) < 0) {
                throw new IllegalArgumentException(r + " overlaps " + live[k]);
            }
        }
        insert(r);
        return r;
    }

    /** Inserts a region into {@link #live}, kept sorted by address (unsigned). */
    private void insert(Region r) {
        if (count == live.length) live = Arrays.copyOf(live, count * 2);
        int i = count;
        while (i > 0 && Long.compareUnsigned(live[i - 1].start, r.start) > 0) {
            i--;
        }
        System.arraycopy(live, i, live, i + 1, count - i);
        live[i] = r;
        count++;
    }

    /** Unmaps a region; later accesses to it are reported as use after free. */
    public void free(Region r) {
        int i = r.freed ? -1 : indexOf(r.start);
        if (i < 0 || live[i] != r) { // an empty region contains no address: look it up by identity
            i = -1;
            for (int k = 0; k < count && !r.freed; k++) if (live[k] == r) i = k;
        }
        if (i < 0) throw new IllegalArgumentException("not a live region: " + r);
        System.arraycopy(live, i + 1, live, i, count - i - 1);
        live[--count] = null;
        r.freed = true;
        freed.add(r);
        cStart = 1;
        cSize = 0;
        dStart = 1;
        dSize = 0;
    }

    /** The live region containing {@code addr}. */
    public Optional<Region> regionAt(long addr) {
        return Optional.ofNullable(find(addr));
    }

    /** The live regions, lowest address first. */
    public List<Region> regions() { return List.of(Arrays.copyOf(live, count)); }

    private Region find(long addr) {
        int i = indexOf(addr);
        return i < 0 ? null : live[i];
    }

    /** Binary search for the live region containing {@code addr}. */
    private int indexOf(long addr) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Region r = live[mid];
            if (Long.compareUnsigned(addr, r.start) < 0) hi = mid - 1;
            else if (Long.compareUnsigned(addr, r.end()) >= 0) lo = mid + 1;
            else return mid;
        }
        return -1;
    }

    /** Makes the second cache entry the first. */
    private void swap() {
        long s = cStart; int z = cSize; byte[] d = cData; boolean w = cWritable;
        cStart = dStart; cSize = dSize; cData = dData; cWritable = dWritable;
        dStart = s; dSize = z; dData = d; dWritable = w;
    }

    /** Resolves an access the first cache entry missed: returns the offset in {@link #cData} or throws. */
    private int slow(long addr, int size, boolean write) {
        long rel2 = addr - dStart;
        if (rel2 >= 0 && rel2 <= dSize - size && (dWritable || !write)) {
            swap();
            return (int) rel2;
        }
        Region r = find(addr);
        if (r == null) {
            for (Region f : freed)
                if (Long.compareUnsigned(addr, f.start) >= 0 && Long.compareUnsigned(addr, f.end()) < 0)
                    throw new MemoryFault(Oops.Kind.USE_AFTER_FREE, addr, size, "use after free of " + f.name);
            throw new MemoryFault(Oops.Kind.PAGE_FAULT, addr, size, "unable to handle page fault: no region mapped at 0x" + Long.toHexString(addr));
        }
        long rel = addr - r.start;
        if (rel + size > r.data.length)
            throw new MemoryFault(Oops.Kind.PAGE_FAULT, addr, size, "access runs past the end of " + r + " by " + (rel + size - r.data.length) + " bytes");
        if (write && r.access == Region.Access.READ_ONLY)
            throw new MemoryFault(Oops.Kind.READ_ONLY, addr, size, "write to read-only " + r);
        dStart = cStart; dSize = cSize; dData = cData; dWritable = cWritable;
        cStart = r.start;
        cSize = r.data.length;
        cData = r.data;
        cWritable = r.access == Region.Access.READ_WRITE;
        return (int) rel;
    }

    private int at(long addr, int size) {
        long rel = addr - cStart;
        if (rel >= 0 && rel <= cSize - size) return (int) rel;
        return slow(addr, size, false);
    }

    private int atW(long addr, int size) {
        long rel = addr - cStart;
        if (rel >= 0 && rel <= cSize - size && cWritable) return (int) rel;
        return slow(addr, size, true);
    }

    public long ld8(long addr) { int o = at(addr, 1); return cData[o] & 0xffL; }
    public long ld16(long addr) { int o = at(addr, 2); return (short) I16.get(cData, o) & 0xffffL; }
    public long ld32(long addr) { int o = at(addr, 4); return (int) I32.get(cData, o) & 0xffffffffL; }
    public long ld64(long addr) { int o = at(addr, 8); return (long) I64.get(cData, o); }

    public void st8(long addr, long v) { int o = atW(addr, 1); cData[o] = (byte) v; }
    public void st16(long addr, long v) { int o = atW(addr, 2); I16.set(cData, o, (short) v); }
    public void st32(long addr, long v) { int o = atW(addr, 4); I32.set(cData, o, (int) v); }
    public void st64(long addr, long v) { int o = atW(addr, 8); I64.set(cData, o, v); }

    /** Loads 1, 2, 4 or 8 bytes, zero-extended. */
    public long load(long addr, int size) {
        return switch (size) {
            case 1 -> ld8(addr);
            case 2 -> ld16(addr);
            case 4 -> ld32(addr);
            case 8 -> ld64(addr);
            default -> throw new IllegalArgumentException("size " + size);
        };
    }

    /** Stores the low 1, 2, 4 or 8 bytes of {@code v}. */
    public void store(long addr, int size, long v) {
        switch (size) {
            case 1 -> st8(addr, v);
            case 2 -> st16(addr, v);
            case 4 -> st32(addr, v);
            case 8 -> st64(addr, v);
            default -> throw new IllegalArgumentException("size " + size);
        }
    }

    /** Copies {@code len} bytes out (all within one region), for helpers. */
    public byte[] read(long addr, int len) {
        if (len == 0) return new byte[0];
        int o = at(addr, len);
        return Arrays.copyOfRange(cData, o, o + len);
    }

    /** Copies bytes in (all within one region), for helpers. */
    public void write(long addr, byte[] src) {
        if (src.length == 0) return;
        int o = atW(addr, src.length);
        System.arraycopy(src, 0, cData, o, src.length);
    }
}
