package org.bpfosgi.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.bpfosgi.subsystem.KernelMemory;

/**
 * Kernel memory for unit tests of a kfunc body: one little-endian buffer of {@code size} bytes at
 * address {@link #BASE}. A read or write outside it throws {@link IndexOutOfBoundsException}
 * (where the machine reports an oops). {@link #indirectCall} is refused: a kfunc that calls a
 * BPF program through a pointer is tested on a {@link TestKernel} or a {@link Machine}.
 */
public final class TestMemory implements KernelMemory {
    /** The address of the first byte. */
    public static final long BASE = 0x1000;
    private final ByteBuffer bytes;

    public TestMemory(int size) {
        this.bytes = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int index(long addr, int size) {
        long i = addr - BASE;
        if (i < 0 || i + size > bytes.capacity()) {
            throw new IndexOutOfBoundsException("address 0x" + Long.toHexString(addr) + " size " + size
                    + " is outside [0x" + Long.toHexString(BASE) + ", 0x" + Long.toHexString(BASE + bytes.capacity()) + ")");
        }
        return (int) i;
    }

    @Override
    public long readU64(long addr) {
        return bytes.getLong(index(addr, 8));
    }

    @Override
    public int readU32(long addr) {
        return bytes.getInt(index(addr, 4));
    }

    @Override
    public void writeU64(long addr, long value) {
        bytes.putLong(index(addr, 8), value);
    }

    @Override
    public void writeU32(long addr, int value) {
        bytes.putInt(index(addr, 4), value);
    }

    @Override
    public long indirectCall(long fn, long... args) {
        throw new UnsupportedOperationException("TestMemory runs no BPF program (indirect call to 0x"
                + Long.toHexString(fn) + "); use a TestKernel");
    }
}
