package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.CDeclCompiler;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.structops.StructOpsKernel;
import org.bpfosgi.verifier.BtfField;
import org.bpfosgi.verifier.BtfRecord;
import org.junit.jupiter.api.Test;

/**
 * BPF_MAP_CREATE with value BTF (kernel/bpf/syscall.c map_create()/map_check_btf(),
 * kernel/bpf/btf.c btf_parse_fields(), v6.12) on the machine with bpf_qdisc built in, whose
 * sk_buff has a destructor. map_create() has no log: only errnos. A btf_parse_fields() error is
 * not map_create()'s (the map is created, its record is an error and the value plain memory).
 */
class QdiscKptrMapCreateTest {
    private final QdiscMachine m = new QdiscMachine();
    private final StructOpsKernel k = new StructOpsKernel(m.pk, m.dmesg::add);
    private final Btf b = CDeclCompiler.compile("v.bpf.c", """
            #define __kptr __attribute__((btf_type_tag("kptr")))
            #define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
            struct skb_slot { struct sk_buff __kptr *skb; };
            struct two { long a; struct sk_buff __kptr *skb; struct sk_buff __kptr_untrusted *peek; };
            struct badtag { struct sk_buff __attribute__((btf_type_tag("kptr_foo"))) *skb; };
            struct twotags { struct sk_buff __kptr __attribute__((btf_type_tag("kptr"))) *skb; };
            struct ring { struct skb_slot s[2]; };
            struct local { int x; };
            struct localv { struct local __kptr *l; };
            """, m.btf.vmlinuxBtf()).btf();
    private final BtfObject prog = org.bpfosgi.verifier.BtfNewFd.load(m.pk.services(), "v", b).btf();
    private final int intId = b.findByNameKind("int", BtfKind.INT);
    private final int longId = b.findByNameKind("long int", BtfKind.INT);

    private int id(String struct) {
        return b.findByNameKind(struct, BtfKind.STRUCT);
    }

    private MapTable.CreateResult create(BpfMapType type, int keySize, int valueSize, int flags, BtfObject btf, int key, int value) {
        return k.maps().create(MapCreateAttr.of(type, "m", keySize, valueSize, 2, flags).withBtf(btf, key, value));
    }

    @Test
    void fieldsOfAValueWithAReferencedAndAnUntrustedKptr() {
        MapTable.CreateResult r = create(BpfMapType.ARRAY, 4, 24, 0, prog, intId, id("two"));
        assertTrue(r.ok(), "err " + r.err());
        BtfRecord rec = r.map().record();
        assertEquals(2, rec.fields().size());
        assertEquals(BtfField.Type.KPTR_REF, rec.fields().get(0).type());
        assertEquals(8, rec.fields().get(0).offset());
        assertEquals("bpf_kfree_skb_dtor", rec.fields().get(0).dtor().name());
        assertEquals(BtfField.Type.KPTR_UNREF, rec.fields().get(1).type());
        assertEquals(16, rec.fields().get(1).offset());
        assertNull(rec.fields().get(1).dtor(), "btf_parse_kptr(): a dtor only for BPF_KPTR_REF");
    }

    @Test
    void kptrsInArraysOfNestedStructsAreRepeated() {
        MapTable.CreateResult r = create(BpfMapType.ARRAY, 4, 16, 0, prog, intId, id("ring"));
        assertTrue(r.ok(), "err " + r.err());
        assertEquals(List.of(0, 8), r.map().record().fields().stream().map(BtfField::offset).toList());
    }

    @Test
    void aKptrToAKernelTypeWithoutDtorFailsTheBtfLoad() {
        // btf_parse_struct_metas() → btf_parse_kptr() → btf_find_dtor_kfunc(): Qdisc has no destructor
        Btf nd = CDeclCompiler.compile("nd.bpf.c", "struct nodtor { struct Qdisc __attribute__((btf_type_tag(\"kptr\"))) *q; };",
                m.btf.vmlinuxBtf()).btf();
        int vmlinuxRefs = m.btf.vmlinux().refcnt();
        assertEquals(Errno.ENOENT.negative(), org.bpfosgi.verifier.BtfNewFd.load(m.pk.services(), "nd", nd).err());
        assertEquals(vmlinuxRefs, m.btf.vmlinux().refcnt(), "bpf_find_btf_id()'s reference put again");
    }

    @Test
    void theBtfsStructMetasHoldTheKptrTypesBtfUntilItIsFreed() {
        int before = m.btf.vmlinux().refcnt();
        Btf one = CDeclCompiler.compile("one.bpf.c", "struct s { struct sk_buff __attribute__((btf_type_tag(\"kptr\"))) *p; };",
                m.btf.vmlinuxBtf()).btf();
        BtfObject o = org.bpfosgi.verifier.BtfNewFd.load(m.pk.services(), "one", one).btf();
        assertEquals(before + 1, m.btf.vmlinux().refcnt(), "struct_meta_tab's record");
        m.btf.btfPut(o);
        assertEquals(before, m.btf.vmlinux().refcnt(), "btf_free(): btf_struct_metas_free()");
    }

    @Test
    void parseErrorsLeaveAnErrRecordAndAPlainValue() {
        // an unknown tag or two tags: no kptr for btf_parse_struct_metas(), -EINVAL for map_check_btf()'s parse
        assertEquals(Errno.EINVAL.negative(), create(BpfMapType.ARRAY, 4, 8, 0, prog, intId, id("badtag")).map().record().err());
        assertEquals(Errno.EINVAL.negative(), create(BpfMapType.ARRAY, 4, 8, 0, prog, intId, id("twotags")).map().record().err());
    }

