package org.bpfosgi.isa;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DisassemblerTest {

    /**
     * Lines the running 6.18 kernel's verifier log printed (its own print_bpf_insn()) for programs
     * covering every cpu v4 form, legacy packet loads and helper calls.
     */
    @ParameterizedTest
    @ValueSource(strings = {"kernel-6.18-verifier-log.golden", "kernel-6.18-verifier-log-ldabs-maps.golden"})
    void matchesKernelVerifierLog(String golden) throws Exception {
        Golden g = Golden.load(golden);
        List<Insn> p = Insn.decodeAll(g.program());
        int compared = 0;
        for (String want : g.expect()) {
            int i = Integer.parseInt(want.split(":")[0]);
            assertEquals(want, i + ": " + Disassembler.print(p.get(i), i + 1 < p.size() ? p.get(i + 1) : null));
            compared++;
        }
        assertTrue(compared >= 15, "compared " + compared);
    }

    /**
     * The kernel's xlated images of those programs (with the verifier's rewrites: div/mod guards with
     * r11 = BPF_REG_AX, inlined array lookups, LD_ABS as helper calls, map[id:N] loads) against
     * bpftool's dump. bpftool 7.1 has an older disasm.c, so cpu v4 forms are skipped, and calls,
     * which bpftool names from kallsyms.
     */
    @ParameterizedTest
    @ValueSource(strings = {"kernel-6.18-bpftool-xlated.golden", "kernel-6.18-bpftool-xlated-maps.golden"})
    void matchesBpftoolXlatedDump(String golden) throws Exception {
        Golden g = Golden.load(golden);
        List<Insn> p = Insn.decodeAll(g.program());
        List<String> got = Disassembler.dump(p, Disassembler.Style.BPFTOOL, Disassembler.BPFTOOL);
        assertEquals(g.expect().size(), got.size());
        int compared = 0;
        for (int k = 0; k < got.size(); k++) {
            String want = g.expect().get(k);
            int idx = Integer.parseInt(want.trim().split(":")[0]);
            if (want.contains("BUG_") || want.contains(" call ") || isCpuV4(p.get(idx))) continue;
            assertEquals(want, got.get(k));
            compared++;
        }
        assertTrue(compared > 35, "compared " + compared);
    }

    private static boolean isCpuV4(Insn i) {
        int cls = i.cls();
        boolean alu = cls == BPF_ALU || cls == BPF_ALU64;
        return alu && (i.op() == BPF_DIV || i.op() == BPF_MOD) && i.off() == 1
            || alu && i.op() == BPF_MOV && i.source() == BPF_X && i.off() != 0
            || cls == BPF_ALU64 && i.op() == BPF_END
            || i.code() == (BPF_JMP32 | BPF_JA)
            || cls == BPF_LDX && i.mode() == BPF_MEMSX;
    }

    @Test
    void bpftoolOpcodesLayout() {
        List<Insn> p = insns(BPF_LD_IMM64(1, 0x123), BPF_EXIT_INSN());
        assertEquals(List.of("   0: (18) r1 = 0x123", "       18 01 00 00 23 01 00 00 00 00 00 00 00 00 00 00",
            "   2: (95) exit", "       95 00 00 00 00 00 00 00"),
            Disassembler.dump(p, Disassembler.Style.BPFTOOL_OPCODES, Disassembler.BPFTOOL));
    }

    private static String x(Insn i) { return Disassembler.xlated(i, null); }

    /** The plain-instruction lines of the selftests' progs/pro_epilogue*.c, epilogue_*.c, built with the kernel's macros. */
    @Test
    void specSection66Lines() {
        assertEquals("r6 = *(u64 *)(r1 +0)", x(BPF_LDX_MEM(BPF_DW, BPF_REG_6, BPF_REG_1, 0)));
        assertEquals("r7 += 1000", x(BPF_ALU64_IMM(BPF_ADD, BPF_REG_7, 1000)));
        assertEquals("w7 += 1000", x(BPF_ALU32_IMM(BPF_ADD, BPF_REG_7, 1000)));
        assertEquals("*(u64 *)(r6 +0) = r7", x(BPF_STX_MEM(BPF_DW, BPF_REG_6, BPF_REG_7, 0)));
        assertEquals("r6 = r1", x(BPF_MOV64_REG(BPF_REG_6, BPF_REG_1)));
        assertEquals("call kernel-function", x(BPF_CALL_KFUNC(0, 12345)));
        assertEquals("call kernel-function", x(BPF_CALL_KFUNC(1, 7)));
        assertEquals("call pc+1", x(BPF_CALL_REL(1)));
        assertEquals("exit", x(BPF_EXIT_INSN()));
        assertEquals("*(u64 *)(r10 -8) = r1", x(BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8)));
        assertEquals("r1 = *(u64 *)(r10 -8)", x(BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -8)));
        assertEquals("r6 += 10000", x(BPF_ALU64_IMM(BPF_ADD, BPF_REG_6, 10000)));
        assertEquals("r0 = r6", x(BPF_MOV64_REG(BPF_REG_0, BPF_REG_6)));
        assertEquals("r0 *= 2", x(BPF_ALU64_IMM(BPF_MUL, BPF_REG_0, 2)));
        assertEquals("r3 = 0", x(BPF_MOV64_IMM(BPF_REG_3, 0)));
        assertEquals("r4 = 1", x(BPF_MOV64_IMM(BPF_REG_4, 1)));
        assertEquals("if r2 == 0x0 goto pc+10", x(BPF_JMP_IMM(BPF_JEQ, BPF_REG_2, 0, 10)));
        assertEquals("if r1 == 0x1 goto pc+2", x(BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 1, 2)));
        assertEquals("if r0 != 0x0 goto pc+5", x(BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 5)));
        assertEquals("gotol pc-12", x(BPF_JMP32_A(-12)));
        assertEquals("goto pc-3", x(BPF_JMP_A(-3)));
        assertEquals("goto pc-6", x(BPF_JMP_A(-6)));
        assertEquals("goto pc+2", x(BPF_JMP_A(2)));
        assertEquals("r8 = r1", x(BPF_MOV64_REG(BPF_REG_8, BPF_REG_1)));
        assertEquals("r1 = 0", x(BPF_MOV64_IMM(BPF_REG_1, 0)));
        assertEquals("if w1 > 0x5 goto pc+2", x(BPF_JMP32_IMM(BPF_JGT, BPF_REG_1, 5, 2)));
    }

    @Test
    void callsAndImmediates() {
        assertEquals("(85) call bpf_map_lookup_elem#1", Disassembler.print(BPF_EMIT_CALL(1), null));
        assertEquals("call bpf_tail_call", x(BPF_EMIT_CALL(HelperIds.BPF_FUNC_tail_call)));
        assertEquals("(85) call unknown#5000", Disassembler.print(BPF_EMIT_CALL(5000), null));
        assertEquals("(85) call kernel-function#77", Disassembler.print(BPF_CALL_KFUNC(0, 77), null));
        assertEquals("(85) call pc-4", Disassembler.print(BPF_CALL_REL(-4), null));
        List<Insn> ld = BPF_LD_IMM64(1, 0x123);
        assertEquals("r1 = 0x123", Disassembler.xlated(ld.get(0), ld.get(1)));
        List<Insn> map = BPF_LD_MAP_FD(1, 7);
        assertEquals("(18) r1 = map[id:42]", Disassembler.print(map.get(0), map.get(1), Disassembler.bpftool(fd -> fd == 7 ? 42 : -1), true));
        List<Insn> val = BPF_LD_MAP_VALUE(2, 7, 16);
        assertEquals("(18) r2 = map[id:42][0]+16", Disassembler.print(val.get(0), val.get(1), Disassembler.bpftool(fd -> 42), true));
        assertEquals("(18) r1 = 0x0", Disassembler.print(map.get(0), map.get(1), Disassembler.NONE, false));
        List<Insn> fn = BPF_LD_IMM64_RAW(3, BPF_PSEUDO_FUNC, 5);
        assertEquals("(18) r3 = subprog[+5]", Disassembler.print(fn.get(0), fn.get(1), Disassembler.BPFTOOL, true));
    }

    @Test
    void jitedSubprogCallsPrintTheirOffAsTheSelftestsDo() throws Exception {
        // In the kernel's xlated image insn 79 is "call" with imm 1 (subprog index) and off 2.
        List<Insn> p = Insn.decodeAll(Golden.load("kernel-6.18-bpftool-xlated.golden").program());
        Insn call = p.stream().filter(Insn::isPseudoCall).findFirst().orElseThrow();
        assertEquals(new Insn(0x85, 0, 1, 2, 1), call);
        assertEquals("call pc+2", Disassembler.xlated(call, null, Disassembler.JITED_SUBPROGS));
        assertEquals("call pc+1", Disassembler.xlated(call, null));
    }

    @Test
    void otherForms() {
        assertEquals("(dc) r1 = be16 r1", Disassembler.print(BPF_ENDIAN(BPF_TO_BE, 1, 16), null));
        assertEquals("(d7) r1 = bswap16 r1", Disassembler.print(BPF_BSWAP(1, 16), null));
        assertEquals("(3f) r0 s/= r1", Disassembler.print(BPF_ALU64_REG_OFF(BPF_DIV, 0, 1, 1), null));
        assertEquals("(20) r0 = *(u32 *)skb[4]", Disassembler.print(BPF_LD_ABS(BPF_W, 4), null));
        assertEquals("(40) r0 = *(u32 *)skb[r3 + 4]", Disassembler.print(BPF_LD_IND(BPF_W, 3, 4), null));
        assertEquals("(c2) nospec", Disassembler.print(BPF_ST_NOSPEC(), null));
        assertEquals("BUG_ldx_e1", Disassembler.print(new Insn(0xe1, 0, 0, 0, 0), null));
        assertEquals("(e5) may_goto pc+3", Disassembler.print(new Insn(BPF_JMP | BPF_JCOND, 0, 0, 3, 0), null));
        assertEquals("(bf) r1 = addr_space_cast(r2, 0, 1)", Disassembler.print(new Insn(0xbf, 1, 2, 1, 1), null));
        assertEquals("(db) r1 = load_acquire((u64 *)(r2 +8))", Disassembler.print(BPF_ATOMIC_OP(BPF_DW, BPF_LOAD_ACQ, 1, 2, 8), null));
        assertEquals("(db) store_release((u64 *)(r1 +8), r2)", Disassembler.print(BPF_ATOMIC_OP(BPF_DW, BPF_STORE_REL, 1, 2, 8), null));
    }
}
