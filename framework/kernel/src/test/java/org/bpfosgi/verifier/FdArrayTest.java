package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.structops.BpfMapType;
import org.bpfosgi.structops.MapCreateAttr;
import org.junit.jupiter.api.Test;

/**
 * fd_array holds fds of either kind, as the kernel's does: BTF fds that kfunc calls name by
 * their {@code off} (__find_kfunc_desc_btf()), and map fds that BPF_PSEUDO_MAP_IDX /
 * MAP_IDX_VALUE ld_imm64s name by their imm (resolve_pseudo_ldimm64(), v6.12); a fd of the
 * wrong kind is refused with the kernel's errno.
 */
class FdArrayTest {
    static List<Insn> ldIdx(int dst, int src, int idx, int off) {
        return List.of(new Insn(Bpf.BPF_LD | Bpf.BPF_IMM | Bpf.BPF_DW, dst, src, 0, idx), new Insn(0, 0, 0, 0, off));
    }

    static BpfProgLoadAttr attr(BpfProgLoadAttr a, List<Insn> insns, List<?> fdArray) {
        return new BpfProgLoadAttr(a.progType(), insns, a.license(), a.name(), a.attachBtf(), a.attachBtfId(),
                a.expectedAttachType(), fdArray, 1, 0, BpfProgLoadAttr.CAPS_ROOT);
    }

    private final TestKernel k = new TestKernel();

    FdArrayTest() {
        k.loadTestmod();
    }

    private int arrayMap() {
        return k.createMap(MapCreateAttr.of(BpfMapType.ARRAY, "arr", 4, 48, 4, 0));
    }

    private BpfProgLoadAttr base() {
        return k.attr(RejectionTest.prog("r0 = 0\nexit"), 1);
    }

    private static List<Insn> prog(List<Insn> body) {
        List<Insn> l = new ArrayList<>(body);
        l.add(new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, 0, 0, 0, 0));
        l.add(new Insn(Bpf.BPF_JMP | Bpf.BPF_EXIT, 0, 0, 0, 0));
        return l;
    }

    @Test
    void aMapIdxLoadReadsTheMapFdFromFdArray() {
        int map = arrayMap();
        // fd_array = {BTF of bpf_testmod, map}: the ld_imm64 names index 1
        ProgLoadResult r = k.progs.load(attr(base(), prog(ldIdx(1, Bpf.BPF_PSEUDO_MAP_IDX, 1, 0)),
                Arrays.asList(k.testmodBtf, map)).withLogLevel(2));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("R1=map_ptr("), r.log());
        assertEquals(1, r.prog().aux().usedMaps().size());
        assertEquals(map, r.prog().aux().usedMaps().get(0).id());
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void aMapIdxValueLoadIsAPointerIntoTheValue() {
        int map = arrayMap();
        var m = k.runtime().maps().createGlobalData("data", 16, null, MapCreateAttr.BPF_F_MMAPABLE, false).map().id();
        ProgLoadResult r = k.progs.load(attr(base(), prog(ldIdx(1, Bpf.BPF_PSEUDO_MAP_IDX_VALUE, 2, 8)),
                Arrays.asList(null, map, m)).withLogLevel(2));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("R1=map_value(map=data,ks=4,vs=16,off=8)"), r.log());
        k.progs.free(r.prog().id());
    }

    @Test
    void anFdOfTheWrongKindIsRefused() {
        ProgLoadResult r = k.progs.load(attr(base(), prog(ldIdx(1, Bpf.BPF_PSEUDO_MAP_IDX, 0, 0)), List.of(k.testmodBtf)));
        assertFalse(r.ok());
        assertEquals(Errno.EINVAL, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("fd " + k.testmodBtf.id() + " is not pointing to valid bpf_map\n"), r.log());
        r = k.progs.load(attr(base(), prog(ldIdx(1, Bpf.BPF_PSEUDO_MAP_IDX, 0, 0)), Arrays.asList((Object) null)));
        assertEquals(Errno.EBADF, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("fd -1 is not pointing to valid bpf_map\n"), r.log());
        // a map fd the map table does not know (the model's map fds are ids)
        r = k.progs.load(attr(base(), prog(ldIdx(1, Bpf.BPF_PSEUDO_MAP_IDX, 0, 0)), List.of(4242)));
        assertEquals(Errno.EBADF, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("fd 4242 is not pointing to valid bpf_map\n"), r.log());
        // past the end of fd_array: copy_from_bpfptr_offset() -EFAULT, no message
        r = k.progs.load(attr(base(), prog(ldIdx(1, Bpf.BPF_PSEUDO_MAP_IDX, 3, 0)), List.of(4242)));
        assertEquals(Errno.EFAULT, r.errno().orElseThrow(), r.log());
        // a kfunc's off naming a map fd: btf_get_by_fd() on a file that is no BTF, -EINVAL
        int map = arrayMap();
        BpfProgLoadAttr kf = k.attr(RejectionTest.prog(RejectionTest.KFUNC), 1);
        r = k.progs.load(attr(kf, kf.insns(), Arrays.asList(null, map)));
        assertEquals(Errno.EINVAL, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("invalid module BTF fd specified\n"), r.log());
        k.assertNoReferencesLeft();
    }

    @Test
    void oneFdArrayServesKfuncsAndMaps() {
        int map = arrayMap();
        BpfProgLoadAttr kf = k.attr(RejectionTest.prog(RejectionTest.KFUNC), 1);
        List<Insn> insns = new ArrayList<>(ldIdx(6, Bpf.BPF_PSEUDO_MAP_IDX, 2, 0));
        // the kfunc call's off 1 still names the module BTF; its jumps do not cross the new insns
        insns.addAll(kf.insns());
        ProgLoadResult r = k.progs.load(attr(kf, insns, Arrays.asList(null, k.testmodBtf, map)));
        assertTrue(r.ok(), r.log());
        assertEquals(1, r.prog().aux().kfuncBtfTab().size());
        assertEquals(1, r.prog().aux().usedMaps().size());
        assertEquals(1, k.testmod.refcount());
        k.progs.free(r.prog().id());
        assertEquals(0, k.testmod.refcount());
        k.assertNoReferencesLeft();
    }

    @Test
    void anFdArrayEntryMustBeAnFd() {
        BpfProgLoadAttr a = base();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> attr(a, a.insns(), List.of("not an fd")));
    }
}
