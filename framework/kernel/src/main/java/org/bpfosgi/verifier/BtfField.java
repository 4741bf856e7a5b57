package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.module.Module;

/**
 * Models {@code struct btf_field} (include/linux/bpf.h, v6.12) for the field types the model
 * has: kptrs. A kptr field is a {@code struct T __kptr *} (BPF_KPTR_REF), {@code struct T
 * __kptr_untrusted *} (BPF_KPTR_UNREF) or {@code struct T __percpu_kptr *} (BPF_KPTR_PERCPU)
 * member of a map value, found by btf_parse_fields(): {@code kptr.btf}/{@code kptr.btf_id} name
 * T in the kernel (vmlinux or module) BTF bpf_find_btf_id() found it in — or in the program's BTF
 * for a type only the program has (a bpf_obj_new() object, not modelled further); for
 * BPF_KPTR_REF, {@code kptr.dtor} is the destructor registered for T
 * (register_btf_id_dtor_kfuncs()) and {@code kptr.module} the module reference
 * btf_parse_kptr() took when T's BTF is a module's.
 *
 * @param type      the field type
 * @param offset    byte offset in the value
 * @param size      btf_field_type_size(): 8 for kptrs
 * @param kptrBtf   the kernel BTF object naming T (a reference is held while the record exists);
 *                  null for a program-local T (its id is then in the map's own BTF)
 * @param kptrBtfId T's id in {@code kptrBtf}
 * @param dtor      the destructor's kallsyms symbol (BPF_KPTR_REF of a kernel type), else null
 * @param module    the module reference taken for a module's T, else null
 */
public record BtfField(Type type, int offset, int size, BtfObject kptrBtf, int kptrBtfId, Kallsyms.Symbol dtor,
                       Module module) {
    /** Models {@code enum btf_field_type}'s kptr members. */
    public enum Type {
        /** BPF_KPTR_UNREF: {@code __kptr_untrusted}. */
        KPTR_UNREF(1 << 2, "kptr"),
        /** BPF_KPTR_REF: {@code __kptr}. */
        KPTR_REF(1 << 3, "kptr"),
        /** BPF_KPTR_PERCPU: {@code __percpu_kptr}. */
        KPTR_PERCPU(1 << 4, "percpu_kptr");

        /** The {@code enum btf_field_type} bit. */
        public final int bit;
        /** btf_field_type_name(). */
        public final String typeName;

        Type(int bit, String typeName) {
            this.bit = bit;
            this.typeName = typeName;
        }
    }

    /** BPF_KPTR = BPF_KPTR_UNREF | BPF_KPTR_REF | BPF_KPTR_PERCPU. */
    public static final int BPF_KPTR = (1 << 2) | (1 << 3) | (1 << 4);

    /** btf_is_kernel(kptr.btf): T is a vmlinux or module type (not a program-local one). */
    public boolean kernelType() {
        return kptrBtf != null && kptrBtf.isKernel();
    }
}
