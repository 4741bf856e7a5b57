package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.vm.PerCpu;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A referenced {@code struct sk_buff __kptr *} (destructor bpf_kfree_skb_dtor, net/sched/bpf_qdisc.c
 * v6.16) in the value of the per-cpu and LRU maps v6.12's map_check_btf() allows kptrs in
 * (BPF_MAP_TYPE_PERCPU_ARRAY, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH): a qdisc program
 * bpf_kptr_xchg()s the skb into the element of key 0, and the free paths of v6.12 release it
 * with bpf_obj_free_fields() on the element (on each per-CPU copy: the model has one CPU) —
 * bpf_percpu_array_update()'s copy then free, free_htab_elem() / htab_lru_push_free()'s
 * check_and_free_fields() on delete and on an LRU update's replaced element, the LRU's eviction
 * (htab_lru_map_delete_node()), and array_map_free() / htab_free_prealloced_fields() when the map
 * is freed. A per-cpu hash's in-place update (pcpu_copy_value()) copies around the kptr and does
 * not free it.
 */
class QdiscSkbKptrMapTypesTest {
    private final QdiscMachine m = new QdiscMachine();
    private final QdiscFifo f = new QdiscFifo(m, 4);
    private final QdiscKfuncs kf = m.qdisc.kfuncs();
    private BpfMap map;

    private static final byte[] KEY0 = new byte[4];

