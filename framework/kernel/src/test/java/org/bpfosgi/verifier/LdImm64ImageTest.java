package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.bpfosgi.isa.Disassembler;
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
 * An ld_imm64 keeps both slots in the xlated image (do_check()'s sanitize_mark_insn_seen() on
 * the second slot, so opt_remove_dead_code() leaves it alone): the dump skips index 1 of the
 * pair, later indexes are the original ones, and the interpreter runs the same image.
 */
class LdImm64ImageTest {
    private final TestKernel k = new TestKernel();

    LdImm64ImageTest() {
        k.loadTestmod();
    }

    private BpfProg load(String body) {
        ProgLoadResult r = k.load(RejectionTest.prog(body));
        assertTrue(r.ok(), r.log());
        return r.prog();
    }

    private static List<String> dump(BpfProg p) {
        return Disassembler.dump(p.insns(), Disassembler.Style.BPFTOOL, Disassembler.NONE);
    }

    /** Runs with ctx[0] pointing at a {@code struct st_ops_args} holding {@code a}. */
    private long run(BpfProg p, long a) {
        Memory m = new Memory();
        Region args = m.allocate("st_ops_args", 8, Region.Access.READ_WRITE);
        m.st64(args.start(), a);
        Region ctx = m.map("ctx", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(args.start()).array(),
                Region.Access.READ_ONLY);
        Outcome o = new Vm(m, Bindings.NONE).run(ProgRunner.prepare(p, k.registry.kallsyms()), ctx.start());
        assertTrue(o instanceof Exit, o.toString());
        return ((Exit) o).r0();
    }

    @Test
    void ldImm64AtInsnZeroKeepsItsSecondSlot() {
        BpfProg p = load("r2 = 0x123456789 ll\nr0 = 1\nexit");
        assertEquals(4, p.insns().size());
        assertEquals(new Insn(0, 0, 0, 0, 1), p.insns().get(1), "the upper half of 0x123456789");
        assertEquals(List.of("   0: (18) r2 = 0x123456789", "   2: (b7) r0 = 1", "   3: (95) exit"), dump(p));
        assertEquals(1, run(p, 0));
        // the live 6.18 kernel's bpftool prog dump xlated ... opcodes (kernel-diff/ldimm64-xlated.sh)
        assertEquals(TestKernel.resource("/org/bpfosgi/verifier/ldimm64-xlated-6.18.txt"),
                String.join("\n", Disassembler.dump(p.insns(), Disassembler.Style.BPFTOOL_OPCODES, Disassembler.NONE)) + "\n");
        k.progs.free(p.id());
        k.assertNoReferencesLeft();
    }

    @Test
    void ldImm64RightBeforeAnExit() {
        BpfProg p = load("r0 = 0x100000002 ll\nexit");
        assertEquals(List.of("   0: (18) r0 = 0x100000002", "   2: (95) exit"), dump(p));
        assertEquals(0x100000002L, run(p, 0));
    }

    @Test
    void ldImm64AsAJumpTarget() {
        BpfProg p = load(String.join("\n",
                "r1 = *(u64 *)(r1 +0)",
                "r2 = *(u64 *)(r1 +0)",
                "if r2 == 0x0 goto +2",
                "r0 = 1",
                "exit",
                "r0 = 0x200000003 ll",
                "exit"));
        assertEquals(List.of(
                "   0: (79) r1 = *(u64 *)(r1 +0)",
                "   1: (79) r2 = *(u64 *)(r1 +0)",
                "   2: (15) if r2 == 0x0 goto pc+2",
                "   3: (b7) r0 = 1",
                "   4: (95) exit",
                "   5: (18) r0 = 0x200000003",
                "   7: (95) exit"), dump(p));
        assertEquals(0x200000003L, run(p, 0));
        assertEquals(1, run(p, 5));
    }
}
