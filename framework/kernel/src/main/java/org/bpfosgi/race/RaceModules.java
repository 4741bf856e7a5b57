package org.bpfosgi.race;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.bpfosgi.subsystem.BpfSubsystem;

/**
 * Where a race machine finds the modules its scenario inserts: by module name, the BTF header
 * (the bundle's {@code Bpf-Btf} file) and a factory of the subsystem object its module_init
 * registers. A fresh object per machine, so that no state leaks from one schedule to the next.
 */
@FunctionalInterface
public interface RaceModules {
    /** The module called {@code name}, if this source has it. */
    Optional<ModuleDef> find(String name);

    /** One loadable module. */
    record ModuleDef(String name, String headerFile, String headerText, Supplier<BpfSubsystem> subsystem) {
    }

    /** A fixed set of modules. */
    static RaceModules of(Map<String, ModuleDef> defs) {
        Map<String, ModuleDef> copy = Map.copyOf(defs);
        return name -> Optional.ofNullable(copy.get(name));
    }
}
