package org.bpfosgi.structops;

import org.bpfosgi.verifier.BtfField;
import org.bpfosgi.verifier.BtfRecord;
import org.bpfosgi.vm.Memory;

/**
 * The map-value side of the special fields (kernel/bpf/syscall.c and include/linux/bpf.h,
 * v6.12): copy_map_value() copies a value around its special fields, check_and_init_map_value()
 * zeroes them in a copy handed to user space, and bpf_obj_free_fields() releases them — an
 * untrusted kptr is cleared, a referenced kptr is xchg()ed with NULL and a non-NULL old pointer
 * is passed to the destructor its type registered (field->kptr.dtor, e.g. bpf_kfree_skb_dtor for
 * an sk_buff, net/sched/bpf_qdisc.c v6.16). Callers hold the kernel lock.
 */
final class BpfObjFreeFields {
    private BpfObjFreeFields() {
    }

    private static boolean hasFields(BtfRecord rec) {
        return rec != null && rec.err() == 0 && !rec.fields().isEmpty();
    }

    /** Models copy_map_value(): {@code src} into {@code dst}, skipping the special fields. */
    static void copyMapValue(Memory m, BtfRecord rec, long dst, byte[] src) {
        if (!hasFields(rec)) {
            m.write(dst, src);
            return;
        }
        int pos = 0;
        for (BtfField f : rec.fields()) {
            if (f.offset() > pos) {
                m.write(dst + pos, java.util.Arrays.copyOfRange(src, pos, f.offset()));
            }
            pos = f.offset() + f.size();
        }
        if (pos < src.length) {
            m.write(dst + pos, java.util.Arrays.copyOfRange(src, pos, src.length));
        }
    }

    /** Models check_and_init_map_value() on a copy: its special fields zeroed. */
    static byte[] initMapValue(BtfRecord rec, byte[] copy) {
        if (hasFields(rec)) {
            for (BtfField f : rec.fields()) {
                java.util.Arrays.fill(copy, f.offset(), Math.min(copy.length, f.offset() + f.size()), (byte) 0);
            }
        }
        return copy;
    }

    /**
     * Models bpf_obj_free_fields(rec, obj) for kptrs. A destructor of a module that was
     * force-unloaded is not called: that call is a use after free, reported on the module and in
     * the kernel log (the kptr's reference is then lost, as the kernel would crash instead).
     */
    static void free(StructOpsKernel k, BtfRecord rec, long obj) {
        if (!hasFields(rec)) {
            return;
        }
        Memory m = k.memory();
        for (BtfField f : rec.fields()) {
            long fieldPtr = obj + f.offset();
            switch (f.type()) {
                case KPTR_UNREF -> m.st64(fieldPtr, 0);
                case KPTR_REF, KPTR_PERCPU -> {
                    long old = m.ld64(fieldPtr);
                    m.st64(fieldPtr, 0);
                    if (old == 0) {
                        continue;
                    }
                    if (!f.kernelType() || f.dtor() == null) {
                        // __bpf_obj_drop_impl() of a program-local object: bpf_obj_new() is not modelled,
                        // so no such pointer can have been stored
                        k.printk(String.format("bpf-osgi: kptr 0x%x at off %d has no destructor in the model", old,
                                f.offset()));
                        continue;
                    }
                    org.bpfosgi.module.Module owner = f.dtor().owner();
                    if (owner != null && owner.isFreed()) {
                        owner.reportUseAfterFree("kptr destructor " + f.dtor().name() + " after the module was freed");
                        k.printk("BUG: unable to handle page fault: kptr destructor " + f.dtor().name() + " of module "
                                + owner.name() + " was unloaded (use after free)");
                        continue;
                    }
                    f.dtor().body().call(k.kernelMemory(), new long[] {old});
                }
            }
        }
    }
}
