package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.bpfosgi.vm.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * BPF_MAP_TYPE_PERCPU_ARRAY (kernel/bpf/arraymap.c, v6.12) on the model's one CPU: the create
 * checks, percpu_array_map_gen_lookup()'s inlined lookup with BPF_MOV64_PERCPU_REG (xlated as
 * bpftool prints it, and run), array_map_update_elem into this CPU's copy,
 * bpf_map_lookup_percpu_elem (percpu_array_map_lookup_percpu_elem: NULL for a CPU past
 * nr_cpu_ids), and the syscall side's per-CPU values.
 */
class PercpuArrayMapTest {
    private TestKernel k;
    private int pcpu;
    private int arr;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
        pcpu = k.createMap(MapCreateAttr.of(BpfMapType.PERCPU_ARRAY, "pcpu", 4, 12, 3, 0));
        arr = k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "arr", 4, 8, 2, 0));
    }

    @AfterEach
    void noLeaks() {
        k.freeProgsAndAssertNoReferencesLeft();
    }

    private ProgLoadResult load(String body) {
        return k.load(RejectionTest.prog(body), Map.of("pcpu", pcpu, "arr", arr));
    }

    private static final String UPDATE_THEN_LOOKUP = """
            *(u32 *)(r10 -4) = 2
            *(u64 *)(r10 -24) = 77
            *(u64 *)(r10 -16) = 0
            r1 = pcpu ll
            r2 = r10
            r2 += -4
            r3 = r10
            r3 += -24
            r4 = 0
            call bpf_map_update_elem
            r1 = pcpu ll
            r2 = r10
            r2 += -4
            call bpf_map_lookup_elem
            if r0 == 0 goto bad
            r0 = *(u64 *)(r0 +0)
            exit
            bad:
            r0 = 99
            exit""";

    @Test
    void aLookupIsInlinedWithMov64PercpuRegAndRuns() {
        ProgLoadResult r = load(UPDATE_THEN_LOOKUP);
        List<String> x = k.xlatedLines(r);
        assertEquals("  10: (85) call array_map_update_elem", x.get(9), String.join("\n", x));
        assertEquals(List.of(
                "  11: (18) r1 = map[id:" + pcpu + "]",
                "  13: (bf) r2 = r10",
                "  14: (07) r2 += -4",
                "  15: (07) r1 += 264",
                "  16: (61) r0 = *(u32 *)(r2 +0)",
                "  17: (35) if r0 >= 0x3 goto pc+5",
                "  18: (67) r0 <<= 3",
                "  19: (0f) r0 += r1",
                "  20: (79) r0 = *(u64 *)(r0 +0)",
                "  21: (bf) r0 = &(void __percpu *)(r0)",
                "  22: (05) goto pc+1",
                "  23: (b7) r0 = 0"), x.subList(10, 22), String.join("\n", x));
        Outcome o = k.runOnRuntime(r.prog());
        assertEquals(77, ((Exit) o).r0(), o.toString());
        byte[] v = k.runtime().maps().get(pcpu).orElseThrow().lookupUser(2);
        assertEquals(16, v.length, "round_up(value_size, 8) for each of the model's one CPU");
        assertEquals(77, v[0]);
    }

    @Test
    void lookupPercpuElemGivesCpu0sValueAndNullPastNrCpuIds() {
        ProgLoadResult r = load("""
                *(u32 *)(r10 -4) = 1
                r1 = pcpu ll
                r2 = r10
                r2 += -4
                call bpf_map_lookup_elem
                if r0 == 0 goto bad
                r1 = 5
                *(u32 *)(r0 +8) = r1
                r1 = pcpu ll
                r2 = r10
                r2 += -4
                r3 = 1
                call bpf_map_lookup_percpu_elem
                if r0 != 0 goto bad
                r1 = pcpu ll
                r2 = r10
                r2 += -4
                r3 = 0
                call bpf_map_lookup_percpu_elem
                if r0 == 0 goto bad
                r0 = *(u32 *)(r0 +8)
                exit
                bad:
                r0 = 99
                exit""");
        List<String> x = k.xlatedLines(r);
        assertTrue(x.stream().filter(l -> l.endsWith("call percpu_array_map_lookup_percpu_elem")).count() == 2, String.join("\n", x));
        assertEquals(5, ((Exit) k.runOnRuntime(r.prog())).r0());
    }

    @Test
    void lookupPercpuElemRefusesAMapThatIsNotPerCpu() {
        ProgLoadResult r = load("""
                *(u32 *)(r10 -4) = 0
                r1 = arr ll
                r2 = r10
                r2 += -4
                r3 = 0
                call bpf_map_lookup_percpu_elem
                r0 = 0
                exit""");
        assertFalse(r.ok());
        assertTrue(r.log().contains("cannot pass map_type 2 into func bpf_map_lookup_percpu_elem#195"), r.log());
        assertEquals(Errno.EINVAL, r.errno().orElseThrow());
    }

    @Test
    void aCallThatSeesTwoMapsCallsTheHelper() {
        int other = k.createMap(MapCreateAttr.of(BpfMapType.PERCPU_ARRAY, "other", 4, 12, 1, 0));
        ProgLoadResult r = k.load(RejectionTest.prog("""
                call bpf_get_prandom_u32
                *(u32 *)(r10 -4) = 0
                r1 = pcpu ll
                if r0 == 0 goto l
                r1 = other ll
                l:
                r2 = r10
                r2 += -4
                call bpf_map_lookup_elem
                r0 = 0
                exit"""), Map.of("pcpu", pcpu, "other", other));
        assertTrue(k.xlatedLines(r).stream().anyMatch(l -> l.endsWith("call bpf_map_lookup_elem")));
    }

    @Test
    void theSyscallSideUsesOneRoundedValuePerCpu() {
        MapTable maps = k.runtime().maps();
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(1).array();
        assertEquals(Errno.EINVAL.negative(), maps.update(pcpu, key, new byte[12], 0), "bpf_map_value_size() is 16");
        byte[] v = new byte[16];
        v[0] = 9;
        assertEquals(0, maps.update(pcpu, key, v, 0));
        assertEquals(Errno.EEXIST.negative(), maps.update(pcpu, key, v, 1));
        assertEquals(Errno.EINVAL.negative(), maps.update(pcpu, key, v, 3));
        byte[][] out = new byte[1][];
        assertEquals(0, maps.lookup(pcpu, key, 0, out));
        assertArrayEquals(v, out[0]);
        assertEquals(Errno.EINVAL.negative(), maps.delete(pcpu, key));
    }

    @Test
    void createChecks() {
        MapTable maps = k.runtime().maps();
        assertEquals(Errno.EINVAL.negative(), maps.create(MapCreateAttr.of(BpfMapType.PERCPU_ARRAY, "m", 4, 8, 1,
                MapCreateAttr.BPF_F_MMAPABLE)).err());
        assertEquals(Errno.EINVAL.negative(), maps.create(MapCreateAttr.of(BpfMapType.PERCPU_ARRAY, "m", 4, 8, 1,
                MapCreateAttr.BPF_F_NUMA_NODE)).err());
        assertEquals(Errno.E2BIG.negative(), maps.create(MapCreateAttr.of(BpfMapType.PERCPU_ARRAY, "m", 4, (32 << 10) + 1, 1, 0)).err());
        MapTable.CreateResult ok = maps.create(MapCreateAttr.of(BpfMapType.PERCPU_ARRAY, "m", 4, 32 << 10, 1, 0));
        assertTrue(ok.ok());
        maps.close(ok.map().id());
    }
}
