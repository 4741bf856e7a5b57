package org.bpfosgi.structops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import org.bpfosgi.errno.Errno;

/**
 * The link table ({@code link_idr}) for struct_ops links: bpf_struct_ops_link_create() and the
 * link's release (bpf_struct_ops_map_link_dealloc()).
 */
public final class LinkTable {
    private final StructOpsKernel kernel;
    private final TreeMap<Integer, StructOpsLink> idr = new TreeMap<>();
    private int nextId = 1;

    LinkTable(StructOpsKernel kernel) {
        this.kernel = kernel;
    }

    /** What BPF_LINK_CREATE returns: the link or a negative errno. */
    public record CreateResult(StructOpsLink link, int err) {
        public boolean ok() {
            return link != null;
        }
    }

    /**
     * Models bpf_struct_ops_link_create(): the map (bpf_map_get(): a reference, -EBADF when
     * there is none) must be valid to register (a BPF_F_LINK map in state READY, else -EINVAL);
     * the link is primed (its id), then {@code st_ops->reg(kdata)}: its failure cleans the link
     * up (the id is released) and puts the map.
     */
    public CreateResult create(int mapId) {
        BpfMap m = kernel.maps().get(mapId).orElse(null);
        if (m == null) {
            return new CreateResult(null, Errno.EBADF.negative());
        }
        kernel.maps().inc(m);
        if (!(m instanceof StructOpsMap st) || !st.validToReg()) {
            kernel.maps().put(m);
            return new CreateResult(null, Errno.EINVAL.negative());
        }
        int id;
        synchronized (this) {
            id = nextId++;
        }
        int err = st.linkReg();
        if (err < 0) {
            kernel.maps().put(m);
            synchronized (this) {
                if (nextId == id + 1) {
                    nextId = id;
                }
            }
            return new CreateResult(null, err);
        }
        StructOpsLink l = new StructOpsLink(id, st);
        synchronized (this) {
            idr.put(id, l);
        }
        return new CreateResult(l, 0);
    }

    public synchronized Optional<StructOpsLink> get(int id) {
        return Optional.ofNullable(idr.get(id));
    }

    public synchronized List<StructOpsLink> list() {
        return new ArrayList<>(idr.values());
    }

    /**
     * The user closes the link's only reference: bpf_link_put() → bpf_link_free() (the id goes)
     * → bpf_struct_ops_map_link_dealloc(): {@code unreg(kdata)}, then bpf_map_put(). -ENOENT
     * for no such link.
     */
    public int close(int id) {
        StructOpsLink l;
        synchronized (this) {
            l = idr.remove(id);
        }
        if (l == null) {
            return Errno.ENOENT.negative();
        }
        l.map().linkUnreg();
        kernel.maps().put(l.map());
        return 0;
    }
}
