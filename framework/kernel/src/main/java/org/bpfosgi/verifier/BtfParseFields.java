package org.bpfosgi.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.Module;
import org.bpfosgi.module.ModuleTable;

/**
 * Models kernel/bpf/btf.c (v6.12) btf_parse_fields() for the kptr field types, with
 * btf_find_field() → btf_find_struct_field() → btf_find_field_one() (arrays flattened, nested
 * structs walked, btf_repeat_fields()), btf_get_field_type(), btf_find_kptr() (type tags
 * "kptr", "kptr_untrusted", "percpu_kptr"), btf_parse_kptr() (bpf_find_btf_id() in vmlinux then
 * module BTFs, btf_find_dtor_kfunc(), btf_try_get_module(), kallsyms_lookup_name() of the dtor)
 * and btf_record_free().
 *
 * A DATASEC value (a global-data map: .data, .bss, .rodata, .kconfig) is walked by
 * btf_find_datasec_var(): each VAR's type (not resolved: a {@code const} or typedef'd variable is
 * no field) with the variable's size as the size the field must have.
 *
 * <p>Not modelled (a map value naming them is refused at map create with -EOPNOTSUPP and a
 * kernel-log line, rather than treated as plain memory): the other special fields
 * (bpf_spin_lock, bpf_timer, bpf_wq, bpf_list_head/node, bpf_rb_root/node, bpf_refcount).
 */
public final class BtfParseFields {
    /** BTF_FIELDS_MAX. */
    static final int BTF_FIELDS_MAX = 11;
    /** MAX_RESOLVE_DEPTH. */
    static final int MAX_RESOLVE_DEPTH = 32;
    /** The special struct names btf_get_field_type() matches first (not modelled). */
    private static final List<String> NOT_MODELLED = List.of("bpf_spin_lock", "bpf_timer", "bpf_wq", "bpf_list_head",
            "bpf_list_node", "bpf_rb_root", "bpf_rb_node", "bpf_refcount");

    /** What btf_find_field() found: a kptr's type, offset and the program-BTF id of its struct. */
    private record Info(BtfField.Type type, int off, int typeId) {
    }

    /** A special field the model does not have: map create refuses it (EOPNOTSUPP) naming it. */
    public static final class NotModelled extends RuntimeException {
        NotModelled(String what) {
            super(what);
        }
    }

    private final Btf btf;
    private final BtfRegistry btfs;
    private final ModuleTable modules;
    private final StructOpsRegistry registry;
    private final String holder;

    private BtfParseFields(Btf btf, BtfRegistry btfs, ModuleTable modules, StructOpsRegistry registry, String holder) {
        this.btf = btf;
        this.btfs = btfs;
        this.modules = modules;
        this.registry = registry;
        this.holder = holder;
    }

    /**
     * Models btf_parse_fields(btf, value_type, BPF_KPTR | ..., value_size): null when the value
     * has no special field, an ERR record ({@link BtfRecord#err()}) on failure, else the record,
     * holding a reference on each kptr's BTF (and module).
     *
     * @param btf       the map's BTF (program BTF)
     * @param valueType the value's type id ({@code btf_type_id_size()} already resolved it)
     * @param holder    who holds the module references btf_parse_kptr() takes ("map N")
     * @throws NotModelled for special fields the model does not have
     */
    public static BtfRecord parse(Btf btf, int valueType, int valueSize, KernelServices k, String holder) {
        return new BtfParseFields(btf, k.btfs(), k.modules(), k.registry(), holder).parse(valueType, valueSize);
    }

