/**
 * The kernel's module loader and unloader (kernel/module/main.c): module states, the reference
 * count with MODULE_REF_BASE and the init hold, try_module_get / module_put, delete_module with
 * its order of checks and errnos, ref_module ("Used by"), and the module notifier chain. Pure
 * Java: the OSGi side ({@code org.bpfosgi.host}) drives it. Unlike the kernel, every reference
 * is taken by a named holder, so a refused unload can say who holds what.
 */
package org.bpfosgi.module;
