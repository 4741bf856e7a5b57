package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;
import org.junit.jupiter.api.Test;

/**
 * may_goto (v6.12): verified as check_cond_jmp_op() does (the target first, each fall-through a
 * deeper iteration, converging in is_state_visited()) and rewritten by do_misc_fixups() into a
 * countdown in a stack slot below the subprogram's stack. The verdicts and processed counts of
 * may_goto loops are checked against the live kernel in the differential corpus (maygoto_*); the
 * rewrite is checked here against the v6.12 source, since the live x86 kernel (6.15+) emits its
 * timed may_goto instead.
 */
class MayGotoTest {
    private static ProgLoadResult load(TestKernel k, String body) {
        return k.load(RejectionTest.prog(body));
    }

    @Test
    void aCountedLoopConvergesAndIsRewrittenToAStackCountdown() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = load(k, "r6 = 0\nr0 = 0\nmay_goto +2\nr6 += 1\ngoto -3\n*(u64 *)(r10 -8) = r6\nexit");
        assertTrue(r.ok(), r.log());
        List<String> x = Disassembler.dump(r.prog().prepareDump(), Disassembler.Style.SELFTEST, Disassembler.NONE);
        // stack_depth 8 (fp-8) grows to 16: the counter lives at fp-16, set to BPF_MAX_LOOPS on entry
        assertEquals(List.of(
                "0: *(u64 *)(r10 -16) = 8388608",
                "1: r6 = 0",
                "2: r0 = 0",
                "3: r11 = *(u64 *)(r10 -16)",
                "4: if r11 == 0x0 goto pc+4",
                "5: r11 -= 1",
                "6: *(u64 *)(r10 -16) = r11",
                "7: r6 += 1",
                "8: goto pc-6",
                "9: *(u64 *)(r10 -8) = r6",
                "10: exit"), x);
        assertEquals(16, r.prog().aux().stackDepths()[0]);
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void theRewrittenLoopRunsBpfMaxLoopsTimes() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        // a loop with no other exit: the countdown ends it after BPF_MAX_LOOPS iterations
        ProgLoadResult r = load(k, "r6 = 0\nmay_goto +2\nr6 += 1\ngoto -3\nr0 = r6\nexit");
        assertTrue(r.ok(), r.log());
        Memory m = new Memory();
        Region ctx = m.allocate("ctx", 8, Region.Access.READ_ONLY);
        Outcome o = new Vm(m, org.bpfosgi.vm.Bindings.NONE, new Vm.Options(60_000_000))
                .run(ProgRunner.prepare(r.prog(), k.registry.kallsyms()), ctx.start());
        assertTrue(o instanceof Exit, o.toString());
        assertEquals(FixupMayGoto.BPF_MAX_LOOPS, ((Exit) o).r0(), o.toString());
        k.progs.free(r.prog().id());
    }

    @Test
    void theLevel2LogShowsItAsTheKernelDisassemblesIt() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nmay_goto +1\nr0 = 1\nexit"), 2));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("1: (e5) may_goto pc+1\n"), r.log());
        // the target first, then the fall-through (pushed with may_goto_depth 1)
        assertTrue(r.log().contains("from 1 to 2: "), r.log());
        k.progs.free(r.prog().id());
    }

    @Test
    void theFieldsAreCheckedWhenDoCheckReachesIt() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        // v6.12 refuses off 0 ("bpf: Allow 'may_goto 0' instruction in verifier" allows it in 6.14)
        ProgLoadResult r = load(k, "r0 = 0\nmay_goto +0\nexit");
        assertEquals(false, r.ok());
        assertTrue(r.log().contains("invalid may_goto off 0 imm 0\n"), r.log());
        assertTrue(r.log().contains("processed 2 insns"), r.log());
    }

    @Test
    void aLoopWithoutProgressIsStillAnInfiniteLoop() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = load(k, "r0 = 0\nmay_goto -1\nexit");
        assertEquals(false, r.ok());
        assertTrue(r.log().contains("infinite loop detected at insn 1\n"), r.log());
    }
}
