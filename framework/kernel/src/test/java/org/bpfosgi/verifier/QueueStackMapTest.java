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
 * BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK (kernel/bpf/queue_stack_maps.c, v6.12): the helpers
 * bpf_map_push_elem / bpf_map_pop_elem / bpf_map_peek_elem in the verifier (protos, raw-mode value
 * buffers, record_func_map(), check_map_func_compatibility() both ways, do_misc_fixups()'s direct
 * calls of the map's ops) and at run time (FIFO and LIFO order, -E2BIG when full, BPF_EXIST
 * dropping the oldest, -ENOENT and a zeroed buffer when empty), and the syscall side.
 */
class QueueStackMapTest {
    private TestKernel k;
    private int queue;
    private int stack;
    private int arr;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
        queue = k.createMap(MapCreateAttr.of(BpfMapType.QUEUE, "q", 0, 8, 2, 0));
        stack = k.createMap(MapCreateAttr.of(BpfMapType.STACK, "s", 0, 8, 2, 0));
        arr = k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "arr", 4, 8, 2, 0));
    }

    @AfterEach
    void noLeaks() {
        k.freeProgsAndAssertNoReferencesLeft();
    }

    private ProgLoadResult load(String body) {
        return k.load(RejectionTest.prog(body), Map.of("q", queue, "s", stack, "arr", arr));
    }

    private long run(String body) {
        ProgLoadResult r = load(body);
        assertTrue(r.ok(), r.log());
        Outcome o = k.runOnRuntime(r.prog());
        assertTrue(o instanceof Exit, o.toString());
        return ((Exit) o).r0();
    }

    /** push {@code v} into MAP with flags, the result's low 16 bits shifted into r7 (r7 = r7 << 16 | (u16)r0). */
    private static String push(String map, int v, int flags) {
        return """
                *(u64 *)(r10 -8) = %d
                r1 = %s ll
                r2 = r10
                r2 += -8
                r3 = %d
                call bpf_map_push_elem
                r7 <<= 16
                r0 &= 0xffff
                r7 |= r0
                """.formatted(v, map, flags);
    }

    /** pop (or peek) MAP into fp-16: r8 = r8 * 16 + value, the result into r7 as push does. */
    private static String get(String map, String helper) {
        return """
                r1 = %s ll
                r2 = r10
                r2 += -16
                call %s
                r7 <<= 16
                r0 &= 0xffff
                r7 |= r0
                r1 = *(u64 *)(r10 -16)
                r8 <<= 4
                r8 |= r1
                """.formatted(map, helper);
    }

    private static final long E2BIG = 0xffff & -7;
    private static final long ENOENT = 0xffff & -2;
    private static final long EINVAL = 0xffff & -22;

    @Test
    void aTwoEntryQueueTakesTwoThenE2bigAndBpfExistDropsTheOldest() {
        long r7 = run("r7 = 0\n" + push("q", 1, 0) + push("q", 2, 0) + push("q", 3, 0) + "r0 = r7\nexit");
        assertEquals(E2BIG, r7 & 0xffff, "third push into a full 2-entry queue");
        assertEquals(0, r7 >>> 16);
        // BPF_EXIST: 4 goes in, 1 (the oldest) is dropped; the queue pops 2 then 4, then is empty
        long r8 = run("r7 = 0\nr8 = 0\n" + push("q", 4, 2) + get("q", "bpf_map_pop_elem") + get("q", "bpf_map_pop_elem")
                + get("q", "bpf_map_pop_elem") + "r0 = r8\nexit");
        assertEquals(0x240, r8, "FIFO: 2, 4, then the empty pop zeroes the buffer");
        assertEquals(0, k.runtime().maps().get(queue).map(m -> ((org.bpfosgi.structops.QueueStackMap) m).count()).orElseThrow());
    }

    @Test
    void popAndPeekOfAnEmptyQueueAreEnoentWithTheBufferZeroed() {
        long r7 = run("""
                r7 = 0
                *(u64 *)(r10 -16) = 77
                r1 = q ll
                r2 = r10
                r2 += -16
                call bpf_map_peek_elem
                r7 = r0
                r0 = *(u64 *)(r10 -16)
                r0 <<= 32
                r7 &= 0xffff
                r0 |= r7
                exit""");
        assertEquals(ENOENT, r7 & 0xffff);
        assertEquals(0, r7 >>> 32, "memset(value, 0, value_size)");
    }

    @Test
    void aStackIsLifoAndPeekLeavesTheElement() {
        long r8 = run("r7 = 0\nr8 = 0\n" + push("s", 1, 0) + push("s", 2, 0) + get("s", "bpf_map_peek_elem")
                + get("s", "bpf_map_pop_elem") + get("s", "bpf_map_pop_elem") + get("s", "bpf_map_pop_elem") + "r0 = r8\nexit");
        assertEquals(0x2210, r8);
        // a full stack with BPF_EXIST drops its oldest (bottom) element
        r8 = run("r7 = 0\nr8 = 0\n" + push("s", 1, 0) + push("s", 2, 0) + push("s", 3, 2) + get("s", "bpf_map_pop_elem")
                + get("s", "bpf_map_pop_elem") + get("s", "bpf_map_pop_elem") + "r0 = r8\nexit");
        assertEquals(0x320, r8);
    }

    @Test
    void pushFlagsOtherThanBpfAnyAndBpfExistAreEinval() {
        long r7 = run("r7 = 0\n" + push("q", 1, 1) + push("q", 1, 3) + push("q", 1, 4) + "r0 = r7\nexit");
        assertEquals((EINVAL << 32) | (EINVAL << 16) | EINVAL, r7);
    }

    @Test
    void doMiscFixupsCallsTheMapsOwnOps() {
        List<String> x = k.xlatedLines(load("r7 = 0\nr8 = 0\n" + push("q", 1, 0) + get("q", "bpf_map_pop_elem")
                + get("s", "bpf_map_peek_elem") + get("s", "bpf_map_pop_elem") + get("q", "bpf_map_peek_elem") + "r0 = 0\nexit"));
        List<String> calls = x.stream().filter(l -> l.contains("call")).map(l -> l.replaceAll("^ *\\d+: \\(85\\) ", "")).toList();
        assertEquals(List.of("call queue_stack_map_push_elem", "call queue_map_pop_elem", "call stack_map_peek_elem",
                "call stack_map_pop_elem", "call queue_map_peek_elem"), calls);
    }

    @Test
    void aCallThatSeesAQueueAndAStackKeepsTheGenericHelper() {
        List<String> x = k.xlatedLines(load("""
                call bpf_get_prandom_u32
                r1 = q ll
                if r0 == 0 goto l
                r1 = s ll
                l:
                r2 = r10
                r2 += -8
                call bpf_map_pop_elem
                r0 = 0
                exit"""));
        assertTrue(x.stream().anyMatch(l -> l.endsWith("call bpf_map_pop_elem")), String.join("\n", x));
    }

    @Test
    void popIntoAnUninitialisedStackBufferIsAcceptedAndTheBufferIsInitialisedAfter() {
        // raw mode: no initialisation needed; check_helper_call() then writes the bytes (STACK_MISC)
        ProgLoadResult r = load("""
                r1 = q ll
                r2 = r10
                r2 += -8
                call bpf_map_pop_elem
                r0 = *(u64 *)(r10 -8)
                exit""");
        assertTrue(r.ok(), r.log());
        // push reads its value: an uninitialised one is fine only because the loader is root
        // (allow_uninit_stack); past the frame it is refused as the kernel refuses it
        k.assertRejected(RejectionTest.prog("""
                r1 = q ll
                r2 = r10
                r2 += -4
                call bpf_map_pop_elem
                r0 = 0
                exit""").replace("r1 = q ll", "r1 = 0"), Errno.EACCES, "R1 type=scalar expected=map_ptr");
        ProgLoadResult over = load("""
                r1 = q ll
                r2 = r10
                r2 += -4
                call bpf_map_pop_elem
                r0 = 0
                exit""");
        assertFalse(over.ok());
        assertTrue(over.log().contains("invalid indirect access to stack R2 off=-4 size=8"), over.log());
    }

    @Test
    void mapFuncCompatibilityRefusesEitherWay() {
        ProgLoadResult r = load("""
                *(u64 *)(r10 -8) = 0
                r1 = arr ll
                r2 = r10
                r2 += -8
                r3 = 0
                call bpf_map_push_elem
                r0 = 0
                exit""");
        assertFalse(r.ok());
        assertTrue(r.log().contains("cannot pass map_type 2 into func bpf_map_push_elem#87"), r.log());
        assertEquals(Errno.EINVAL, r.errno().orElseThrow());
        r = load("""
                r2 = q ll
                r3 = 0
                call bpf_tail_call
                r0 = 0
                exit""");
        assertFalse(r.ok());
        // record_func_key() (v6.12) refuses a tail call's map that is not a prog array before
        // check_map_func_compatibility() can
        assertTrue(r.log().contains("kernel subsystem misconfigured verifier"), r.log());
        assertFalse(r.log().contains("cannot pass map_type"), r.log());
        // a queue has no key (key_size 0): bpf_map_lookup_elem's key check refuses it first
        r = load("""
                *(u64 *)(r10 -8) = 0
                r1 = q ll
                r2 = r10
                r2 += -8
                call bpf_map_lookup_elem
                r0 = 0
                exit""");
        assertFalse(r.ok());
        assertTrue(r.log().contains("invalid zero-sized read"), r.log());
    }

    @Test
    void aReadOnlyProgQueueCannotBePushedOrPoppedAndAPopIntoReadOnlyMemoryIsRefused() {
        int ro = k.createMap(MapCreateAttr.of(BpfMapType.QUEUE, "ro", 0, 8, 2, MapCreateAttr.BPF_F_RDONLY_PROG));
        int rodata = k.runtime().maps().createGlobalData("rodata", 8, new byte[8], MapCreateAttr.BPF_F_RDONLY_PROG, true).map().id();
        for (String h : List.of("bpf_map_push_elem", "bpf_map_pop_elem")) {
            ProgLoadResult r = k.load(RejectionTest.prog("""
                    *(u64 *)(r10 -8) = 0
                    r1 = ro ll
                    r2 = r10
                    r2 += -8
                    r3 = 0
                    call %s
                    r0 = 0
                    exit""".formatted(h)), Map.of("ro", ro));
            assertFalse(r.ok(), h);
            assertTrue(r.log().contains("write into map forbidden\n"), r.log());
        }
        ProgLoadResult peek = k.load(RejectionTest.prog("""
                r1 = ro ll
                r2 = r10
                r2 += -8
                call bpf_map_peek_elem
                r0 = 0
                exit"""), Map.of("ro", ro));
        assertTrue(peek.ok(), peek.log());
        ProgLoadResult intoRodata = k.load(RejectionTest.prog("""
                *(u32 *)(r10 -4) = 0
                r1 = rodata ll
                r2 = r10
                r2 += -4
                call bpf_map_lookup_elem
                if r0 == 0 goto out
                r1 = q ll
                r2 = r0
                call bpf_map_pop_elem
                out:
                r0 = 0
                exit"""), Map.of("q", queue, "rodata", rodata));
        assertFalse(intoRodata.ok());
        assertTrue(intoRodata.log().contains("write into map forbidden, value_size=8 off=0 size=8"), intoRodata.log());
    }

    @Test
    void theSyscallSidePushesPeeksAndPops() {
        MapTable maps = k.runtime().maps();
        byte[][] out = new byte[1][];
        assertEquals(-2, maps.lookup(queue, new byte[0], 0, out));
        assertEquals(0, maps.update(queue, new byte[0], u64(5), 0));
        assertEquals(0, maps.update(queue, new byte[0], u64(6), 0));
        assertEquals(Errno.E2BIG.negative(), maps.update(queue, new byte[0], u64(7), 0));
        assertEquals(0, maps.update(queue, new byte[0], u64(7), 2));
        assertEquals(0, maps.lookup(queue, new byte[0], 0, out));
        assertArrayEquals(u64(6), out[0]);
        assertEquals(Errno.EINVAL.negative(), maps.lookupAndDelete(queue, new byte[0], 2, out));
        assertEquals(0, maps.lookupAndDelete(queue, new byte[0], 0, out));
        assertArrayEquals(u64(6), out[0]);
        assertEquals(0, maps.lookupAndDelete(queue, new byte[0], 0, out));
        assertArrayEquals(u64(7), out[0]);
        assertEquals(Errno.ENOENT.negative(), maps.lookupAndDelete(queue, new byte[0], 0, out));
        assertEquals(Errno.EINVAL.negative(), maps.delete(queue, new byte[0]));
        assertEquals(Errno.ENOTSUPP.negative(), maps.lookupAndDelete(arr, new byte[4], 0, out));
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
