package org.bpfosgi.verifier;

import static org.bpfosgi.verifier.KsymTest.assertRejected;
import static org.bpfosgi.verifier.KsymTest.ld;
import static org.bpfosgi.verifier.KsymTest.ldxW;
import static org.bpfosgi.verifier.KsymTest.load;
import static org.bpfosgi.verifier.KsymTest.prog;
import static org.bpfosgi.verifier.KsymTest.vmlinuxId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Bpf;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;
import org.junit.jupiter.api.Test;

/**
 * bpf_this_cpu_ptr() and bpf_per_cpu_ptr() on per-cpu ksyms (v6.12): the protos
 * (kernel/bpf/helpers.c), check_func_arg()'s ARG_PTR_TO_PERCPU_BTF_ID (percpu_btf_ptr_types,
 * check_func_arg_reg_off()), check_helper_call()'s RET_PTR_TO_MEM_OR_BTF_ID (a struct: a BTF
 * pointer without MEM_RDONLY; anything else: read-only memory of its size; bpf_per_cpu_ptr's
 * maybe NULL), and the helpers' bodies in the interpreter (one CPU).
 */
class PerCpuPtrTest {
    static final int PER_CPU_PTR = 153;
    static final int THIS_CPU_PTR = 154;
    /** offsetof(struct rq, cpu) in KsymTest.VMLINUX_PERCPU_VARS's struct rq. */
    static final int RQ_CPU = 28;

    static Insn call(int id) {
        return new Insn(Bpf.BPF_JMP | Bpf.BPF_CALL, 0, 0, 0, id);
    }

