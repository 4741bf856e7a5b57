package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.junit.jupiter.api.Test;

class InsnPatcherTest {

    private static List<Insn> asm(String src) { return Assembler.assemble(src, "t.s").insns(); }

    /** progs/pro_epilogue_goto_start.c with a 4-instruction prologue. */
    @Test
    void workedExampleOfTheSpec() {
        List<Insn> body = asm(String.join("\n",
            "if r1 == 0 goto +5", "if r1 == 1 goto +2", "r1 = 1", "goto -3", "r1 = 0", "goto -6", "r0 = 0", "exit"));
        List<Insn> prologue = insns(
            BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 0),
            BPF_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_6, 0),
            BPF_ALU64_IMM(BPF_ADD, BPF_REG_7, 1000),
            BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_7, 0),
            body.get(0));
        List<Insn> patched = InsnPatcher.patchInsnSingle(body, 0, prologue);
        assertEquals(BPF_JMP_A(-10), patched.get(9)); // "goto -6" now lands on the prologue start
        List<Insn> adjusted = InsnPatcher.adjustJmpOff(patched, 0, 4);
        List<String> got = Disassembler.dump(adjusted, Disassembler.Style.SELFTEST, Disassembler.NONE);
        assertEquals(List.of("0: r6 = *(u64 *)(r1 +0)", "1: r7 = *(u64 *)(r6 +0)", "2: r7 += 1000", "3: *(u64 *)(r6 +0) = r7",
            "4: if r1 == 0x0 goto pc+5", "5: if r1 == 0x1 goto pc+2", "6: r1 = 1", "7: goto pc-3", "8: r1 = 0",
            "9: goto pc-6", "10: r0 = 0", "11: exit"), got);
    }

    @Test
    void callsAndGotolAreRelocatedHelperCallsAreNot() {
        List<Insn> p = insns(BPF_CALL_REL(3), BPF_JMP32_A(2), BPF_EMIT_CALL(1), BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN());
        List<Insn> q = InsnPatcher.patchInsnSingle(p, 2, List.of(BPF_MOV64_IMM(1, 1), BPF_EMIT_CALL(1)));
        assertEquals(BPF_CALL_REL(4), q.get(0));
        assertEquals(BPF_JMP32_A(3), q.get(1));
        assertEquals(BPF_EMIT_CALL(1), q.get(3));
    }

    @Test
    void overflowIsErange() {
        List<Insn> p = insns(BPF_JMP_A(1), BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN());
        Insn[] big = new Insn[Short.MAX_VALUE + 1]; // ja +1 becomes ja +32768
        java.util.Arrays.fill(big, BPF_MOV64_IMM(0, 0));
        KernelException e = assertThrows(KernelException.class, () -> InsnPatcher.patchInsnSingle(p, 1, List.of(big)));
        assertEquals(Errno.ERANGE, e.errno());
    }
}
