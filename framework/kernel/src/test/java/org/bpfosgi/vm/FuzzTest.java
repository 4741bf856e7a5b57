package org.bpfosgi.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bpfosgi.isa.Assembler;
import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.InsnValidator;
import org.bpfosgi.isa.Program;
import org.junit.jupiter.api.Test;

/**
 * Seeded random programs: whatever the bytes, the interpreter ends in an Exit or an Oops (never a
 * Java exception, never a hang past its limit), the disassembler prints something, and every
 * single instruction the validator accepts assembles back from its printed text.
 */
class FuzzTest {
    /** Opcodes that exist, so that random programs get past the first instruction. */
    private static final int[] CODES = {
        0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87, 0x97, 0x9f,
        0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c,
        0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc, 0x18, 0x61, 0x69, 0x71,
        0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0x05, 0x06, 0x15, 0x1d, 0x25,
        0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0x7d, 0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd,
        0x16, 0x1e, 0x26, 0x2e, 0x36, 0x3e, 0x46, 0x4e, 0x56, 0x5e, 0x66, 0x6e, 0x76, 0x7e, 0xa6, 0xae, 0xb6, 0xbe, 0xc6,
        0xce, 0xd6, 0xde, 0x85, 0x95, 0x8d, 0xe5, 0x20, 0x28, 0x30, 0x40, 0x00, 0xff};
    private static final int[] IMMS = {0, 1, -1, 8, 16, 32, 64, 7, 0x7fffffff, Integer.MIN_VALUE, 0xf1, 0xe1, 0x101, 3};

    private static Insn random(SplittableRandom r) {
        int code = CODES[r.nextInt(CODES.length)];
        int dst = r.nextInt(10) == 0 ? r.nextInt(16) : r.nextInt(11);
        int src = r.nextInt(10) == 0 ? r.nextInt(16) : r.nextInt(11);
        int off = r.nextBoolean() ? r.nextInt(-4, 5) : (short) r.nextInt();
        int imm = r.nextBoolean() ? IMMS[r.nextInt(IMMS.length)] : r.nextInt();
        return new Insn(code, dst, src, r.nextInt(4) == 0 ? off : r.nextInt(-3, 4), imm);
    }

    @Test
    void interpreterNeverThrows() {
        SplittableRandom r = new SplittableRandom(42);
        Bindings b = Bindings.builder().helper(1, (c, a1, a2, a3, a4, a5) -> c.memory().ld64(a1)).build();
        Memory mem = new Memory();
        Region ctx = mem.allocate("ctx", 64, Region.Access.READ_WRITE);
        Vm vm = new Vm(mem, b, new Vm.Options(1_000));
        int exits = 0;
        for (int n = 0; n < 5_000; n++) {
            List<Insn> p = new ArrayList<>();
            int len = 1 + r.nextInt(24);
            for (int i = 0; i < len; i++) p.add(random(r));
            if (r.nextBoolean()) p.add(new Insn(0x95, 0, 0, 0, 0));
            Outcome o = vm.run(LoadedProgram.load(Program.of(p), b), ctx.start(), r.nextLong(), 0, 0, 0);
            assertNotNull(o);
            if (o instanceof Exit) exits++;
            for (int i = 0; i < p.size(); i++) assertNotNull(Disassembler.print(p.get(i), i + 1 < p.size() ? p.get(i + 1) : null));
        }
        assertTrue(exits > 100, "only " + exits + " random programs exited normally");
    }

    @Test
    void validInstructionsRoundTripThroughText() {
        SplittableRandom r = new SplittableRandom(7);
        int checked = 0;
        for (int n = 0; n < 50_000; n++) {
            Insn i = random(r);
            // ld_imm64 prints like a mov, "call name" and "call kernel-function" drop the imm: not one meaning
            if (i.isLdImm64() || i.isCall() && i.src() != 1 || i.code() == 0x8d) continue;
            List<Insn> p = List.of(i, new Insn(0x95, 0, 0, 0, 0), new Insn(0x95, 0, 0, 0, 0), new Insn(0x95, 0, 0, 0, 0),
                new Insn(0x95, 0, 0, 0, 0), new Insn(0x95, 0, 0, 0, 0));
            if (InsnValidator.validate(p, false).isPresent()) continue;
            String text = Disassembler.xlated(i, null);
            assertEquals(List.of(i), Assembler.assemble(text, "fuzz.s").insns(), text);
            checked++;
        }
        assertTrue(checked > 1000, "only " + checked + " valid instructions checked");
    }
}
