package org.bpfosgi.testkit;

import java.util.List;
import java.util.Map;

/**
 * A loaded module as {@code lsmod} and {@code modinfo} see it: its state
 * ({@code /proc/modules}: Live, Loading, Unloading), its reference count ({@code module_refcount()}),
 * every named holder of a reference with its count, and the modules using it ("Used by").
 */
public record ModuleView(String name, String state, int refcount, Map<String, Integer> holders, List<String> usedBy) {
    public ModuleView {
        holders = Map.copyOf(holders);
        usedBy = List.copyOf(usedBy);
    }
}
