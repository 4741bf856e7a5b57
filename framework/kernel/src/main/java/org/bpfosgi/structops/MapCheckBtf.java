package org.bpfosgi.structops;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfException;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.verifier.BtfField;
import org.bpfosgi.verifier.BtfParseFields;
import org.bpfosgi.verifier.BtfRecord;
import org.bpfosgi.verifier.KernelServices;

/**
 * Models the BTF part of kernel/bpf/syscall.c map_create() (v6.12) — btf_get_by_fd(btf_fd)
 * (-EBADF), a kernel BTF refused (-EACCES) — and map_check_btf(): the key's and value's
 * btf_type_id_size() against key_size/value_size (-EINVAL; no key type needs the type's
 * map_check_btf), btf_parse_fields() of the value (its errors leave an ERR record and are not
 * map_create()'s: the value is then plain memory), then, for a record: CAP_BPF (the model's
 * loads are privileged), no BPF_F_RDONLY_PROG/BPF_F_WRONLY_PROG (-EACCES), kptr fields
 * (BPF_KPTR_UNREF/REF/PERCPU) only in HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, ARRAY and
 * PERCPU_ARRAY maps of the model's types (v6.12 also allows the local storages, which the model
 * has not; others -EOPNOTSUPP), then the type's map_check_btf:
 * array_map_check_btf() (a 32-bit INT key at bit offset 0, -EINVAL) for arrays and per-cpu
 * arrays; hash maps and prog arrays have none (v6.12's prog_array_map_ops has no map_check_btf:
 * a prog array with key and value types is created with its BTF, as the live kernel does for
 * libbpf's {@code __type(key, ...)} prog arrays; without a key type it is -EINVAL like a hash
 * map). map_create() has no log: only errnos.
 */
final class MapCheckBtf {
    private MapCheckBtf() {
    }

    /** The result: 0 and the record (null: none), or a negative errno (the record already freed). */
    record Result(int err, BtfRecord record) {
    }

    static Result check(BpfMap map, MapCreateAttr attr, KernelServices k) {
        Btf btf = attr.btf().btf();
        int keyId = attr.btfKeyTypeId();
        boolean hasTypeCheck = map.type() == BpfMapType.ARRAY || map.type() == BpfMapType.PERCPU_ARRAY; // map->ops->map_check_btf
        int keyType = 0;
        if (keyId != 0) {
            keyType = typeIdSize(btf, keyId, attr.keySize());
            if (keyType < 0) {
                return new Result(Errno.EINVAL.negative(), null);
            }
        } else if (!hasTypeCheck) {
            return new Result(Errno.EINVAL.negative(), null);
        }
        int valueType = typeIdSize(btf, attr.btfValueTypeId(), attr.valueSize());
        if (valueType < 0) {
            return new Result(Errno.EINVAL.negative(), null);
        }
        String holder = "map " + map.id();
        BtfRecord rec;
        try {
            rec = BtfParseFields.parse(btf, valueType, attr.valueSize(), k, holder);
        } catch (BtfParseFields.NotModelled e) {
            map.kernel().printk("bpf-osgi: map_create: " + e.getMessage() + " is not modelled");
            return new Result(Errno.EOPNOTSUPP.negative(), null);
        }
        if (rec != null && rec.err() == 0) {
            if ((attr.flags() & (MapCreateAttr.BPF_F_RDONLY_PROG | MapCreateAttr.BPF_F_WRONLY_PROG)) != 0) {
                BtfParseFields.free(rec, k.btfs(), k.modules(), holder);
                return new Result(Errno.EACCES.negative(), null);
            }
            if ((rec.fieldMask() & BtfField.BPF_KPTR) != 0 && !kptrAllowed(map.type())) {
                BtfParseFields.free(rec, k.btfs(), k.modules(), holder);
                return new Result(Errno.EOPNOTSUPP.negative(), null);
            }
        }
        // btf_check_and_fixup_fields(): only graph roots/nodes, which the model has none of
        int r = 0;
        if (hasTypeCheck) {
            r = arrayMapCheckBtf(btf, keyType, valueType, attr); // percpu_array_map_ops' map_check_btf too
        }
        if (r < 0) {
            BtfParseFields.free(rec, k.btfs(), k.modules(), holder);
            return new Result(r, null);
        }
        return new Result(0, rec);
    }

    /**
     * map_check_btf()'s case BPF_KPTR_UNREF/BPF_KPTR_REF/BPF_KPTR_PERCPU/BPF_REFCOUNT (v6.12): the
     * map types that may hold them (SK/INODE/TASK/CGRP_STORAGE too, which the model does not create).
     */
    private static boolean kptrAllowed(BpfMapType t) {
        return switch (t) {
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, ARRAY, PERCPU_ARRAY -> true;
            default -> false;
        };
    }

    /**
     * Models btf_type_id_size(): the type with modifiers and typedefs resolved, if it has a size
     * and that size is {@code want}; -1 otherwise (void, FUNC, FWD, FUNC_PROTO, VAR, bad ids).
     */
    private static int typeIdSize(Btf btf, int id, int want) {
        try {
            if (id <= 0 || id >= btf.nrTypes()) {
                return -1;
            }
            int r = btf.resolve(id);
            BtfKind kd = btf.kind(r);
            if (r == 0 || kd == BtfKind.FUNC || kd == BtfKind.FUNC_PROTO || kd == BtfKind.FWD || kd == BtfKind.VAR
                    || kd == BtfKind.DECL_TAG) {
                return -1;
            }
            long size = btf.resolveSize(r);
            return size == Integer.toUnsignedLong(want) ? r : -1;
        } catch (BtfException e) {
            return -1;
        }
    }

    /** Models array_map_check_btf(): a keyless BTF only for a one-element DATASEC global data array; else a u32 INT key. */
    private static int arrayMapCheckBtf(Btf btf, int keyType, int valueType, MapCreateAttr attr) {
        if (keyType == 0) {
            if (attr.type() != BpfMapType.ARRAY || attr.maxEntries() != 1 || btf.kind(valueType) != BtfKind.DATASEC) {
                return Errno.EINVAL.negative();
            }
            return 0;
        }
        if (btf.kind(keyType) != BtfKind.INT) {
            return Errno.EINVAL.negative();
        }
        BtfType.Int i = (BtfType.Int) btf.type(keyType);
        if (i.nrBits() != 32 || i.bitsOffset() != 0) {
            return Errno.EINVAL.negative();
        }
        return 0;
    }
}
