package org.bpfosgi.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.structops.BpfMap;
import org.bpfosgi.structops.ProgArrayMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bpf_tail_call through prog arrays: the verifier's part (the map by fd, CONST_PTR_TO_MAP,
 * bpf_tail_call_proto, check_map_func_compatibility, the rewrite to BPF_TAIL_CALL, the program's
 * map reference, bpf_check_tail_call's owner type), the prog array's (slots hold program
 * references, the owner type) and the interpreter's (a tail call does not return, at most
 * MAX_TAIL_CALL_CNT = 33 in a chain, an empty slot or an index past the end falls through).
 */
class TailCallTest {
    private ObjKernel k;

    @BeforeEach
    void boot() {
        k = new ObjKernel().withTestmod();
    }

    /** A test_prologue program that adds 1 to args->a and tail-calls slot INDEX of its own array. */
    static String loop(int index) {
        return """
                .license "GPL"
                SEC("struct_ops/test_prologue")
                loop:
                    r6 = r1
                    r7 = *(u64 *)(r1 +0)
                    r8 = *(u64 *)(r7 +0)
                    r8 += 1
                    *(u64 *)(r7 +0) = r8
                    r1 = r6
                    r2 = loop_map ll
                    r3 = %d
                    call bpf_tail_call
                    r0 = *(u64 *)(r7 +0)
                    exit

                struct {
                    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
                    __uint(max_entries, 2);
                    __uint(key_size, sizeof(__u32));
                    __array(values, void (void));
                } loop_map SEC(".maps") = {
                    .values = { [0] = (void *)&loop, },
                };

                SEC(".struct_ops.link")
                struct bpf_testmod_st_ops loop_ops = {
                    .test_prologue = (void *)loop,
                };

                SEC("syscall")
                run_loop:
                    r1 = 0
                    *(u64 *)(r10 -8) = r1
                    r1 = r10
                    r1 += -8
                    call bpf_kfunc_st_ops_test_prologue
                    exit
                """.formatted(index);
    }

    /** Each run of loop adds 1, and the upstream prologue 1000 (every tail-called program has its own prologue). */
    private long perRun() {
        return 1001;
    }

    @Test
    void aChainStopsAfterMaxTailCallCnt() throws Exception {
        ObjKernel.Out r = k.load("loop", loop(0));
        assertTrue(r.ok(), r.toString());
        // the first run and 33 tail calls; the 34th tail call falls through to "return a"
        assertEquals(34 * perRun(), k.retval(ObjKernel.id(r, "prog", "run_loop")));
    }

    @Test
    void anEmptySlotOrAnIndexPastTheEndFallsThrough() throws Exception {
        ObjKernel.Out r = k.load("loop", loop(1));
        assertTrue(r.ok(), r.toString());
        assertEquals(perRun(), k.retval(ObjKernel.id(r, "prog", "run_loop")), "slot 1 is empty");
        assertTrue(k.run("obj", "unload").ok());
        r = k.load("loop", loop(7));
        assertEquals(perRun(), k.retval(ObjKernel.id(r, "prog", "run_loop")), "7 >= max_entries");
    }

    @Test
    void theTailCalledProgramDoesNotReturn() throws Exception {
        ObjKernel.Out r = k.load("epilogue_tailcall", ObjKernel.example("epilogue_tailcall.bpf"), "autoattach",
                "epilogue_tailcall");
        assertTrue(r.ok(), r.toString());
        assertEquals("""
                map 1 epilogue_map
                map 2 epilogue_tailcall
                map 3 epilogue_subprog
                prog 1 test_epilogue_subprog
                prog 2 test_epilogue_tailcall
                prog 3 syscall_epilogue_tailcall
                link 1 epilogue_tailcall
                """, r.out());
        // the run's value (args.a 10001, retval 20002: only the tail-called program's epilogue runs)
        // is SelftestObjectsTest.epilogueTailcall's
        assertEquals("key: 00 00 00 00  value: 01 00 00 00\nFound 1 element\n", k.run("map", "dump", "id", "1").out());
        assertEquals(Errno.EINVAL.negative(), k.sk.testRun(3, new byte[4], 0).err(), "ctx_size_in < max_ctx_offset (8)");
    }

