package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.CompiledBtf;
import org.bpfosgi.module.Module;

/**
 * The verifier's view ({@link KernelBtfs}) of the kernel's BTF registry ({@link BtfRegistry}:
 * {@code btf_idr}, btf_get/btf_put, btf_try_get_module). Each {@link BtfObject} has exactly one
 * {@link BtfHandle}, so that the verifier can compare BTF objects by identity as the kernel
 * compares {@code struct btf *} pointers.
 */
public final class RegistryKernelBtfs implements KernelBtfs {
    /** The handle of one BTF object. */
    private static final class Handle implements BtfHandle {
        final BtfObject obj;

        Handle(BtfObject obj) {
            this.obj = obj;
        }

        @Override
        public String name() {
            return obj.name();
        }

        @Override
        public Btf btf() {
            return obj.btf();
        }

        @Override
        public CompiledBtf compiled() {
            return obj.compiled();
        }

        @Override
        public Module module() {
            return obj.module();
        }

        @Override
        public String toString() {
            return obj.toString();
        }
    }

    private final BtfRegistry registry;
    private final Map<BtfObject, Handle> handles = new IdentityHashMap<>();

    public RegistryKernelBtfs(BtfRegistry registry) {
        this.registry = registry;
    }

    public BtfRegistry registry() {
        return registry;
    }

    /** The handle of a registered BTF object. */
    public synchronized BtfHandle handle(BtfObject obj) {
        return handles.computeIfAbsent(obj, Handle::new);
    }

    /** The BTF object behind a handle. */
    public static BtfObject object(BtfHandle h) {
        return ((Handle) h).obj;
    }

    @Override
    public BtfHandle vmlinux() {
        return handle(registry.vmlinux());
    }

    @Override
    public void btfGet(BtfHandle btf) {
        registry.btfGet(object(btf));
    }

    @Override
    public void btfPut(BtfHandle btf) {
        registry.btfPut(object(btf));
    }

    @Override
    public Optional<Module> btfTryGetModule(BtfHandle btf, String holder) {
        return registry.btfTryGetModule(object(btf), holder);
    }

    @Override
    public List<BtfHandle> moduleBtfs() {
        List<BtfHandle> out = new ArrayList<>();
        for (BtfObject o : registry.list()) {
            if (o.isModule()) {
                out.add(handle(o));
            }
        }
        return out;
    }

    @Override
    public int refcnt(BtfHandle btf) {
        return object(btf).refcnt();
    }

    @Override
    public Optional<BtfHandle> btfGetModuleBtf(Module mod) {
        return registry.btfGetModuleBtf(mod).map(this::handle);
    }
}