    private BtfRecord parse(int valueType, int valueSize) {
        List<Info> infos = new ArrayList<>();
        int ret = btfFindField(valueType, infos);
        if (ret < 0) {
            return BtfRecord.error(ret);
        }
        if (ret == 0) {
            return null;
        }
        List<BtfField> fields = new ArrayList<>();
        int nextOff = 0;
        for (Info info : infos) {
            int size = 8; // btf_field_type_size(BPF_KPTR_*): sizeof(u64)
            if (Integer.toUnsignedLong(info.off) + size > Integer.toUnsignedLong(valueSize)) {
                // WARN_ONCE(1, "verifier bug off %d size %d", ...)
                btfRecordFree(fields);
                return BtfRecord.error(Errno.EFAULT.negative());
            }
            if (info.off < nextOff) {
                btfRecordFree(fields);
                return BtfRecord.error(Errno.EEXIST.negative());
            }
            nextOff = info.off + size;
            BtfField[] out = new BtfField[1];
            int r = btfParseKptr(info, size, out);
            if (r < 0) {
                btfRecordFree(fields);
                return BtfRecord.error(r);
            }
            fields.add(out[0]);
        }
        return new BtfRecord(fields, 0);
    }

    /** Models btf_find_field(): a struct's members, a DATASEC's variables; anything else -EINVAL. */
    private int btfFindField(int t, List<Info> out) {
        BtfKind k = btf.kind(t);
        if (k == BtfKind.STRUCT) {
            return btfFindStructField(t, out, 0);
        }
        if (k == BtfKind.DATASEC) {
            return btfFindDatasecVar(t, out);
        }
        return Errno.EINVAL.negative();
    }

    /**
     * Models btf_find_datasec_var(): btf_find_field_one() of each variable's type at the
     * variable's offset, with the variable's size as expected_size.
     */
    private int btfFindDatasecVar(int t, List<Info> out) {
        BtfType.DataSec ds = (BtfType.DataSec) btf.type(t);
        int found = 0;
        for (BtfType.VarSecInfo vsi : ds.vars()) {
            int varType = ((BtfType.Var) btf.type(vsi.type())).type();
            int r = btfFindFieldOne(varType, vsi.offset(), vsi.size(), out, 0);
            if (r < 0) {
                return r;
            }
            found += r;
        }
        return found;
    }

    /** Models btf_find_struct_field(). */
    private int btfFindStructField(int t, List<Info> out, int level) {
        BtfType.Composite c = (BtfType.Composite) btf.type(t);
        int found = 0;
        for (BtfType.Member m : c.members()) {
            long bitOff = c.kindFlag() ? (m.offset() & 0xffffffL) : Integer.toUnsignedLong(m.offset());
            if (bitOff % 8 != 0) {
                // valid C code cannot generate such BTF
                return Errno.EINVAL.negative();
            }
            int r = btfFindFieldOne(m.type(), (int) (bitOff / 8), 0, out, level);
            if (r < 0) {
                return r;
            }
            found += r;
        }
        return found;
    }

    /**
     * Models btf_find_field_one() for kptrs: arrays flattened, nested structs walked; a non-zero
     * {@code expectedSize} (a DATASEC variable's size) must equal the field's size times the
     * elements, else the variable is no field.
     */
    private int btfFindFieldOne(int varType, int off, int expectedSize, List<Info> out, int level) {
        long nelems = 1;
        int i;
        for (i = 0; i < MAX_RESOLVE_DEPTH && btf.kind(varType) == BtfKind.ARRAY; i++) {
            BtfType.Array a = (BtfType.Array) btf.type(varType);
            nelems *= Integer.toUnsignedLong(a.nelems());
            varType = a.type();
        }
        if (i == MAX_RESOLVE_DEPTH) {
            return Errno.E2BIG.negative();
        }
        if (nelems == 0) {
            return 0;
        }
        // btf_get_field_type(): the named special structs first, then BPF_KPTR_REF for a non-struct
        String name = varType == 0 ? "" : btf.name(varType);
        if (btf.kind(varType) == BtfKind.STRUCT && NOT_MODELLED.contains(name)) {
            throw new NotModelled("struct " + name + " in a map value");
        }
        if (btf.kind(varType) == BtfKind.STRUCT) {
            // btf_find_nested_struct()
            int size = ((BtfType.Composite) btf.type(varType)).size();
            if (expectedSize != 0 && Integer.toUnsignedLong(expectedSize) != Integer.toUnsignedLong(size) * nelems) {
                return 0;
            }
            int nested = level + 1;
            if (nested >= MAX_RESOLVE_DEPTH) {
                return Errno.E2BIG.negative();
            }
            List<Info> inner = new ArrayList<>();
            int r = btfFindStructField(varType, inner, nested);
            if (r <= 0) {
                return r;
            }
            return repeat(inner, off, nelems, size, out);
        }
        // BPF_KPTR_REF candidate: sz = align = sizeof(u64)
        if (expectedSize != 0 && Integer.toUnsignedLong(expectedSize) != 8 * nelems) {
            return 0;
        }
        if (off % 8 != 0) {
            return 0; // off % align: not a field
        }
        Info info = btfFindKptr(varType, off);
        if (info == null) {
            return 0; // BTF_FIELD_IGNORE
        }
        if (info.type == null) {
            return Errno.EINVAL.negative();
        }
        return repeat(List.of(info), 0, nelems, 8, out);
    }

