package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.structops.MapTable;
import org.bpfosgi.vm.Exit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * BPF_MAP_TYPE_PERCPU_HASH (kernel/bpf/hashtab.c, v6.12, preallocated) on the model's one CPU:
 * htab_percpu_map_gen_lookup()'s inlined lookup (as the live 6.18 kernel's xlated dump has it:
 * {@code call __htab_map_lookup_elem; if r0 == 0x0 goto pc+3; r0 += 56; r0 = *(u64 *)(r0 +0);
 * r0 = &(void __percpu *)(r0)}, run), htab_percpu_map_update_elem (in place for an existing key,
 * -E2BIG past max_entries: no extra element), htab_map_delete_elem,
 * htab_percpu_map_lookup_percpu_elem, the syscall side and the create checks.
 */
class PercpuHashMapTest {
    private TestKernel k;
    private int ph;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
        ph = k.createMap(MapCreateAttr.of(BpfMapType.PERCPU_HASH, "ph", 8, 12, 2, 0));
    }

    @AfterEach
    void noLeaks() {
        k.freeProgsAndAssertNoReferencesLeft();
    }

    private ProgLoadResult load(String body) {
        return k.load(RejectionTest.prog(body), Map.of("ph", ph));
    }

    /** update key KEY with value VAL (flags 0), the result's low 8 bits shifted into r7. */
    private static String update(int key, int val) {
        return """
                *(u64 *)(r10 -8) = %d
                *(u64 *)(r10 -24) = %d
                *(u64 *)(r10 -16) = 0
                r1 = ph ll
                r2 = r10
                r2 += -8
                r3 = r10
                r3 += -24
                r4 = 0
                call bpf_map_update_elem
                r7 <<= 8
                r0 &= 0xff
                r7 |= r0
                """.formatted(key, val);
    }

    @Test
    void inlinedLookupUpdateInPlaceDeleteAndE2big() {
        ProgLoadResult r = load("r7 = 0\n" + update(1, 5) + update(1, 6) + update(2, 7) + update(3, 8) + """
                *(u64 *)(r10 -8) = 1
                r1 = ph ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                if r0 == 0 goto bad
                r6 = *(u64 *)(r0 +0)
                r1 = ph ll
                r2 = r10
                r2 += -8
                call bpf_map_delete_elem
                r1 = ph ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                if r0 != 0 goto bad
                r6 <<= 32
                r0 = r7
                r0 |= r6
                exit
                bad:
                r0 = 99
                exit""");
        List<String> x = k.xlatedLines(r);
        assertEquals("  11: (85) call htab_percpu_map_update_elem", x.get(10), String.join("\n", x));
        List<String> ops = x.stream().map(l -> l.replaceAll("^ *\\d+: ", "")).toList();
        int at = ops.indexOf("(85) call __htab_map_lookup_elem");
        assertTrue(at > 0, String.join("\n", x));
        assertEquals(List.of("(85) call __htab_map_lookup_elem", "(15) if r0 == 0x0 goto pc+3", "(07) r0 += 56",
                "(79) r0 = *(u64 *)(r0 +0)", "(bf) r0 = &(void __percpu *)(r0)"), ops.subList(at, at + 5));
        assertTrue(x.stream().anyMatch(l -> l.endsWith("call htab_map_delete_elem")), String.join("\n", x));
        long r0 = ((Exit) k.runOnRuntime(r.prog())).r0();
        // three updates OK, the fourth (a third key in a 2-entry per-cpu table) -E2BIG; key 1 holds 6
        assertEquals(0xf9, r0 & 0xffffffffL);
        assertEquals(6, r0 >>> 32);
    }

    @Test
    void lookupPercpuElem() {
        ProgLoadResult r = load("r7 = 0\n" + update(4, 9) + """
                r1 = ph ll
                r2 = r10
                r2 += -8
                r3 = 1
                call bpf_map_lookup_percpu_elem
                if r0 != 0 goto bad
                r1 = ph ll
                r2 = r10
                r2 += -8
                r3 = 0
                call bpf_map_lookup_percpu_elem
                if r0 == 0 goto bad
                r0 = *(u64 *)(r0 +0)
                exit
                bad:
                r0 = 99
                exit""");
        assertTrue(k.xlatedLines(r).stream().filter(l -> l.endsWith("call htab_percpu_map_lookup_percpu_elem")).count() == 2);
        assertEquals(9, ((Exit) k.runOnRuntime(r.prog())).r0());
    }

    @Test
    void theSyscallSideAndCreateChecks() {
        MapTable maps = k.runtime().maps();
        byte[] key = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(3).array();
        assertEquals(Errno.EINVAL.negative(), maps.update(ph, key, new byte[12], 0));
        byte[] v = new byte[16];
        v[0] = 4;
        assertEquals(Errno.ENOENT.negative(), maps.update(ph, key, v, 2));
        assertEquals(0, maps.update(ph, key, v, 1));
        assertEquals(Errno.EEXIST.negative(), maps.update(ph, key, v, 1));
        assertEquals(Errno.EINVAL.negative(), maps.update(ph, key, v, 4));
        byte[][] out = new byte[1][];
        assertEquals(0, maps.lookup(ph, key, 0, out));
        assertArrayEquals(v, out[0]);
        assertEquals(0, maps.delete(ph, key));
        assertEquals(Errno.ENOENT.negative(), maps.lookup(ph, key, 0, out));
        assertEquals(Errno.EINVAL.negative(), maps.create(MapCreateAttr.of(BpfMapType.PERCPU_HASH, "m", 8, 8, 1,
                MapCreateAttr.BPF_F_NUMA_NODE)).err());
        assertEquals(Errno.E2BIG.negative(), maps.create(MapCreateAttr.of(BpfMapType.PERCPU_HASH, "m", 8, (32 << 10) + 1, 1, 0)).err());
    }
}
