package org.bpfosgi.verifier;

/**
 * Models {@code struct bpf_map_ptr_state} (v6.12 include/linux/bpf_verifier.h), the
 * {@code insn_aux_data[].map_ptr_state} of a map helper call: the map record_func_map() saw at
 * it, {@code poison} once a second, different map reached the same call (do_misc_fixups() then
 * keeps the generic helper: bpf_map_ptr_poisoned()), and {@code unpriv} when a map without
 * {@code bypass_spec_v1} did (bpf_map_ptr_unpriv(); the tail call fixup's index masking).
 */
record MapPtrState(VerifierMaps.UsedMap mapPtr, boolean poison, boolean unpriv) {
    /**
     * Models bpf_map_ptr_store(): {@code unpriv} is sticky ({@code unpriv |= bpf_map_ptr_unpriv(aux)}),
     * poison and the map are replaced.
     */
    static MapPtrState store(MapPtrState old, VerifierMaps.UsedMap map, boolean unpriv, boolean poison) {
        return new MapPtrState(map, poison, unpriv || (old != null && old.unpriv()));
    }
}