    @Test
    void aProgramLocalKptrTypeHasNoDtorAndNoKernelBtf() {
        BtfRecord rec = create(BpfMapType.ARRAY, 4, 8, 0, prog, intId, id("localv")).map().record();
        assertEquals(0, rec.err());
        assertNull(rec.fields().get(0).kptrBtf(), "bpf_find_btf_id() -ENOENT: the program's own type");
    }

    @Test
    void mapCheckBtfRefusals() {
        int regions = k.memory().regions().size();
        // key/value type sizes against key_size/value_size
        assertEquals(Errno.EINVAL.negative(), create(BpfMapType.ARRAY, 4, 16, 0, prog, intId, id("skb_slot")).err());
        assertEquals(Errno.EINVAL.negative(), create(BpfMapType.ARRAY, 4, 8, 0, prog, longId, id("skb_slot")).err());
        // array_map_check_btf(): the key must be a 32-bit INT
        assertEquals(Errno.EINVAL.negative(), create(BpfMapType.ARRAY, 8, 8, 0, prog, longId, id("skb_slot")).err());
        // a hash map has no map_check_btf: a key type is required
        assertEquals(Errno.EINVAL.negative(), create(BpfMapType.HASH, 4, 8, 0, prog, 0, id("skb_slot")).err());
        // a key type id without a value type id
        assertEquals(Errno.EINVAL.negative(), create(BpfMapType.ARRAY, 4, 8, 0, prog, intId, 0).err());
        // btf_vmlinux_value_type_id on a map that is not a struct_ops map
        assertEquals(Errno.EINVAL.negative(), k.maps().create(new MapCreateAttr(BpfMapType.ARRAY, "m", 4, 8, 2, 0, null,
                id("skb_slot"))).err());
        // kptrs and BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG
        assertEquals(Errno.EACCES.negative(), create(BpfMapType.ARRAY, 4, 8, MapCreateAttr.BPF_F_RDONLY_PROG, prog, intId,
                id("skb_slot")).err());
        // kernel BTF as btf_fd
        assertEquals(Errno.EACCES.negative(), create(BpfMapType.ARRAY, 4, 4, 0, m.btf.vmlinux(), intId, intId).err());
        assertTrue(k.maps().list().isEmpty(), "nothing created");
        assertEquals(1, prog.refcnt(), "every failed create put its BTF reference");
        assertEquals(regions, k.memory().regions().size(), "every failed create freed its memory: " + k.memory().regions());
    }

    @Test
    void aHashMapDeleteReleasesTheKptrAndTheMapPutsItsReferences() {
        MapTable.CreateResult r = create(BpfMapType.HASH, 4, 8, 0, prog, intId, id("skb_slot"));
        assertTrue(r.ok(), "err " + r.err());
        BpfMap map = r.map();
        assertEquals(2, prog.refcnt(), "map->btf");
        int vmlinuxRefs = m.btf.vmlinux().refcnt();
        assertEquals(0, k.maps().update(map.id(), new byte[4], new byte[8], 0));
        // a kernel-side store into the kptr (what bpf_kptr_xchg does), then delete: the dtor frees the skb
        QdiscTypes t = m.types();
        long skb;
        synchronized (k.lock()) {
            skb = k.memory().allocate("sk_buff", 256, org.bpfosgi.vm.Region.Access.READ_WRITE).start();
            k.memory().st32(skb + t.skbUsers, 1);
            long val = ((org.bpfosgi.vm.BpfMapOps) map).lookupElem(k.memory(),
                    k.memory().allocate("key", 4, org.bpfosgi.vm.Region.Access.READ_WRITE).start());
            k.memory().st64(val, skb);
        }
        assertEquals(0, k.maps().delete(map.id(), new byte[4]));
        assertEquals(List.of(skb), m.qdisc.kfuncs().freedSkbs(), "free_htab_elem(): check_and_free_fields()");
        k.maps().close(map.id());
        assertEquals(1, prog.refcnt(), "bpf_map_free(): btf_put(map->btf)");
        assertEquals(vmlinuxRefs - 1, m.btf.vmlinux().refcnt(), "btf_record_free(): the kptr's BTF reference");
    }

    /**
     * With bpf_qdisc as a module (--modular bpf_qdisc), register_btf_id_dtor_kfuncs() puts the
     * destructor into the module's BTF (btf_get_module_btf(THIS_MODULE)), but btf_parse_kptr()
     * finds struct sk_buff in vmlinux first (bpf_find_btf_id()) and asks vmlinux's table
     * (btf_find_dtor_kfunc()): -ENOENT, already at BPF_BTF_LOAD (btf_parse_struct_metas()), so a
     * FIFO cannot even declare its ring — one more reason the kernel makes CONFIG_NET_SCH_BPF
     * built-in only.
     */
    @Test
    void aModularBpfQdiscsDtorIsNotFoundForVmlinuxsSkBuff() {
        QdiscMachine mod = new QdiscMachine(true);
        Btf mb = CDeclCompiler.compile("v.bpf.c", "struct skb_slot { struct sk_buff __attribute__((btf_type_tag(\"kptr\"))) *skb; };",
                mod.btf.vmlinuxBtf()).btf();
        assertEquals(Errno.ENOENT.negative(), org.bpfosgi.verifier.BtfNewFd.load(mod.pk.services(), "v", mb).err(),
                "BPF_BTF_LOAD: btf_parse_struct_metas() → btf_parse_kptr()");
    }
}
