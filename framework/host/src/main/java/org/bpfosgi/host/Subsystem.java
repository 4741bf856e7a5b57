package org.bpfosgi.host;

import java.util.Optional;

import org.bpfosgi.module.Module;
import org.osgi.framework.Bundle;

/**
 * A subsystem bundle known to the extender: built into vmlinux ({@code Bpf-Builtin: true},
 * no entry in the module list, as in the kernel) or a loadable module.
 *
 * @param name    the {@code Bpf-Module} name
 * @param bundle  the bundle carrying its code
 * @param builtin part of vmlinux
 * @param module  the module-table entry (empty for built-in code)
 */
public record Subsystem(String name, Bundle bundle, boolean builtin, Optional<Module> module) {
}
