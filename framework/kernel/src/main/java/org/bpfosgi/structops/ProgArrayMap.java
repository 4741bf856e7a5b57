package org.bpfosgi.structops;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.subsystem.BpfProgType;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.ProgArray;

/**
 * Models a {@code BPF_MAP_TYPE_PROG_ARRAY} (kernel/bpf/arraymap.c, {@code prog_array_map_ops}):
 * {@code max_entries} slots, each holding a reference to a program; {@code bpf_tail_call}
 * looks the slot up ({@link ProgArray}). The map's owner program type is set by the first
 * program stored or by the first program using the map ({@code bpf_prog_map_compatible()}).
 */
public final class ProgArrayMap extends BpfMap implements ProgArray {
    private final StructOpsKernel kernel;
    private final BpfProg[] progs;
    private final LoadedProgram[] images;
    /** {@code map->owner.type}; null until set. */
    private BpfProgType ownerType;

    ProgArrayMap(int id, MapCreateAttr attr, StructOpsKernel kernel) {
        super(id, attr);
        this.kernel = kernel;
        this.progs = new BpfProg[attr.maxEntries()];
        this.images = new LoadedProgram[attr.maxEntries()];
    }

    /**
     * Models fd_array_map_alloc_check() then array_map_alloc_check(): value_size must be 4
     * (a prog fd), no BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG, max_entries &gt; 0, key_size 4.
     * Not modelled: the other array flags (BPF_F_NUMA_NODE, BPF_F_MMAPABLE, ...), which the
     * model refuses with -EINVAL as unknown flags.
     */
    static int allocCheck(MapCreateAttr attr) {
        if (attr.valueSize() != 4) {
            return Errno.EINVAL.negative();
        }
        if ((attr.flags() & (MapCreateAttr.BPF_F_RDONLY_PROG | MapCreateAttr.BPF_F_WRONLY_PROG)) != 0) {
            return Errno.EINVAL.negative();
        }
        if (attr.maxEntries() == 0 || attr.keySize() != 4 || attr.flags() != 0) {
            return Errno.EINVAL.negative();
        }
        return 0;
    }

    @Override
    public int maxEntries() {
        return progs.length;
    }

    /** What a tail call into {@code index} runs, or null for an empty slot. */
    @Override
    public synchronized LoadedProgram get(int index) {
        if (index < 0 || index >= images.length) {
            return null;
        }
        return images[index];
    }

    /** The program in slot {@code index}, or null. */
    public synchronized BpfProg prog(int index) {
        return index < 0 || index >= progs.length ? null : progs[index];
    }

    /** {@code map->owner.type}, empty until a program set it. */
    public synchronized java.util.Optional<BpfProgType> ownerType() {
        return java.util.Optional.ofNullable(ownerType);
    }

    /**
     * Models bpf_fd_array_map_update_elem() with prog_fd_array_get_ptr(): BPF_ANY only
     * (-EINVAL), index within max_entries (-E2BIG), the program must exist (-EBADF) and be
     * compatible with the map's owner (bpf_prog_map_compatible(), -EINVAL); the slot's old
     * program is put.
     */
    public int update(int key, int progId, long flags) {
        if (flags != 0) {
            return Errno.EINVAL.negative();
        }
        if (key < 0 || key >= progs.length) {
            return Errno.E2BIG.negative();
        }
        BpfProg p = kernel.progs().progs().get(progId).orElse(null);
        if (p == null) {
            return Errno.EBADF.negative();
        }
        BpfProg old;
        synchronized (this) {
            if (!compatible(p)) {
                return Errno.EINVAL.negative();
            }
            kernel.progs().progs().inc(p);
            old = progs[key];
            progs[key] = p;
            images[key] = kernel.prepare(p);
        }
        if (old != null) {
            kernel.progs().progs().put(old);
        }
        return 0;
    }

    /** Models __bpf_prog_map_compatible(): the first program sets the owner type; later ones must match. */
    synchronized boolean compatible(BpfProg p) {
        return compatible(p.type());
    }

    synchronized boolean compatible(BpfProgType type) {
        if (ownerType == null) {
            ownerType = type;
            return true;
        }
        return ownerType == type;
    }

    /** Models fd_array_map_delete_elem(): -E2BIG past the end, -ENOENT for an empty slot. */
    public int delete(int key) {
        if (key < 0 || key >= progs.length) {
            return Errno.E2BIG.negative();
        }
        BpfProg old;
        synchronized (this) {
            old = progs[key];
            progs[key] = null;
            images[key] = null;
        }
        if (old == null) {
            return Errno.ENOENT.negative();
        }
        kernel.progs().progs().put(old);
        return 0;
    }

    /** Models prog_fd_array_sys_lookup_elem(): the program's id. */
    @Override
    public synchronized byte[] lookupUser(int key) {
        BpfProg p = prog(key);
        if (p == null) {
            return null;
        }
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(p.id()).array();
    }

    /** Models prog_array_map_clear() → bpf_fd_array_map_clear(): every slot's program is put. */
    void clear() {
        mapFree();
    }

    /** Models prog_array_map_free() (the slots are empty by then unless the user never closed the map). */
    @Override
    void mapFree() {
        for (int i = 0; i < progs.length; i++) {
            BpfProg p;
            synchronized (this) {
                p = progs[i];
                progs[i] = null;
                images[i] = null;
            }
            if (p != null) {
                kernel.progs().progs().put(p);
            }
        }
    }
}
