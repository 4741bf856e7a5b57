package org.bpfosgi.btf;

import java.util.function.Consumer;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleImage.BtfSource;
import org.bpfosgi.module.ModuleNotifier;
import org.bpfosgi.module.ModuleState;

/**
 * Models kernel/bpf/btf.c btf_module_notify(), the module notifier that gives each
 * module with BTF its split BTF object. The module's {@code .BTF} is its header
 * ({@link org.bpfosgi.module.ModuleImage#btfSource()}), compiled here as pahole and
 * resolve_btfids would have at build time.
 * <ul>
 * <li>COMING: compile on top of vmlinux BTF; failure logs the compiler's message and
 *     "failed to validate module [%s] BTF: %ld" and fails the load with -EINVAL
 *     (CONFIG_MODULE_ALLOW_BTF_MISMATCH is off). Then a new BTF id, an entry on
 *     {@code btf_modules} without BTF_MODULE_F_LIVE. A built-in module's header is folded
 *     into vmlinux BTF instead ({@link BtfRegistry#extendVmlinux}).</li>
 * <li>LIVE: sets BTF_MODULE_F_LIVE.</li>
 * <li>GOING: removes the id, unlinks the entry and drops the list's reference (btf_put).</li>
 * </ul>
 */
public final class BtfModuleNotifier implements ModuleNotifier {
    private final BtfRegistry registry;
    private final Consumer<String> klog;

    public BtfModuleNotifier(BtfRegistry registry, Consumer<String> klog) {
        this.registry = registry;
        this.klog = klog;
    }

    @Override
    public void onModuleEvent(Module mod, ModuleState event) {
        if (mod.image().btfSource().isEmpty()) {
            return; // only modules with btf_data_size > 0
        }
        BtfSource src = mod.image().btfSource().get();
        switch (event) {
            case COMING:
                coming(mod, src);
                break;
            case LIVE:
                registry.markLive(mod);
                break;
            case GOING:
                registry.unregisterModule(mod);
                break;
            default:
                break;
        }
    }

    private void coming(Module mod, BtfSource src) {
        if (mod.image().builtin()) {
            if (registry.compiledIds(mod.name()).isEmpty()) {
                try {
                    registry.extendVmlinux(mod.name(), src);
                } catch (BtfException e) {
                    fail(mod, e);
                }
            }
            return;
        }
        CompiledBtf compiled;
        try {
            compiled = CDeclCompiler.compile(src.fileName(), src.text(), registry.vmlinuxBtf());
        } catch (BtfException e) {
            fail(mod, e);
            return;
        }
        registry.registerModule(mod, compiled);
    }

    private void fail(Module mod, BtfException e) {
        String msg = "failed to validate module [" + mod.name() + "] BTF: " + Errno.EINVAL.negative();
        klog.accept(e.getMessage());
        klog.accept(msg);
        throw new KernelException(Errno.EINVAL, msg);
    }
}
