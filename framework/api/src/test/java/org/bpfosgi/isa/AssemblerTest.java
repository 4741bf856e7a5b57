package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AssemblerTest {

    private static List<Insn> llvm(String src) { return Assembler.assemble(src, "t.s").insns(); }

    private static Insn one(String src) {
        List<Insn> l = llvm(src);
        assertEquals(1, l.size(), src);
        return l.get(0);
    }

    @Test
    void selftestSyntax() {
        assertEquals(BPF_LDX_MEM(BPF_DW, 1, 1, 0), one("r1 = *(u64 *)(r1 +0)"));
        assertEquals(BPF_LDX_MEM(BPF_DW, 1, 1, 0), one("r1 = *(u64 *)(r1 + 0)"));
        assertEquals(BPF_STX_MEM(BPF_W, 6, 7, 0), one("*(u32 *)(r6 +0) = r7"));
        assertEquals(BPF_ST_MEM(BPF_DW, 10, -8, 0), one("*(u64 *)(r10 -8) = 0"));
        assertEquals(BPF_ALU32_IMM(BPF_MUL, 0, 2), one("w0 *= 2"));
        assertEquals(BPF_ALU64_IMM(BPF_NEG, 0, 0), one("r0 = -r0"));
        assertEquals(BPF_ENDIAN(BPF_TO_BE, 1, 16), one("r1 = be16 r1"));
        assertEquals(BPF_BSWAP(1, 32), one("r1 = bswap32 r1"));
        assertEquals(BPF_MOVSX64_REG(1, 2, 8), one("r1 = (s8)r2"));
        assertEquals(BPF_LDX_MEMSX(BPF_H, 1, 2, 4), one("r1 = *(s16 *)(r2 +4)"));
        assertEquals(BPF_JMP_IMM(BPF_JEQ, 2, 0, 3), one("if r2 == 0 goto +3"));
        assertEquals(BPF_JMP_A(-6), one("goto -6"));
        assertEquals(BPF_JMP32_A(100), one("gotol +100"));
        assertEquals(BPF_ATOMIC_OP(BPF_DW, BPF_ADD, 1, 2, 0), one("lock *(u64 *)(r1 +0) += r2"));
        assertEquals(BPF_ATOMIC_OP(BPF_DW, BPF_ADD | BPF_FETCH, 1, 0, 0), one("r0 = atomic_fetch_add((u64 *)(r1 +0), r0)"));
        assertEquals(BPF_ATOMIC_OP(BPF_DW, BPF_XCHG, 1, 0, 0), one("r0 = xchg_64(r1 +0, r0)"));
        assertEquals(BPF_ATOMIC_OP(BPF_W, BPF_XCHG, 1, 0, 8), one("w0 = xchg32_32(r1 + 8, w0)"));
        assertEquals(BPF_ATOMIC_OP(BPF_DW, BPF_CMPXCHG, 1, 2, 0), one("r0 = cmpxchg_64(r1 +0, r0, r2)"));
        assertEquals(BPF_EXIT_INSN(), one("exit"));
        assertEquals(BPF_ALU64_REG_OFF(BPF_DIV, 0, 1, 1), one("r0 s/= r1"));
        assertEquals(new Insn(BPF_JMP | BPF_CALL | BPF_X, 1, 0, 0, 0), one("callx r1"));
        assertEquals(new Insn(BPF_JMP | BPF_JCOND, 0, 0, 2, 0), one("may_goto +2"));
        assertEquals(BPF_LD_IMM64(1, 0x123), llvm("r1 = 0x123 ll"));
        assertEquals(BPF_LD_IMM64(1, -1), llvm("r1 = 0xffffffffffffffff ll"));
    }

    /** The same source through clang 14's BPF assembler: identical bytes, 71 slots. */
    @Test
    void encodesLikeClang() throws Exception {
        Golden g = Golden.load("clang-14-encoding.golden");
        Program p = Assembler.assemble(g.asm(), "clang.s");
        assertEquals(Insn.decodeAll(g.program()), p.insns());
        assertEquals(71, p.size());
    }

    @Test
    void labelsAndSymbolicCalls() {
        String src = String.join("\n",
            "main:",
            "  r6 = r1",
            "  call bpf_kfunc_st_ops_inc10  // a kfunc",
            "  r1 = r6; call subprog",
            "  if w1 s< 5 goto out",
            "  call bpf_map_lookup_elem",
            "out:",
            "  exit",
            "subprog:",
            "  r0 = 0",
            "  exit");
        Program p = Assembler.assemble(src, "t.s");
        assertEquals(List.of(
            BPF_MOV64_REG(6, 1),
            new Insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0),
            BPF_MOV64_REG(1, 6),
            BPF_CALL_REL(3),
            BPF_JMP32_IMM(BPF_JSLT, 1, 5, 1),
            BPF_EMIT_CALL(1),
            BPF_EXIT_INSN(),
            BPF_MOV64_IMM(0, 0),
            BPF_EXIT_INSN()), p.insns());
        assertEquals(List.of(new Reloc(1, Reloc.Kind.KFUNC, "bpf_kfunc_st_ops_inc10"), new Reloc(3, Reloc.Kind.SUBPROG, "subprog"),
            new Reloc(5, Reloc.Kind.HELPER, "bpf_map_lookup_elem")), p.relocs());
        assertEquals(7, p.labels().get("subprog"));
        Program r = p.resolve(name -> new Program.KfuncRef(12345, 1));
        assertEquals(BPF_CALL_KFUNC(1, 12345), r.get(1));
        assertEquals("call kernel-function", Disassembler.xlated(r.get(1), null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "r1 = r11|1|6|invalid register 'r11'",
        "frob r1|1|1|unknown instruction 'frob r1'",
        "goto nowhere|1|6|unknown label 'nowhere'",
        "r0 = 0\\nr0 = *(u64 *)(w1 +0)|2|15|a memory base must be a 64-bit register",
        "w0 += r1|1|7|operands must both be",
        "r1 = 0x1ffffffff|1|6|does not fit in 32 bits",
        "a:\\na:|2|1|duplicate label 'a'",
        ".frobnicate|1|1|unknown directive",
    })
    void llvmErrorsAreLocated(String src, int line, int col, String msg) {
        AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble(src.replace("\\n", "\n"), "x.s"));
        assertTrue(e.getMessage().startsWith("x.s:" + line + ":" + col + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(msg), e.getMessage());
    }

    /** assemble(disassemble(p)) == p, on the kernel-verified program, for every line with one meaning. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"kernel-6.18-verifier-log.golden", "kernel-6.18-verifier-log-ldabs-maps.golden",
        "kernel-6.18-bpftool-xlated.golden", "kernel-6.18-bpftool-xlated-maps.golden"})
    void roundTripsKernelText(String golden) throws Exception {
        List<Insn> p = Insn.decodeAll(Golden.load(golden).program());
        int checked = 0;
        for (int i = 0; i < p.size(); i++) {
            Insn insn = p.get(i);
            if (insn.isLdImm64()) { i++; continue; } // "r1 = 0x123" would read back as a mov
            if (insn.isCall() && insn.src() == 0) continue; // "call name" drops the #imm
            if (insn.isPseudoCall() && insn.off() != 0) continue; // jit_subprogs() form: imm = subprog index
            if (insn.dst() > 10 || insn.src() > 10) continue; // r11 (BPF_REG_AX) exists only in xlated images
            String text = Disassembler.xlated(insn, null);
            assertEquals(List.of(insn), llvm(text), text);
            checked++;
        }
        assertTrue(checked > 12, "checked " + checked);
    }

    @Test
    void roundTripsEveryAluAndJumpForm() {
        List<Insn> all = new ArrayList<>();
        int[] aluOps = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH};
        for (int op : aluOps) {
            all.add(BPF_ALU64_IMM(op, 3, -7));
            all.add(BPF_ALU32_IMM(op, 3, 7));
            all.add(BPF_ALU64_REG(op, 3, 4));
            all.add(BPF_ALU32_REG(op, 3, 4));
        }
        int[] jmpOps = {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE};
        for (int op : jmpOps) {
            all.add(BPF_JMP_IMM(op, 1, 0x7fff, -3));
            all.add(BPF_JMP32_IMM(op, 1, -1, 4));
            all.add(BPF_JMP_REG(op, 1, 2, 0));
            all.add(BPF_JMP32_REG(op, 1, 2, -32768));
        }
        for (Insn i : all) assertEquals(List.of(i), llvm(Disassembler.xlated(i, null)), Disassembler.xlated(i, null));
    }

    @Test
    void mapValueLoadsCarryTheirOffset() {
        Program p = Assembler.assemble("r1 = my_data + 16 ll\nr2 = my_data+0x4 ll\nr0 = 0\nexit", "m.s");
        assertEquals(List.of(new Reloc(0, Reloc.Kind.MAP_VALUE, "my_data"), new Reloc(2, Reloc.Kind.MAP_VALUE, "my_data")),
                p.relocs());
        assertTrue(!p.isResolved());
        Program r = p.resolve(new Program.Resolver() {
            public Program.KfuncRef kfunc(String name) { throw new AssertionError(name); }
            public int mapFd(String name) { return 7; }
        });
        assertTrue(r.isResolved());
        assertEquals(BPF_LD_MAP_VALUE(1, 7, 16), r.insns().subList(0, 2));
        assertEquals(BPF_LD_MAP_VALUE(2, 7, 4), r.insns().subList(2, 4));
    }

    @Test
    void mapLoadsStaySymbolicUntilResolved() {
        Program p = Assembler.assemble("r1 = my_map ll\nr0 = 0\nexit", "m.s");
        assertEquals(List.of(new Reloc(0, Reloc.Kind.MAP, "my_map")), p.relocs());
        assertTrue(!p.isResolved());
        Program r = p.resolve(new Program.Resolver() {
            public Program.KfuncRef kfunc(String name) { throw new AssertionError(name); }
            public int mapFd(String name) { return 5; }
        });
        assertTrue(r.isResolved());
        assertEquals(List.of(), r.relocs());
        assertEquals(BPF_LD_MAP_FD(1, 5), r.insns().subList(0, 2));
        assertEquals("(18) r1 = map[id:42]", Disassembler.print(r.get(0), r.get(1), Disassembler.bpftool(fd -> fd == 5 ? 42 : 0), true));
    }

    @Test
    void directivesReachTheLoader() {
        List<String> seen = new ArrayList<>();
        Assembler.Result r = Assembler.assembleWithLines(".license \"GPL\"\nr0 = 0\n  .struct_ops test_prologue\nexit\n", "d.s",
            Assembler.Dialect.LLVM, 1, (text, line, col, insn) -> seen.add(text + "@" + line + ":" + col + "#" + insn));
        assertEquals(List.of(".license \"GPL\"@1:1#0", ".struct_ops test_prologue@3:3#1"), seen);
        assertEquals(List.of(2, 4), r.lines());
    }

    @Test
    void inlineAsmConventions() {
        Program p = Assembler.assemble(String.join("\n",
            "r1 = 0;",
            "l0_%=: r1 += 1;",
            "if r1 < 3 goto l0_%=;",
            "r0 %= r1;",
            "call %[bpf_kfunc_st_ops_inc10];",
            "if r1 > 0x5 goto +1 <LBB0_3>",
            "exit;"), "inline.s");
        assertEquals(List.of(BPF_MOV64_IMM(1, 0), BPF_ALU64_IMM(BPF_ADD, 1, 1), BPF_JMP_IMM(BPF_JLT, 1, 3, -2),
            BPF_ALU64_REG(BPF_MOD, 0, 1), new Insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0),
            BPF_JMP_IMM(BPF_JGT, 1, 5, 1), BPF_EXIT_INSN()), p.insns());
        assertEquals(List.of(new Reloc(4, Reloc.Kind.KFUNC, "bpf_kfunc_st_ops_inc10")), p.relocs());
    }

    @Test
    void ubpfDialect() {
        String src = String.join("\n",
            "mov32 %r0, 1   # comment",
            "ldxb %r0, [%r1+2]",
            "stxdw [%r10-8], %r0",
            "lock fetch add [%r10-8], %r1",
            "lock cmpxchg32 [%r10-8], %r1",
            "jne %r0, 15, done",
            "ja32 +0",
            "call local f",
            "call 5",
            "call %r2",
            "done:",
            "lddw %r0, 0x1122334455667788",
            "exit",
            "f:",
            "sdiv32 %r0, -3",
            "movsx832 %r2, %r1",
            "ldxsh %r0, [%r10-2]",
            "exit");
        List<Insn> p = Assembler.assemble(src, "t.ubpf").insns();
        List<Insn> want = insns(
            BPF_MOV32_IMM(0, 1), BPF_LDX_MEM(BPF_B, 0, 1, 2), BPF_STX_MEM(BPF_DW, 10, 0, -8),
            BPF_ATOMIC_OP(BPF_DW, BPF_ADD | BPF_FETCH, 10, 1, -8), BPF_ATOMIC_OP(BPF_W, BPF_CMPXCHG, 10, 1, -8),
            BPF_JMP_IMM(BPF_JNE, 0, 15, 4), BPF_JMP32_A(0), BPF_CALL_REL(5), BPF_EMIT_CALL(5),
            new Insn(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0), BPF_LD_IMM64(0, 0x1122334455667788L), BPF_EXIT_INSN(),
            BPF_ALU32_IMM_OFF(BPF_DIV, 0, -3, 1), BPF_MOVSX32_REG(2, 1, 8), BPF_LDX_MEMSX(BPF_H, 0, 10, -2), BPF_EXIT_INSN());
        assertEquals(want, p);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "or %r0, %r50|1|9|Invalid register: %r50",
        "lock or [%r10-8]|1|1|Invalid number of operands for lock",
        "ldxq %r0, %r1|1|1|Invalid mnemonic: ldxq",
        "ldxb %r0, %r1|1|11|Failed to decode register and offset",
        "ldxb %r0, [%r1+0x10000]|1|11|Invalid offset",
        "lddw %r0|1|1|Invalid number of operands for mnemonic: lddw",
        "mov32 %r0, 2147483648|1|12|Invalid immediate",
        "mov32 %r0, 0x100000000|1|12|Invalid immediate",
        "ja NOT_A_LABEL|1|4|unknown label 'NOT_A_LABEL'",
    })
    void ubpfErrorsAreLocated(String src, int line, int col, String msg) {
        AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble(src, "n.ubpf"));
        assertTrue(e.getMessage().startsWith("n.ubpf:" + line + ":" + col + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(msg), e.getMessage());
    }

    @Test
    void dataFilesUseTheirAsmSectionWithFileLines() {
        String f = "# c\n-- asm\nmov %r0, 1\nfrob\n-- result\n0x1\n";
        AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble(f, "a.data"));
        assertEquals("a.data:4:1: Invalid mnemonic: frob", e.getMessage());
    }

    @Test
    void validatorRejectsReservedFields() {
        assertEquals("BPF_ALU uses reserved fields",
            InsnValidator.validate(List.of(new Insn(0x07, 0, 0, 1, 1), BPF_EXIT_INSN()), false).orElseThrow().message());
        assertEquals("last insn is not an exit or jmp", InsnValidator.validate(List.of(BPF_MOV64_IMM(0, 0)), false).orElseThrow().message());
        assertEquals("jump out of range from insn 0 to 5", InsnValidator.validate(List.of(BPF_JMP_A(4), BPF_EXIT_INSN()), false).orElseThrow().message());
        assertTrue(InsnValidator.validate(insns(BPF_LD_IMM64(0, 1), BPF_EXIT_INSN()), false).isEmpty());
        assertEquals("jump into the middle of ldimm64 insn 1",
            InsnValidator.validate(insns(BPF_JMP_A(1), BPF_LD_IMM64(0, 1), BPF_EXIT_INSN()), false).orElseThrow().message());
        List<Insn> big = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) big.addAll(i % 2 == 0 ? BPF_LD_IMM64(0, i) : List.of(BPF_JMP_A(0)));
        big.add(BPF_EXIT_INSN());
        assertTrue(InsnValidator.validate(big, false).isEmpty()); // linear, not quadratic
        assertEquals("BPF_CALL uses reserved fields",
            InsnValidator.validate(List.of(new Insn(0x8d, 1, 0, 0, 0), BPF_EXIT_INSN()), false).orElseThrow().message());
        assertTrue(InsnValidator.validate(List.of(new Insn(0x8d, 1, 0, 0, 0), BPF_EXIT_INSN()), true).isEmpty());
    }

    @Test
    void wireFormat() {
        Insn i = new Insn(0x79, 6, 1, -8, 0x12345678);
        assertEquals(i, Insn.decode(i.encode(), 0));
        assertEquals("7916f8ff78563412", java.util.HexFormat.of().formatHex(i.encode()));
    }
}
