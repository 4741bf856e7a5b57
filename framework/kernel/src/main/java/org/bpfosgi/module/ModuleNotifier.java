package org.bpfosgi.module;

import org.bpfosgi.errno.KernelException;

/**
 * A {@code notifier_block} on the kernel's {@code module_notify_list}
 * (kernel/module/main.c register_module_notifier()). Called with the module's new state:
 * COMING (before init runs), LIVE (after init succeeded), GOING (on unload or failed load).
 * A COMING callback that throws fails the load with the exception's errno
 * (prepare_coming_module() / blocking_notifier_call_chain_robust()); throwing on LIVE or
 * GOING is logged and ignored, as the kernel ignores those return values.
 */
@FunctionalInterface
public interface ModuleNotifier {
    void onModuleEvent(Module mod, ModuleState event) throws KernelException;
}
