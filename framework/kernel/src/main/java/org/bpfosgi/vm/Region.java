package org.bpfosgi.vm;

/**
 * One mapped object of the simulated kernel address space: a stack frame, a context, a map value,
 * an object a kfunc allocated. Its bytes are little-endian, as on x86-64.
 */
public final class Region {
    /** Whether a BPF program may store into the region. */
    public enum Access { READ_ONLY, READ_WRITE }

    final String name;
    final long start;
    final byte[] data;
    final Access access;
    /** The kernel object the region is (a map's {@code struct bpf_map}), or null: what a helper taking its address finds. */
    final Object owner;
    boolean freed;

    Region(String name, long start, byte[] data, Access access) {
        this(name, start, data, access, null);
    }

    Region(String name, long start, byte[] data, Access access, Object owner) {
        this.name = name;
        this.start = start;
        this.data = data;
        this.access = access;
        this.owner = owner;
    }

    public String name() { return name; }
    /** The region's first address. */
    public long start() { return start; }
    /** One past the region's last address. */
    public long end() { return start + data.length; }
    public int size() { return data.length; }
    public Access access() { return access; }
    /** The kernel object this region is, or null. */
    public Object owner() { return owner; }
    public boolean isFreed() { return freed; }
    /** The live bytes (shared, not copied): what the program reads and writes. */
    public byte[] bytes() { return data; }

    @Override
    public String toString() {
        return String.format("%s [0x%x-0x%x %s%s]", name, start, end(), access == Access.READ_ONLY ? "ro" : "rw", freed ? " freed" : "");
    }
}