    /** Models btf_repeat_fields() (and the shift of btf_find_nested_struct()): -E2BIG past BTF_FIELDS_MAX. */
    private static int repeat(List<Info> infos, int base, long nelems, int elemSize, List<Info> out) {
        long total = infos.size() * nelems;
        if (out.size() + total > BTF_FIELDS_MAX) {
            return Errno.E2BIG.negative();
        }
        for (long n = 0; n < nelems; n++) {
            for (Info f : infos) {
                out.add(new Info(f.type, (int) (base + f.off + n * elemSize), f.typeId));
            }
        }
        return (int) total;
    }

    /**
     * Models btf_find_kptr(): one VOLATILE on the pointer is allowed; a PTR whose target is a
     * TYPE_TAG (kflag clear) — a second tag is -EINVAL — named "kptr_untrusted", "kptr" or
     * "percpu_kptr" (else -EINVAL), to a struct (after modifiers and typedefs; else -EINVAL).
     * Null: ignored; an Info with a null type: -EINVAL. A member whose type is a TYPEDEF (of the
     * tagged pointer, or of a struct holding kptrs) is no field: btf_find_field_one() neither
     * resolves it (btf_get_field_type() says BPF_KPTR_REF for any non-struct, and this finds no
     * PTR: ignored) nor walks it as a nested struct (__btf_type_is_struct() is false for it).
     */
    private Info btfFindKptr(int t, int off) {
        if (btf.kind(t) == BtfKind.VOLATILE) {
            t = ((BtfType.Ref) btf.type(t)).type();
        }
        if (btf.kind(t) != BtfKind.PTR) {
            return null;
        }
        t = ((BtfType.Ref) btf.type(t)).type();
        if (btf.kind(t) != BtfKind.TYPE_TAG || ((BtfType.Ref) btf.type(t)).kindFlag()) {
            return null;
        }
        BtfType.Ref tag = (BtfType.Ref) btf.type(t);
        if (btf.kind(tag.type()) == BtfKind.TYPE_TAG) {
            return new Info(null, off, 0); // reject extra tags
        }
        BtfField.Type type = switch (btf.str(tag.nameOff())) {
            case "kptr_untrusted" -> BtfField.Type.KPTR_UNREF;
            case "kptr" -> BtfField.Type.KPTR_REF;
            case "percpu_kptr" -> BtfField.Type.KPTR_PERCPU;
            default -> null;
        };
        if (type == null) {
            return new Info(null, off, 0);
        }
        // btf_type_skip_modifiers(): the kernel's btf_type_is_modifier() (kernel/bpf/btf.c v6.12)
        // counts TYPEDEF with VOLATILE, CONST, RESTRICT and TYPE_TAG, so `target_t __kptr *` with
        // `typedef struct T target_t` is a kptr to T (res_id: T's id).
        int res = btf.skipModifiers(tag.type());
        if (btf.kind(res) != BtfKind.STRUCT) {
            return new Info(null, off, 0);
        }
        return new Info(type, off, res);
    }