    private static byte[] key(int i) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array();
    }

    private static boolean percpu(BpfMapType t) {
        return t == BpfMapType.PERCPU_ARRAY || t == BpfMapType.PERCPU_HASH || t == BpfMapType.LRU_PERCPU_HASH;
    }

    private static boolean hash(BpfMapType t) {
        return t != BpfMapType.PERCPU_ARRAY;
    }

    /** A user value: a long {@code a} after the kptr slot (which user space cannot set). */
    private static byte[] value(BpfMapType t, long a) {
        byte[] v = new byte[percpu(t) ? 16 * PerCpu.NR_CPU_IDS : 16];
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0x1234).putLong(8, a);
        return v;
    }

    private void create(BpfMapType t, int flags) {
        create(t, flags, 4);
    }

    private void create(BpfMapType t, int flags, int maxEntries) {
        // struct { struct sk_buff __kptr *skb; long a; }: the kptr at 0, plain data after it
        org.bpfosgi.btf.Btf b = org.bpfosgi.btf.CDeclCompiler.compile("kv.bpf.c", """
                #define __kptr __attribute__((btf_type_tag("kptr")))
                struct kv { struct sk_buff __kptr *skb; long a; };
                """, m.btf.vmlinuxBtf()).btf();
        org.bpfosgi.verifier.BtfNewFd.Result lr = org.bpfosgi.verifier.BtfNewFd.load(m.pk.services(), "kv", b);
        assertTrue(lr.ok(), "BPF_BTF_LOAD: " + lr.err());
        MapTable.CreateResult r = f.k.maps().create(MapCreateAttr.of(t, "kv", 4, 16, maxEntries, flags).withBtf(lr.btf(),
                b.findByNameKind("int", org.bpfosgi.btf.api.BtfKind.INT),
                b.findByNameKind("kv", org.bpfosgi.btf.api.BtfKind.STRUCT)));
        assertTrue(r.ok(), "map_check_btf() allows kptrs in " + t + ": " + r.err());
        map = r.map();
        assertEquals(1, map.record().fields().size());
        if (hash(t)) {
            // the element the program stores into, created from user space with its kptr slot 0
            assertEquals(0, f.k.maps().update(map.id(), KEY0, value(t, 1), 0));
        }
    }

    /** enqueue(skb): bpf_kptr_xchg() of the skb into key 0's value ({@link QdiscFifo#xchgSkbIntoSlot0}). */
    private BpfProg store() {
        String text = ".license \"GPL\"\n.struct_ops Qdisc_ops.enqueue\nenqueue:\n" + QdiscFifo.xchgSkbIntoSlot0("kv");
        ProgLoadResult r = m.pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, "kv.s"), Optional.empty(), 1,
                m.pk.services(), n -> n.equals("kv") ? map.id() : -1));
        assertTrue(r.ok(), r.log());
        return r.prog();
    }

    private long stored(BpfProg p) {
        long skb = f.skb(60);
        assertEquals(0, f.run(p, skb, f.qdisc(1000), 0), "stored in key 0's element");
        assertTrue(kf.freedSkbs().isEmpty());
        // bpf_map_copy_value() / bpf_percpu_*_copy(): check_and_init_map_value() hides the kptr
        byte[] v = hash(map.attr().type()) ? ((org.bpfosgi.structops.HtabMap) map).lookupUser(KEY0) : map.lookupUser(0);
        assertNotNull(v);
        assertEquals(0, ByteBuffer.wrap(v).getLong(0));
        return skb;
    }

    @ParameterizedTest
    @EnumSource(value = BpfMapType.class, names = {"PERCPU_ARRAY", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void aUserUpdateReleasesTheSkbExceptAPerCpuHashsInPlaceCopy(BpfMapType t) {
        create(t, 0);
        BpfProg p = store();
        long skb = stored(p);
        assertEquals(0, f.k.maps().update(map.id(), KEY0, value(t, 7), 0));
        byte[] v = hash(t) ? ((org.bpfosgi.structops.HtabMap) map).lookupUser(KEY0) : map.lookupUser(0);
        assertEquals(7, ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(8), "the data was copied");
        if (t == BpfMapType.PERCPU_HASH || t == BpfMapType.LRU_PERCPU_HASH) {
            assertTrue(kf.freedSkbs().isEmpty(), "pcpu_copy_value(): copy_map_value() around the kptr, no free");
            // the program's next xchg finds the old skb still there and frees it
            long next = f.skb(70);
            assertEquals(0, f.run(p, next, f.qdisc(1000), 0));
            assertEquals(List.of(skb), kf.freedSkbs());
        } else {
            assertEquals(List.of(skb), kf.freedSkbs(), t == BpfMapType.LRU_HASH
                    ? "htab_lru_map_update_elem(): htab_lru_push_free() of the replaced element"
                    : "bpf_percpu_array_update(): copy_map_value_long(), then bpf_obj_free_fields()");
        }
    }

    @ParameterizedTest
    @EnumSource(value = BpfMapType.class, names = {"PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void deletingTheElementReleasesTheSkb(BpfMapType t) {
        create(t, 0);
        long skb = stored(store());
        assertEquals(0, f.k.maps().delete(map.id(), KEY0));
        assertEquals(List.of(skb), kf.freedSkbs(), "free_htab_elem() / htab_lru_push_free(): check_and_free_fields()");
        assertEquals(-2, f.k.maps().delete(map.id(), KEY0));
        assertEquals(List.of(skb), kf.freedSkbs(), "released once");
    }

    @ParameterizedTest
    @EnumSource(value = BpfMapType.class, names = {"PERCPU_ARRAY", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void freeingTheMapReleasesTheSkb(BpfMapType t) {
        create(t, 0);
        BpfProg p = store();
        long skb = stored(p);
        f.k.maps().close(map.id());
        assertFalse(map.isFreed(), "the program still holds the map");
        m.pk.progs().free(p.id());
        assertTrue(map.isFreed());
        assertEquals(List.of(skb), kf.freedSkbs(), "array_map_free() / htab_free_prealloced_fields(): bpf_obj_free_fields()");
    }

    @ParameterizedTest
    @EnumSource(value = BpfMapType.class, names = {"LRU_HASH", "LRU_PERCPU_HASH"})
    void anLruEvictionReleasesTheSkb(BpfMapType t) {
        // one element: the next new key's bpf_lru_pop_free() finds no free node and shrinks the
        // only one, key 0's, whatever its list (__bpf_lru_list_shrink()'s forced shrink)
        create(t, MapCreateAttr.BPF_F_NO_COMMON_LRU, 1);
        long skb = stored(store());
        // htab_lru_map_delete_node(): check_and_free_fields() of the evicted element
        assertEquals(0, f.k.maps().update(map.id(), key(1), value(t, 2), 0));
        assertNotNull(((org.bpfosgi.structops.HtabMap) map).lookupUser(key(1)));
        assertNull(((org.bpfosgi.structops.HtabMap) map).lookupUser(KEY0), "evicted");
        assertEquals(List.of(skb), kf.freedSkbs());
    }
}
