package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * do_misc_fixups()'s map helper block (v6.12) and check_ptr_to_map_access(), on the built-in
 * vmlinux BTF (v6.12's x86-64 layout: offsetof(struct bpf_array, value) 264,
 * offsetof(struct htab_elem, key) 48): the xlated instructions, as bpftool prints them, and the
 * inlined code run against the maps' storage with the helpers' results.
 */
class MapOpsFixupTest {
    private TestKernel k;
    private int arr;
    private int a8;
    private int hash;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
        arr = k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "arr", 4, 48, 4, 0));
        a8 = k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "a8", 4, 8, 3, 0));
        hash = k.createMap(MapCreateAttr.of(BpfMapType.HASH, "h", 8, 16, 2, 0));
    }

    @AfterEach
    void noLeaks() {
        k.freeProgsAndAssertNoReferencesLeft();
    }

    private ProgLoadResult load(String body) {
        ProgLoadResult r = k.load(RejectionTest.prog(body), Map.of("arr", arr, "a8", a8, "h", hash));
        return r;
    }

    @Test
    void theBuiltinBtfHasV612sLayout() {
        BpfMapLayout l = new BpfMapLayout(TestKernel.VMLINUX.btf());
        assertEquals(264, l.arrayValueOffset());
        assertEquals(48, l.htabElemKeyOffset());
        assertEquals(248, l.structSize("bpf_map", 0));
        assertEquals(36, l.offset("bpf_map", "max_entries"));
    }

    @Test
    void anArrayLookupIsInlined() {
        ProgLoadResult r = load("""
                *(u32 *)(r10 -4) = 2
                r2 = r10
                r2 += -4
                r1 = arr ll
                call bpf_map_lookup_elem
                if r0 == 0 goto out
                r1 = 41
                *(u64 *)(r0 +8) = r1
                out:
                *(u32 *)(r10 -4) = 2
                r2 = r10
                r2 += -4
                r1 = a8 ll
                call bpf_map_lookup_elem
                r0 = 0
                exit""");
        List<String> x = k.xlatedLines(r);
        // array_map_gen_lookup(): elem_size 48 is no power of 2 (a multiply); 8 is (a shift)
        assertEquals(List.of(
                "   0: (62) *(u32 *)(r10 -4) = 2",
                "   1: (bf) r2 = r10",
                "   2: (07) r2 += -4",
                "   3: (18) r1 = map[id:" + arr + "]",
                "   5: (07) r1 += 264",
                "   6: (61) r0 = *(u32 *)(r2 +0)",
                "   7: (35) if r0 >= 0x4 goto pc+3",
                "   8: (27) r0 *= 48",
                "   9: (0f) r0 += r1",
                "  10: (05) goto pc+1",
                "  11: (b7) r0 = 0",
                "  12: (15) if r0 == 0x0 goto pc+2",
                "  13: (b7) r1 = 41",
                "  14: (7b) *(u64 *)(r0 +8) = r1",
                "  15: (62) *(u32 *)(r10 -4) = 2",
                "  16: (bf) r2 = r10",
                "  17: (07) r2 += -4",
                "  18: (18) r1 = map[id:" + a8 + "]",
                "  20: (07) r1 += 264",
                "  21: (61) r0 = *(u32 *)(r2 +0)",
                "  22: (35) if r0 >= 0x3 goto pc+3",
                "  23: (67) r0 <<= 3",
                "  24: (0f) r0 += r1",
                "  25: (05) goto pc+1",
                "  26: (b7) r0 = 0",
                "  27: (b7) r0 = 0",
                "  28: (95) exit"), x);
        // the inlined lookup found element 2's value: the store is there for user space
        Outcome o = k.runOnRuntime(r.prog());
        assertEquals(0, ((Exit) o).r0(), o.toString());
        byte[] v = k.runtime().maps().get(arr).orElseThrow().lookupUser(2);
        assertEquals(41, v[8]);
    }

    @Test
    void inlinedLookupsGiveTheHelpersResults() {
        // out of range: NULL; in range: the value, whose second word is read back after an update
        ProgLoadResult r = load("""
                *(u32 *)(r10 -4) = 4
                r2 = r10
                r2 += -4
                r1 = arr ll
                call bpf_map_lookup_elem
                if r0 != 0 goto bad
                *(u32 *)(r10 -4) = 1
                *(u64 *)(r10 -56) = 0
                *(u64 *)(r10 -48) = 77
                *(u64 *)(r10 -40) = 0
                *(u64 *)(r10 -32) = 0
                *(u64 *)(r10 -24) = 0
                *(u64 *)(r10 -16) = 0
                r1 = arr ll
                r2 = r10
                r2 += -4
                r3 = r10
                r3 += -56
                r4 = 0
                call bpf_map_update_elem
                r1 = arr ll
                r2 = r10
                r2 += -4
                call bpf_map_lookup_elem
                if r0 == 0 goto bad
                r0 = *(u64 *)(r0 +8)
                exit
                bad:
                r0 = 99
                exit""");
        List<String> x = k.xlatedLines(r);
        assertTrue(x.contains("  27: (85) call array_map_update_elem"), String.join("\n", x));
        Outcome o = k.runOnRuntime(r.prog());
        assertEquals(77, ((Exit) o).r0(), o.toString());
    }

    @Test
    void aHashLookupCallsHtabMapLookupElemAndTheOtherHelpersTheMapsOps() {
        ProgLoadResult r = load("""
                *(u64 *)(r10 -8) = 7
                *(u64 *)(r10 -24) = 5
                *(u64 *)(r10 -16) = 6
                r1 = h ll
                r2 = r10
                r2 += -8
                r3 = r10
                r3 += -24
                r4 = 0
                call bpf_map_update_elem
                r1 = h ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                if r0 == 0 goto miss
                r6 = *(u64 *)(r0 +8)
                r1 = h ll
                r2 = r10
                r2 += -8
                call bpf_map_delete_elem
                r1 = h ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                if r0 != 0 goto miss
                r0 = r6
                exit
                miss:
                r0 = 99
                exit""");
        List<String> x = k.xlatedLines(r);
        assertEquals("  10: (85) call htab_map_update_elem", x.get(9));
        // htab_map_gen_lookup(): the element, then past a NULL check its value at 48 + round_up(8, 8)
        assertEquals(List.of("  15: (85) call __htab_map_lookup_elem", "  16: (15) if r0 == 0x0 goto pc+1",
                "  17: (07) r0 += 56"), x.subList(13, 16));
        assertEquals("  24: (85) call htab_map_delete_elem", x.get(21));
        Outcome o = k.runOnRuntime(r.prog());
        assertEquals(6, ((Exit) o).r0(), o.toString());
    }

    @Test
    void anInnerMapTemplateCallsArrayMapLookupElem() {
        // array_map_gen_lookup(): -EOPNOTSUPP for BPF_F_INNER_MAP, so patch_map_ops_generic
        int inner = k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "inner", 4, 8, 2, MapCreateAttr.BPF_F_INNER_MAP));
        ProgLoadResult r = k.load(RejectionTest.prog("""
                *(u32 *)(r10 -4) = 1
                r2 = r10
                r2 += -4
                r1 = inner ll
                call bpf_map_lookup_elem
                if r0 == 0 goto out
                r1 = 9
                *(u64 *)(r0 +0) = r1
                r0 = 1
                out:
                exit"""), Map.of("inner", inner));
        List<String> x = k.xlatedLines(r);
        assertEquals("   5: (85) call array_map_lookup_elem", x.get(4));
        assertEquals(1, ((Exit) k.runOnRuntime(r.prog())).r0());
        assertEquals(9, k.runtime().maps().get(inner).orElseThrow().lookupUser(1)[0]);
    }

    @Test
    void aCallThatSeesTwoMapsKeepsTheGenericHelper() {
        // the same call with arr on one path and a8 on the other: map_ptr_state poisoned
        List<String> x = k.xlatedLines(load(lookupOfArrOr("a8")));
        assertTrue(x.contains("  10: (85) call bpf_map_lookup_elem"), String.join("\n", x));
        // one map on both paths: inlined
        x = k.xlatedLines(load(lookupOfArrOr("arr")));
        assertTrue(x.contains("  10: (07) r1 += 264"), String.join("\n", x));
    }

    /** One bpf_map_lookup_elem call whose map is arr on one path and {@code other} on the other. */
    private static String lookupOfArrOr(String other) {
        return """
                call bpf_get_prandom_u32
                r6 = r0
                *(u32 *)(r10 -4) = 0
                r1 = arr ll
                if r6 == 0 goto l
                r1 = %s ll
                l:
                r2 = r10
                r2 += -4
                call bpf_map_lookup_elem
                r0 = 0
                exit""".formatted(other);
    }

    @Test
    void aMapPtrReadsStructBpfMapThroughTheMapsBtf() {
        // check_ptr_to_map_access(): map->max_entries of the array (struct bpf_array), run for real
        ProgLoadResult r = load("r1 = arr ll\nr0 = *(u32 *)(r1 +36)\nexit");
        assertTrue(r.ok(), r.log());
        assertEquals(4, ((Exit) k.runOnRuntime(r.prog())).r0());
        // bpf_array's own fields: elem_size (round_up(48, 8)), index_mask (4 entries: 3)
        r = load("r1 = arr ll\nr0 = *(u32 *)(r1 +248)\nr1 = arr ll\nr1 = *(u32 *)(r1 +252)\nr0 += r1\nexit");
        assertTrue(r.ok(), r.log());
        assertEquals(51, ((Exit) k.runOnRuntime(r.prog())).r0());
        // a hash's struct bpf_htab: max_entries
        r = load("r1 = h ll\nr0 = *(u32 *)(r1 +36)\nexit");
        assertTrue(r.ok(), r.log());
        assertEquals(2, ((Exit) k.runOnRuntime(r.prog())).r0());
        // map->ops is a pointer to struct bpf_map_ops (btf_struct_access()'s flag: not untrusted)
        r = k.load(RejectionTest.prog("r1 = arr ll\nr0 = *(u64 *)(r1 +0)\nr0 = 0\nexit"), Map.of("arr", arr));
        assertTrue(r.ok(), r.log());
        ProgLoadResult v = k.progs.load(k.attr(RejectionTest.prog("r1 = arr ll\nr2 = *(u64 *)(r1 +0)\nr0 = 0\nexit"),
                Map.of("arr", arr)).withLogLevel(2));
        assertTrue(v.log().contains("R2=ptr_bpf_map_ops()"), v.log());
        // ... which is array_map_ops: its map_update_elem is the function the fixup calls
        r = load("r1 = arr ll\nr1 = *(u64 *)(r1 +0)\nr0 = *(u64 *)(r1 +8)\nexit");
        assertTrue(r.ok(), r.log());
        assertEquals(k.registry.kallsyms().lookupName("array_map_update_elem"), ((Exit) k.runOnRuntime(r.prog())).r0());
        rejected("r1 = arr ll\nr0 = 0\n*(u32 *)(r1 +36) = r0\nexit", Errno.EACCES, "only read from bpf_array is supported");
        rejected("r1 = h ll\nr0 = *(u32 *)(r1 -8)\nexit", Errno.EACCES, "R1 is bpf_htab invalid negative access: off=-8");
        rejected("r1 = arr ll\nr0 = *(u64 *)(r1 +264)\nexit", Errno.EACCES, "access beyond struct bpf_array at off 264 size 8");
        rejected("r1 = arr ll\nr0 = *(u32 *)(r1 +2)\nexit", Errno.EACCES,
                "cannot access ptr member ops with moff 0 in struct bpf_map with off 2 size 4");
    }

    private void rejected(String body, Errno e, String line) {
        ProgLoadResult r = load(body);
        assertFalse(r.ok(), r.log());
        assertEquals(e, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains(line), "log lacks [" + line + "]:\n" + r.log());
    }
}