    static Insn movImm(int dst, int imm) {
        return new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_K, dst, 0, 0, imm);
    }

    static Insn movReg(int dst, int src) {
        return new Insn(Bpf.BPF_ALU64 | Bpf.BPF_MOV | Bpf.BPF_X, dst, src, 0, 0);
    }

    static Insn addImm(int dst, int imm) {
        return new Insn(Bpf.BPF_ALU64 | Bpf.BPF_ADD | Bpf.BPF_K, dst, 0, 0, imm);
    }

    /** if rDST == 0 goto +off */
    static Insn jeq0(int dst, int off) {
        return new Insn(Bpf.BPF_JMP | Bpf.BPF_JEQ | Bpf.BPF_K, dst, 0, off, 0);
    }

    static Insn exit() {
        return new Insn(Bpf.BPF_JMP | Bpf.BPF_EXIT, 0, 0, 0, 0);
    }

    @Test
    void thisCpuPtrOfAStructIsABtfPointerAndOfAnIntReadOnlyMemory() {
        TestKernel k = KsymTest.kernel();
        k.loadTestmod();
        int rq = vmlinuxId(k, "runqueues", BtfKind.VAR);
        int active = vmlinuxId(k, "bpf_prog_active", BtfKind.VAR);
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 2).withInsns(prog(
                ld(1, rq, 0), List.of(call(THIS_CPU_PTR), ldxW(6, 0, RQ_CPU)),
                ld(1, active, 0), List.of(call(THIS_CPU_PTR), ldxW(7, 0, 0)))));
        assertTrue(r.ok(), r.log());
        // RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY: struct rq → PTR_TO_BTF_ID (MEM_RDONLY folded), not null
        assertTrue(r.log().contains("R0_w=ptr_rq()") || r.log().contains("R0=ptr_rq()"), r.log());
        // int → PTR_TO_MEM | MEM_RDONLY of btf_resolve_size(int) = 4
        assertTrue(r.log().contains("R0_w=rdonly_mem(sz=4)") || r.log().contains("R0=rdonly_mem(sz=4)"), r.log());
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void aWriteThroughTheReadOnlyResultIsRefused() {
        TestKernel k = KsymTest.kernel();
        k.loadTestmod();
        int active = vmlinuxId(k, "bpf_prog_active", BtfKind.VAR);
        assertRejected(k, prog(ld(1, active, 0), List.of(call(THIS_CPU_PTR),
                new Insn(Bpf.BPF_ST | Bpf.BPF_MEM | Bpf.BPF_W, 0, 0, 0, 7))),
                Errno.EACCES, "R0 cannot write into rdonly_mem");
        // past the int's 4 bytes
        assertRejected(k, prog(ld(1, active, 0), List.of(call(THIS_CPU_PTR), ldxW(0, 0, 4))),
                Errno.EACCES, "R0 min value is outside of the allowed memory range");
    }

    @Test
    void perCpuPtrsResultMustBeCheckedForNull() {
        TestKernel k = KsymTest.kernel();
        k.loadTestmod();
        int rq = vmlinuxId(k, "runqueues", BtfKind.VAR);
        int active = vmlinuxId(k, "bpf_prog_active", BtfKind.VAR);
        assertRejected(k, prog(ld(1, rq, 0), List.of(movImm(2, 0), call(PER_CPU_PTR), ldxW(0, 0, RQ_CPU))),
                Errno.EACCES, "R0 invalid mem access 'ptr_or_null_'");
        assertRejected(k, prog(ld(1, active, 0), List.of(movImm(2, 0), call(PER_CPU_PTR), ldxW(0, 0, 0))),
                Errno.EACCES, "R0 invalid mem access 'rdonly_mem_or_null'");
        // with the check: accepted, both kinds
        ProgLoadResult r = load(k, prog(ld(1, rq, 0), List.of(movImm(2, 0), call(PER_CPU_PTR), jeq0(0, 1), ldxW(6, 0, RQ_CPU)),
                ld(1, active, 0), List.of(movImm(2, 0), call(PER_CPU_PTR), jeq0(0, 1), ldxW(6, 0, 0))));
        assertTrue(r.ok(), r.log());
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void theArgumentMustBeAnUnmodifiedPercpuBtfPointer() {
        TestKernel k = new TestKernel(KsymTest.VMLINUX_PERCPU_VARS + "extern struct rq model_rq;\nextern int model_int_var;\n");
        k.loadTestmod();
        int rq = vmlinuxId(k, "runqueues", BtfKind.VAR);
        String expected = " expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_";
        // check_reg_type() against percpu_btf_ptr_types
        assertRejected(k, prog(List.of(call(THIS_CPU_PTR))), Errno.EACCES, "R1 type=ctx" + expected);
        assertRejected(k, prog(List.of(movImm(1, 0), call(THIS_CPU_PTR))), Errno.EACCES, "R1 type=scalar" + expected);
        assertRejected(k, prog(ld(1, vmlinuxId(k, "model_rq", BtfKind.VAR), 0), List.of(call(THIS_CPU_PTR))),
                Errno.EACCES, "R1 type=ptr_" + expected);
        assertRejected(k, prog(ld(1, vmlinuxId(k, "model_int_var", BtfKind.VAR), 0), List.of(movImm(2, 0), call(PER_CPU_PTR))),
                Errno.EACCES, "R1 type=rdonly_mem" + expected);
        // this_cpu_ptr's result is not per-cpu any more
        assertRejected(k, prog(ld(1, rq, 0), List.of(call(THIS_CPU_PTR), movReg(1, 0), call(THIS_CPU_PTR))),
                Errno.EACCES, "R1 type=ptr_" + expected);
        // check_func_arg_reg_off(): __check_ptr_off_reg(.., fixed_off_ok = false)
        assertRejected(k, prog(ld(1, rq, 0), List.of(addImm(1, 8), call(THIS_CPU_PTR))),
                Errno.EACCES, "dereference of modified percpu_ptr_ ptr R1 off=8 disallowed");
        assertRejected(k, prog(ld(1, rq, 0), List.of(addImm(1, -8), movImm(2, 0), call(PER_CPU_PTR))),
                Errno.EACCES, "negative offset percpu_ptr_ ptr R1 off=-8 disallowed");
        // bpf_per_cpu_ptr's cpu is ARG_ANYTHING: any initialised register
        assertRejected(k, prog(ld(1, rq, 0), List.of(call(PER_CPU_PTR))), Errno.EACCES, "R2 !read_ok");
    }

    /** Runs {@code p} with R1 = ctx → {struct st_ops_args}, in {@code m}. */
    private static long run(TestKernel k, BpfProg p, Memory m) {
        Region args = m.allocate("st_ops_args", 8, Region.Access.READ_WRITE);
        Region ctx = m.map("ctx", java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(args.start()).array(), Region.Access.READ_ONLY);
        Outcome o = new Vm(m, Bindings.NONE).run(ProgRunner.prepare(p, k.registry.kallsyms()), ctx.start());
        assertTrue(o instanceof Exit, o.toString());
        return ((Exit) o).r0();
    }

    @Test
    void inTheVmBothGiveCpu0sCopyAndPerCpuPtrOfAnotherCpuIsNull() {
        TestKernel k = KsymTest.kernel();
        k.loadTestmod();
        int rq = vmlinuxId(k, "runqueues", BtfKind.VAR);
        int active = vmlinuxId(k, "bpf_prog_active", BtfKind.VAR);
        // r6 = this_cpu_ptr(&runqueues); r7 = per_cpu_ptr(&runqueues, 0); if (r6 != r7) return 1;
        // if (per_cpu_ptr(&runqueues, 1)) return 2; return *this_cpu_ptr(&bpf_prog_active) + rq->cpu
        List<Insn> insns = new ArrayList<>();
        insns.addAll(ld(1, rq, 0));
        insns.addAll(List.of(call(THIS_CPU_PTR), movReg(6, 0)));
        insns.addAll(ld(1, rq, 0));
        insns.addAll(List.of(movImm(2, 0), call(PER_CPU_PTR), movReg(7, 0),
                new Insn(Bpf.BPF_JMP | Bpf.BPF_JEQ | Bpf.BPF_X, 6, 7, 2, 0), movImm(0, 1), exit()));
        insns.addAll(ld(1, rq, 0));
        insns.addAll(List.of(movImm(2, 1), call(PER_CPU_PTR), jeq0(0, 2), movImm(0, 2), exit()));
        insns.addAll(ld(1, active, 0));
        insns.addAll(List.of(call(THIS_CPU_PTR), ldxW(0, 0, 0), ldxW(8, 6, RQ_CPU),
                new Insn(Bpf.BPF_ALU64 | Bpf.BPF_ADD | Bpf.BPF_X, 0, 8, 0, 0), exit()));
        ProgLoadResult r = load(k, insns);
        assertTrue(r.ok(), r.log());
        Memory m = new Memory();
        assertEquals(0, run(k, r.prog(), m), "CPU 0's area is zeroed; per_cpu_ptr(.., 0) is this_cpu_ptr(); cpu 1 >= nr_cpu_ids");
        // the per-cpu area the first run mapped: CPU 0's copies of bpf_prog_active and runqueues.cpu
        Region area = m.regions().stream().filter(x -> x.name().equals("per-cpu area of CPU 0")).findFirst().orElseThrow();
        long ks = area.start();
        m.st32(ks + k.registry.kallsyms().lookupName("bpf_prog_active"), 40);
        m.st32(ks + k.registry.kallsyms().lookupName("runqueues") + RQ_CPU, 2);
        assertEquals(42, run(k, r.prog(), m));
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }
}
