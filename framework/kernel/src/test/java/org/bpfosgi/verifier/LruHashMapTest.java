package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.XlatedDump;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.vm.Exit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * BPF_MAP_TYPE_LRU_HASH (kernel/bpf/hashtab.c, bpf_lru_list.c, v6.12) on the model's one CPU:
 * htab_lru_map_gen_lookup()'s inlined lookup and the ref byte it stores, which decides what an
 * update of a full map evicts; htab_lru_map_update_elem/delete_elem called directly; the syscall
 * side (a user-space lookup does not mark an element referenced). The live kernel's answers for
 * 512-entry maps (where v6.12's LOCAL_FREE_TARGET and 6.18's free target agree) are in
 * MapCreateGoldenTest's lru_* rows; the 4-entry cases here follow v6.12's algorithm (see
 * KNOWN-DIFFERENCES.md, "LRU free target").
 */
class LruHashMapTest {
    private TestKernel k;
    private MapTable maps;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
        maps = k.runtime().maps();
    }

    @AfterEach
    void noLeaks() {
        k.freeProgsAndAssertNoReferencesLeft();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private List<Long> present(int id, int from, int to) {
        List<Long> out = new ArrayList<>();
        byte[][] v = new byte[1][];
        for (long key = from; key < to; key++) {
            if (maps.lookup(id, u64(key), 0, v) == 0) {
                out.add(key);
            }
        }
        return out;
    }

    private void fill(int id, int from, int to) {
        for (long key = from; key < to; key++) {
            assertEquals(0, maps.update(id, u64(key), u64(key * 10), 0));
        }
    }

    /** A program that looks key KEY up (inlined: sets the element's ref byte) and returns the value or 99. */
    private ProgLoadResult lookupProg(int id, long key) {
        return k.load(RejectionTest.prog("""
                *(u64 *)(r10 -8) = %d
                r1 = lru ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                if r0 == 0 goto none
                r0 = *(u64 *)(r0 +0)
                exit
                none:
                r0 = 99
                exit""".formatted(key)), Map.of("lru", id));
    }

    @Test
    void theInlinedLookupStoresTheRefByte() {
        int id = k.createMap(MapCreateAttr.of(BpfMapType.LRU_HASH, "lru", 8, 8, 4, 0));
        ProgLoadResult r = lookupProg(id, 1);
        assertTrue(r.ok(), r.log());
        List<String> ops = XlatedDump.lines(r.prog(), k.registry.kallsyms(), false).stream()
                .filter(l -> l.matches("^ *\\d+: .*")).map(l -> l.replaceAll("#-?\\d+$", "").replaceAll("^ *\\d+: ", ""))
                .toList();
        int at = ops.indexOf("(85) call __htab_map_lookup_elem");
        assertTrue(at > 0, String.join("\n", ops));
        assertEquals(List.of("(85) call __htab_map_lookup_elem", "(15) if r0 == 0x0 goto pc+4", "(71) r1 = *(u8 *)(r0 +35)",
                "(55) if r1 != 0x0 goto pc+1", "(72) *(u8 *)(r0 +35) = 1", "(07) r0 += 56"), ops.subList(at, at + 6));
        assertEquals(99, ((Exit) k.runOnRuntime(r.prog())).r0());
        fill(id, 1, 2);
        assertEquals(10, ((Exit) k.runOnRuntime(r.prog())).r0());
    }

    /**
     * v6.12 on one CPU, 4 entries, keys 1-4 then 5: the four are CPU 0's pending elements; the
     * fifth update finds the local free list empty, flushes them (a referenced one to the active
     * list, the rest to the inactive list) and shrinks the inactive list by up to
     * LOCAL_FREE_TARGET (128) unreferenced elements: all of them. A program's lookup of key 1
     * (the ref byte) keeps it; user-space lookups do not (htab_lru_map_lookup_elem_sys()).
     */
    @Test
    void aFullMapEvictsTheUnreferencedElements() {
        int plain = k.createMap(MapCreateAttr.of(BpfMapType.LRU_HASH, "plain", 8, 8, 4, 0));
        fill(plain, 1, 5);
        assertEquals(List.of(1L, 2L, 3L, 4L), present(plain, 1, 7));
        fill(plain, 5, 6);
        assertEquals(List.of(5L), present(plain, 1, 7));

        int lru = k.createMap(MapCreateAttr.of(BpfMapType.LRU_HASH, "lru", 8, 8, 4, 0));
        fill(lru, 1, 5);
        ProgLoadResult r = lookupProg(lru, 1);
        assertTrue(r.ok(), r.log());
        assertEquals(10, ((Exit) k.runOnRuntime(r.prog())).r0());
        fill(lru, 5, 6);
        assertEquals(List.of(1L, 5L), present(lru, 1, 7));
        // key 1 went to the active list; 6 takes one of the three free elements, nothing is evicted
        fill(lru, 6, 7);
        assertEquals(List.of(1L, 5L, 6L), present(lru, 1, 8));
        maps.close(plain);
        maps.close(lru);
    }

    /**
     * BPF_F_NO_COMMON_LRU (bpf_percpu_lru_pop_free(), PERCPU_FREE_TARGET 4) with the model's one
     * CPU holding all max_entries elements: not comparable with a multi-CPU machine, whose CPUs
     * each get max_entries / nr_cpus.
     */
    @Test
    void aPerCpuLruOnOneCpu() {
        int id = k.createMap(MapCreateAttr.of(BpfMapType.LRU_HASH, "lru", 8, 8, 4, MapCreateAttr.BPF_F_NO_COMMON_LRU));
        fill(id, 1, 5);
        ProgLoadResult r = lookupProg(id, 2);
        assertTrue(r.ok(), r.log());
        assertEquals(20, ((Exit) k.runOnRuntime(r.prog())).r0());
        fill(id, 5, 6);
        assertEquals(List.of(2L, 5L), present(id, 1, 7));
        maps.close(id);
    }

    @Test
    void helpersCallTheLruOps() {
        int id = k.createMap(MapCreateAttr.of(BpfMapType.LRU_HASH, "lru", 8, 8, 2, 0));
        ProgLoadResult r = k.load(RejectionTest.prog("""
                *(u64 *)(r10 -8) = 7
                *(u64 *)(r10 -16) = 42
                r1 = lru ll
                r2 = r10
                r2 += -8
                r3 = r10
                r3 += -16
                r4 = 1
                call bpf_map_update_elem
                r6 = r0
                r1 = lru ll
                r2 = r10
                r2 += -8
                r3 = r10
                r3 += -16
                r4 = 1
                call bpf_map_update_elem
                r6 <<= 8
                r0 &= 0xff
                r6 |= r0
                r1 = lru ll
                r2 = r10
                r2 += -8
                call bpf_map_delete_elem
                r6 <<= 8
                r0 &= 0xff
                r6 |= r0
                r1 = lru ll
                r2 = r10
                r2 += -8
                call bpf_map_delete_elem
                r6 <<= 8
                r0 &= 0xff
                r0 |= r6
                exit"""), Map.of("lru", id));
        assertTrue(r.ok(), r.log());
        List<String> x = XlatedDump.lines(r.prog(), k.registry.kallsyms(), false);
        assertEquals(2, x.stream().filter(l -> l.replaceAll("#-?\\d+$", "").endsWith("call htab_lru_map_update_elem")).count(),
                String.join("\n", x));
        assertEquals(2, x.stream().filter(l -> l.replaceAll("#-?\\d+$", "").endsWith("call htab_lru_map_delete_elem")).count(),
                String.join("\n", x));
        // OK, -EEXIST (BPF_NOEXIST), OK, -ENOENT
        long want = ((Errno.EEXIST.negative() & 0xffL) << 16) | (Errno.ENOENT.negative() & 0xffL);
        assertEquals(0xef00feL, want);
        assertEquals(want, ((Exit) k.runOnRuntime(r.prog())).r0() & 0xffffffffL);
        maps.close(id);
    }

    /**
     * BPF_MAP_TYPE_LRU_PERCPU_HASH: no map_gen_lookup (a call of htab_lru_percpu_map_lookup_elem),
     * bpf_map_lookup_percpu_elem (NULL past nr_cpu_ids = 1), an existing key updated in place
     * (__htab_lru_percpu_map_update_elem()), the syscall value round_up(value_size, 8) per CPU.
     */
    @Test
    void lruPercpuHash() {
        int id = k.createMap(MapCreateAttr.of(BpfMapType.LRU_PERCPU_HASH, "lru", 8, 8, 4, 0));
        fill(id, 3, 4);
        ProgLoadResult r = k.load(RejectionTest.prog("""
                *(u64 *)(r10 -8) = 3
                *(u64 *)(r10 -16) = 77
                r1 = lru ll
                r2 = r10
                r2 += -8
                r3 = r10
                r3 += -16
                r4 = 2
                call bpf_map_update_elem
                r1 = lru ll
                r2 = r10
                r2 += -8
                r3 = 1
                call bpf_map_lookup_percpu_elem
                if r0 != 0 goto bad
                r1 = lru ll
                r2 = r10
                r2 += -8
                r3 = 0
                call bpf_map_lookup_percpu_elem
                if r0 == 0 goto bad
                r6 = *(u64 *)(r0 +0)
                r1 = lru ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                if r0 == 0 goto bad
                r0 = *(u64 *)(r0 +0)
                r0 += r6
                exit
                bad:
                r0 = 99
                exit"""), Map.of("lru", id));
        assertTrue(r.ok(), r.log());
        List<String> x = XlatedDump.lines(r.prog(), k.registry.kallsyms(), false).stream()
                .map(l -> l.replaceAll("#-?\\d+$", "")).toList();
        assertTrue(x.stream().anyMatch(l -> l.endsWith("call htab_lru_percpu_map_lookup_elem")), String.join("\n", x));
        assertTrue(x.stream().anyMatch(l -> l.endsWith("call htab_lru_percpu_map_update_elem")), String.join("\n", x));
        assertEquals(154, ((Exit) k.runOnRuntime(r.prog())).r0());
        byte[][] out = new byte[1][];
        assertEquals(0, maps.lookup(id, u64(3), 0, out));
        assertArrayEquals(u64(77), out[0]);
        assertEquals(Errno.E2BIG.negative(), maps.create(MapCreateAttr.of(BpfMapType.LRU_PERCPU_HASH, "m", 8, (32 << 10) + 1, 1,
                0)).err());
        maps.close(id);
    }

    @Test
    void theSyscallSideAndCreateChecks() {
        int id = k.createMap(MapCreateAttr.of(BpfMapType.LRU_HASH, "lru", 8, 8, 2, 0));
        assertEquals(Errno.EINVAL.negative(), maps.update(id, u64(1), u64(5), 4)); // BPF_F_LOCK
        assertEquals(Errno.ENOENT.negative(), maps.update(id, u64(1), u64(5), 2));
        assertEquals(0, maps.update(id, u64(1), u64(5), 1));
        assertEquals(Errno.EEXIST.negative(), maps.update(id, u64(1), u64(6), 1));
        byte[][] out = new byte[1][];
        assertEquals(0, maps.lookupAndDelete(id, u64(1), 0, out));
        assertArrayEquals(u64(5), out[0]);
        assertEquals(Errno.ENOENT.negative(), maps.lookup(id, u64(1), 0, out));
        maps.close(id);
        assertEquals(Errno.ENOTSUPP.negative(), maps.create(MapCreateAttr.of(BpfMapType.LRU_HASH, "m", 8, 8, 2,
                MapCreateAttr.BPF_F_NO_PREALLOC)).err());
        assertEquals(Errno.EINVAL.negative(), maps.create(MapCreateAttr.of(BpfMapType.LRU_HASH, "m", 8, 8, 2,
                MapCreateAttr.BPF_F_NO_COMMON_LRU | MapCreateAttr.BPF_F_NUMA_NODE)).err());
        assertEquals(Errno.EINVAL.negative(), maps.create(MapCreateAttr.of(BpfMapType.HASH, "m", 8, 8, 2,
                MapCreateAttr.BPF_F_NO_COMMON_LRU)).err());
        assertEquals(List.of(), maps.list());
    }
}
