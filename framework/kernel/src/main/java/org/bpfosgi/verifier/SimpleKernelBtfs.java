package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.CompiledBtf;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleState;
import org.bpfosgi.module.ModuleTable;

/**
 * A minimal BTF object registry for the verifier's tests and for use until the real BtfRegistry
 * (btf branch) lands: reference counts per object, and btf_try_get_module() with the kernel's
 * rule that only a LIVE module can be pinned through its BTF (spec §10.2). The module BTF's
 * "LIVE" flag is taken from the module's state, which is what BTF_MODULE_F_LIVE mirrors.
 */
public final class SimpleKernelBtfs implements KernelBtfs {
    private record Obj(String name, Btf btf, CompiledBtf compiled, Module module) implements BtfHandle {
    }

    private final ModuleTable modules;
    private final BtfHandle vmlinux;
    private final Map<BtfHandle, int[]> refs = new IdentityHashMap<>();
    private final List<BtfHandle> moduleBtfs = new ArrayList<>();

    public SimpleKernelBtfs(CompiledBtf vmlinuxBtf, ModuleTable modules) {
        this.modules = modules;
        this.vmlinux = new Obj("vmlinux", vmlinuxBtf.btf(), vmlinuxBtf, null);
        refs.put(vmlinux, new int[] {1});
    }

    /** A module's BTF object, as btf_module_notify(COMING) creates it: refcnt 1 (the list's). */
    public synchronized BtfHandle registerModule(Module mod, CompiledBtf btf) {
        BtfHandle h = new Obj(mod.name(), btf.btf(), btf, mod);
        refs.put(h, new int[] {1});
        moduleBtfs.add(h);
        return h;
    }

    /** btf_module_notify(GOING): the list drops its reference. */
    public void unregisterModule(BtfHandle h) {
        synchronized (this) {
            moduleBtfs.remove(h);
        }
        btfPut(h);
    }

    @Override
    public synchronized List<BtfHandle> moduleBtfs() {
        return List.copyOf(moduleBtfs);
    }

    @Override
    public BtfHandle vmlinux() {
        return vmlinux;
    }

    @Override
    public synchronized void btfGet(BtfHandle btf) {
        int[] r = refs.get(btf);
        if (r == null || r[0] <= 0) {
            throw new IllegalStateException("btf_get on freed BTF " + btf.name());
        }
        r[0]++;
    }

    @Override
    public synchronized void btfPut(BtfHandle btf) {
        int[] r = refs.get(btf);
        if (r == null || r[0] <= 0) {
            throw new IllegalStateException("btf_put on freed BTF " + btf.name());
        }
        r[0]--;
    }

    @Override
    public Optional<Module> btfTryGetModule(BtfHandle btf, String holder) {
        Module m = btf.module();
        if (m == null || m.state() != ModuleState.LIVE) {
            return Optional.empty();
        }
        return modules.tryModuleGet(m, holder) ? Optional.of(m) : Optional.empty();
    }

    @Override
    public synchronized int refcnt(BtfHandle btf) {
        int[] r = refs.get(btf);
        return r == null ? 0 : r[0];
    }
}