    /**
     * Models btf_parse_kptr(): T is looked up by name and kind in vmlinux, then module BTFs
     * (bpf_find_btf_id(), a reference on the BTF found). Not found (-ENOENT): a program-local
     * type, no dtor. For BPF_KPTR_REF of a kernel type: btf_find_dtor_kfunc() (-ENOENT without
     * one), btf_try_get_module() for a module's BTF (-ENXIO), kallsyms_lookup_name() of the dtor
     * (-EINVAL when it has no symbol).
     */
    private int btfParseKptr(Info info, int size, BtfField[] out) {
        String name = btf.name(info.typeId);
        BtfObject[] found = new BtfObject[1];
        int id = bpfFindBtfId(name, found);
        if (id == Errno.ENOENT.negative()) {
            // program-local: a MEM_ALLOC kptr (bpf_obj_new()); the record holds no BTF object
            out[0] = new BtfField(info.type, info.off, size, null, info.typeId, null, null);
            return 0;
        }
        if (id < 0) {
            return id;
        }
        BtfObject kptrBtf = found[0];
        Kallsyms.Symbol dtor = null;
        Module mod = null;
        if (info.type == BtfField.Type.KPTR_REF) {
            int dtorId = registry.btfFindDtorKfunc(kptrBtf, id);
            if (dtorId < 0) {
                btfs.btfPut(kptrBtf);
                return dtorId;
            }
            if (kptrBtf.isModule()) {
                Optional<Module> m = btfs.btfTryGetModule(kptrBtf, holder);
                if (m.isEmpty()) {
                    btfs.btfPut(kptrBtf);
                    return Errno.ENXIO.negative();
                }
                mod = m.get();
            }
            dtor = registry.kallsyms().byName(kptrBtf.btf().name(dtorId)).orElse(null);
            if (dtor == null) {
                if (mod != null) {
                    modules.modulePut(mod, holder);
                }
                btfs.btfPut(kptrBtf);
                return Errno.EINVAL.negative();
            }
        }
        out[0] = new BtfField(info.type, info.off, size, kptrBtf, id, dtor, mod);
        return 0;
    }

    /** Whether btf_find_kptr() returns BTF_FIELD_FOUND for type {@code id} (btf_parse_struct_metas()). */
    static boolean isKptr(Btf btf, int id) {
        Info i = new BtfParseFields(btf, null, null, null, null).btfFindKptr(id, 0);
        return i != null && i.type != null;
    }

    /** Models bpf_find_btf_id(name, BTF_KIND_STRUCT, &amp;btf): vmlinux first, then each module BTF by id. */
    private int bpfFindBtfId(String name, BtfObject[] out) {
        BtfObject v = btfs.vmlinux();
        int id = v.btf().findByNameKind(name, BtfKind.STRUCT);
        if (id > 0) {
            btfs.btfGet(v);
            out[0] = v;
            return id;
        }
        for (BtfObject m : btfs.moduleBtfs()) {
            id = m.btf().findByNameKind(name, BtfKind.STRUCT);
            if (id > 0) {
                btfs.btfGet(m);
                out[0] = m;
                return id;
            }
        }
        return Errno.ENOENT.negative();
    }

    private void btfRecordFree(List<BtfField> fields) {
        free(new BtfRecord(fields, 0), btfs, modules, holder);
    }

    /** Models btf_record_free() (bpf_map_free_record()): each kptr's module reference, then its BTF reference. */
    public static void free(BtfRecord rec, BtfRegistry btfs, ModuleTable modules, String holder) {
        if (rec == null || rec.err() != 0) {
            return;
        }
        for (BtfField f : rec.fields()) {
            if (f.module() != null) {
                modules.modulePut(f.module(), holder);
            }
            if (f.kptrBtf() != null) {
                btfs.btfPut(f.kptrBtf());
            }
        }
    }
}