    @Test
    void anAutoattachNameThatNamesNoStructOpsMapIsRefusedBeforeAnythingIsCreated() throws Exception {
        ObjKernel.Out r = k.load("epilogue_tailcall", ObjKernel.example("epilogue_tailcall.bpf"), "autoattach",
                "epilogue_tailcal");
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.err().contains("autoattach epilogue_tailcal: ") && r.err().contains("has no struct_ops map 'epilogue_tailcal'"),
                r.err());
        assertTrue(k.sk.maps().get(1).isEmpty(), "no map was created");
        assertTrue(k.pk.progs().get(1).isEmpty(), "no program was loaded");
        // the names the object does have still load (epilogue_map is a prog array, not a struct_ops map)
        assertEquals(1, k.load("epilogue_tailcall", ObjKernel.example("epilogue_tailcall.bpf"), "autoattach",
                "epilogue_map").status());
        assertTrue(k.load("epilogue_tailcall", ObjKernel.example("epilogue_tailcall.bpf"), "autoattach",
                "epilogue_tailcall").ok());
    }

    @Test
    void progArraysAndProgramsHoldEachOther() throws Exception {
        ObjKernel.Out r = k.load("epilogue_tailcall", ObjKernel.example("epilogue_tailcall.bpf"), "autoattach", "none");
        assertTrue(r.ok(), r.toString());
        ProgArrayMap pa = (ProgArrayMap) k.sk.maps().get(1).orElseThrow();
        BpfProg subprog = k.pk.progs().get(1).orElseThrow();
        BpfProg tailcaller = k.pk.progs().get(2).orElseThrow();
        assertEquals(2, subprog.refcnt(), "the user's and the slot's");
        assertEquals(List.of(1), tailcaller.aux().usedMaps().stream().map(m -> m.id()).toList());
        assertEquals(2, pa.refcnt(), "the user's and test_epilogue_tailcall's used_maps");

        // a syscall program does not go into a struct_ops-owned array; the index is checked
        assertEquals(Errno.EINVAL.negative(), pa.update(0, 3, 0));
        assertEquals(Errno.E2BIG.negative(), pa.update(1, 1, 0));
        assertEquals(Errno.EINVAL.negative(), pa.update(0, 1, 1), "BPF_ANY only");

        assertTrue(k.run("prog", "free", "id", "1").ok());
        assertTrue(k.pk.progs().get(1).isPresent(), "the slot holds it");
        assertTrue(k.run("map", "free", "id", "1").ok());
        assertTrue(k.sk.maps().get(1).isPresent(), "test_epilogue_tailcall holds the map");
        assertFalse(k.pk.progs().get(1).isPresent(), "the last user reference cleared the slots (prog_array_map_clear)");
        assertEquals("Found 0 elements\n", k.run("map", "dump", "id", "1").out());
        assertTrue(k.run("prog", "free", "id", "2").ok());
        assertFalse(k.sk.maps().get(1).isPresent(), "the last reference freed the map");
        assertTrue(k.run("obj", "unload").ok());
        assertEquals(0, k.testmod.refcount(), k.testmod.holders().toString());
        assertTrue(k.sk.maps().list().isEmpty());
    }

    @Test
    void theVerifierChecksTheMap() throws Exception {
        ObjKernel.Out r = k.load("epilogue_tailcall", ObjKernel.example("epilogue_tailcall.bpf"), "autoattach", "none");
        assertTrue(r.ok(), r.toString());
        String text = """
                .license "GPL"
                SEC("struct_ops/test_epilogue")
                t:
                    r2 = m ll
                    r3 = 0
                    call bpf_tail_call
                    r0 = 0
                    exit
                """;
        ProgLoader.ProgSource src = ProgLoader.parse(text, "t.s");
        int maps = k.sk.maps().list().size();
        // a struct_ops map is no program's map (check_map_prog_compatibility())
        ProgLoadResult res = k.pk.progs().load(ProgLoader.toAttr(src, Optional.empty(), 1, k.pk.services(), n -> 2));
        assertEquals(Errno.EINVAL, res.errno().orElseThrow(), res.log());
        assertTrue(res.log().startsWith("bpf_struct_ops map cannot be used in prog\n"), res.log());
        // no such map
        res = k.pk.progs().load(ProgLoader.toAttr(src, Optional.empty(), 1, k.pk.services(), n -> 99));
        assertEquals(Errno.EBADF, res.errno().orElseThrow(), res.log());
        assertTrue(res.log().contains("fd 99 is not pointing to valid bpf_map"), res.log());
        // a program of another type cannot use a struct_ops-owned prog array: there is none in the
        // model (a syscall program is sleepable, and sleepable programs may not use prog arrays)
        String sys = """
                .license "GPL"
                SEC("syscall")
                s:
                    r2 = m ll
                    r3 = 0
                    call bpf_tail_call
                    r0 = 0
                    exit
                """;
        res = k.pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(sys, "s.s"), Optional.empty(), 1, k.pk.services(), n -> 1));
        assertEquals(Errno.EINVAL, res.errno().orElseThrow(), res.log());
        assertTrue(res.log().startsWith("Sleepable programs can only use array, hash, ringbuf and local storage maps\n"), res.log());
        // the failed loads put the references they took
        assertEquals(maps, k.sk.maps().list().size());
        for (BpfMap m : k.sk.maps().list()) {
            assertEquals(m.id() == 1 ? 2 : 1, m.refcnt(), "map " + m.id());
        }
    }
}
