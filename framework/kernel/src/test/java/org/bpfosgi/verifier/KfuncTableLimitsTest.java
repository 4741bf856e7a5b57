package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Macros;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.Test;

/**
 * MAX_KFUNC_BTFS and MAX_KFUNC_DESCS: the same module BTF at many fd_array
 * indices gives one kfunc_btf_tab entry — one module reference — per index, until the table is
 * full; every reference goes back when the load fails.
 */
class KfuncTableLimitsTest {
    private static List<Insn> calls(int inc10, int firstOff, int count, Insn extra) {
        List<Insn> insns = new ArrayList<>();
        for (int off = firstOff; off < firstOff + count; off++) {
            insns.add(Macros.BPF_CALL_KFUNC(off, inc10));
        }
        if (extra != null) {
            insns.add(extra);
        }
        insns.add(Macros.BPF_MOV64_IMM(0, 0));
        insns.add(Macros.BPF_EXIT_INSN());
        return insns;
    }

    private static BpfProgLoadAttr attr(TestKernel k, List<Insn> insns, int fds) {
        BpfProgLoadAttr a = k.attr(RejectionTest.prog("r0 = 0\nexit"), 1);
        List<BtfObject> fdArray = new ArrayList<>();
        fdArray.add(null);
        for (int i = 0; i < fds; i++) {
            fdArray.add(k.testmodBtf);
        }
        return new BpfProgLoadAttr(a.progType(), insns, a.license(), a.name(), a.attachBtf(), a.attachBtfId(),
                a.expectedAttachType(), fdArray, 1, 0, BpfProgLoadAttr.CAPS_ROOT);
    }

    @Test
    void tooManyModuleBtfs() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        int inc10 = k.testmodBtf.btf().findByNameKind("bpf_kfunc_st_ops_inc10", BtfKind.FUNC);
        int[] peak = {0};
        k.modules.setPointHook(p -> peak[0] = Math.max(peak[0], k.testmod.refcount()));
        ProgLoadResult r = k.progs.load(attr(k, calls(inc10, 1, FindKfuncDescBtf.MAX_KFUNC_BTFS + 1, null),
                FindKfuncDescBtf.MAX_KFUNC_BTFS + 1));
        k.modules.setPointHook(null);
        assertEquals(Errno.E2BIG, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("too many different module BTFs\nfailed to find BTF for kernel function\n"), r.log());
        assertEquals(FindKfuncDescBtf.MAX_KFUNC_BTFS, peak[0], "one module reference per fd_array index");
        k.assertNoReferencesLeft();
    }

    @Test
    void tooManyKfuncDescs() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        int inc10 = k.testmodBtf.btf().findByNameKind("bpf_kfunc_st_ops_inc10", BtfKind.FUNC);
        int fromId = k.btfs.vmlinux().btf().findByNameKind("bpf_cgroup_from_id", BtfKind.FUNC);
        ProgLoadResult r = k.progs.load(attr(k, calls(inc10, 1, AddKfuncCall.MAX_KFUNC_DESCS, Macros.BPF_CALL_KFUNC(0, fromId)),
                AddKfuncCall.MAX_KFUNC_DESCS));
        assertEquals(Errno.E2BIG, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("too many different kernel function calls\n"), r.log());
        k.assertNoReferencesLeft();
    }

    @Test
    void descriptorsAreSortedAndDeduplicated() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        int inc10 = k.testmodBtf.btf().findByNameKind("bpf_kfunc_st_ops_inc10", BtfKind.FUNC);
        // the same kfunc through fd_array indices 2 and 1 (two entries, two references), twice each
        List<Insn> insns = new ArrayList<>();
        insns.add(Macros.BPF_LDX_MEM(org.bpfosgi.isa.Bpf.BPF_DW, 6, 1, 0));
        for (int off : new int[] {2, 1, 2, 1}) {
            insns.add(Macros.BPF_MOV64_REG(1, 6));
            insns.add(Macros.BPF_CALL_KFUNC(off, inc10));
        }
        insns.add(Macros.BPF_MOV64_IMM(0, 0));
        insns.add(Macros.BPF_EXIT_INSN());
        ProgLoadResult r = k.progs.load(attr(k, insns, 2));
        assertTrue(r.ok(), r.log());
        assertEquals(2, r.prog().aux().kfuncTab().size());
        assertEquals(List.of(1, 2), r.prog().aux().kfuncBtfTab().stream().map(KfuncBtf::offset).toList());
        assertEquals(2, k.testmod.refcount());
        // after do_misc_fixups: sorted by (imm, offset); same function, so by offset
        assertEquals(List.of(1, 2), r.prog().aux().kfuncTab().stream().map(KfuncDesc::offset).toList());
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }
}
