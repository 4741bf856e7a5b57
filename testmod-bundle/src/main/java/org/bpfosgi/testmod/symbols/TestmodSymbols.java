package org.bpfosgi.testmod.symbols;

/** What bpf_testmod exports for other modules to link against. */
public final class TestmodSymbols {
    /** The struct_ops type bpf_testmod registers. */
    public static final String ST_OPS = "bpf_testmod_st_ops";

    private TestmodSymbols() {
    }

    /** The name of the module exporting these symbols. */
    public static String owner() {
        return "bpf_testmod";
    }
}
