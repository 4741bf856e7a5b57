package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.junit.jupiter.api.Test;

/**
 * map_create()'s BTF block (kernel/bpf/syscall.c, v6.12) on its error paths: btf_get_by_fd()'s
 * reference is put on every failure (free_map: bpf_map_free() puts map->btf), no map is left in
 * the idr, and a created map puts it when freed.
 */
class MapCreateBtfRefTest {
    @Test
    void everyFailedCreateWithBtfLeavesTheBtfsReferenceCountAsItWas() {
        TestKernel k = new TestKernel();
        MapTable maps = k.runtime().maps();
        Btf v = k.btfs.vmlinuxBtf();
        BtfObject user = k.btfs.btfLoad("user", v);
        int base = k.btfs.refcnt(user);
        int intId = v.findByNameKind("int", BtfKind.INT);
        assertTrue(intId > 0);
        int kernelBase = k.btfs.refcnt(k.btfs.vmlinux());

        // btf_type_id_size() of the key: 4 bytes against key_size 8
        assertEquals(Errno.EINVAL.negative(),
                maps.create(MapCreateAttr.of(BpfMapType.HASH, "h", 8, 4, 1, 0).withBtf(user, intId, intId)).err());
        // no key type id and htab_map_ops has no map_check_btf
        assertEquals(Errno.EINVAL.negative(),
                maps.create(MapCreateAttr.of(BpfMapType.HASH, "h", 4, 4, 1, 0).withBtf(user, 0, intId)).err());
        // array_map_check_btf(): a keyless BTF only for a DATASEC value
        assertEquals(Errno.EINVAL.negative(),
                maps.create(MapCreateAttr.of(BpfMapType.ARRAY, "a", 4, 4, 1, 0).withBtf(user, 0, intId)).err());
        // bpf_obj_name_cpy() fails before the BTF is taken
        assertEquals(Errno.EINVAL.negative(),
                maps.create(MapCreateAttr.of(BpfMapType.HASH, "bad-name", 4, 4, 1, 0).withBtf(user, intId, intId)).err());
        // btf_is_kernel(): -EACCES, the kernel BTF's reference put
        assertEquals(Errno.EACCES.negative(),
                maps.create(MapCreateAttr.of(BpfMapType.HASH, "h", 4, 4, 1, 0).withBtf(k.btfs.vmlinux(), intId, intId)).err());
        assertEquals(base, k.btfs.refcnt(user));
        assertEquals(kernelBase, k.btfs.refcnt(k.btfs.vmlinux()));
        assertTrue(maps.list().isEmpty(), "a failed create left a map: " + maps.list());

        // a created map holds one reference until it is freed
        MapTable.CreateResult ok = maps.create(MapCreateAttr.of(BpfMapType.ARRAY, "a", 4, 4, 2, 0).withBtf(user, intId, intId));
        assertEquals(0, ok.err());
        assertEquals(base + 1, k.btfs.refcnt(user));
        maps.close(ok.map().id());
        assertEquals(base, k.btfs.refcnt(user));
        assertTrue(maps.list().isEmpty());
    }
}
