package org.bpfosgi.obj.core;

/**
 * {@code struct bpf_core_relo_res} (src/relo_core.h): what one relocation resolved to. Values
 * are the C {@code __u64}s (compare and print them unsigned).
 *
 * @param origVal        what the instruction should hold now (from the local spec)
 * @param newVal         what it gets
 * @param poison         the instruction is replaced by the 0xbad2310 call
 * @param validate       whether the instruction must hold {@code origVal}
 * @param failMemszAdjust the field's size changed in a way a load/store cannot follow
 * @param origSz         local field size (load/store resizing), 0 when not a plain field
 * @param newSz          target field size
 * @param origTypeId     local field type
 * @param newTypeId      target field type
 */
record CoreReloRes(long origVal, long newVal, boolean poison, boolean validate, boolean failMemszAdjust,
                   int origSz, int newSz, int origTypeId, int newTypeId) {
}
