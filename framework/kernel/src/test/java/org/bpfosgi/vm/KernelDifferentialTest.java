package org.bpfosgi.vm;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Program;
import org.junit.jupiter.api.Test;

/**
 * The interpreter against the real kernel: 8810 ALU and jump operations (every op, 32 and 64 bit,
 * immediate and register, sdiv/smod, byte swaps, movsx, on operands such as 0, -1, INT_MIN,
 * LLONG_MIN) and 2304 memory operations (every atomic in both sizes, loads, sign-extending loads,
 * stores) whose results Linux 6.18 computed with BPF_PROG_TEST_RUN (see src/test/kernel-diff).
 */
class KernelDifferentialTest {

    @Test
    void matchesLinux618() throws Exception {
        int n = 0;
        List<String> mismatches = new ArrayList<>();
        try (var in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                getClass().getResourceAsStream("kernel-6.18-differential.txt.gz")), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("#")) continue;
                String[] f = line.split(" ");
                Insn op = Insn.decode(HexFormat.of().parseHex(f[1]), 0);
                long a = Long.parseUnsignedLong(f[2], 16);
                long b = Long.parseUnsignedLong(f[3], 16);
                long want = Long.parseLong(f[4], 16);
                List<Insn> prog = f[0].equals("M") ? memoryProgram(op, a, b) : program(f[0].equals("J"), op, a, b);
                Outcome o = ConformanceRunner.execute(Program.of(prog), new byte[64]);
                long got = o instanceof Exit e ? e.r0() & 0xffffffffL : -1;
                if (got != want) mismatches.add(Disassembler.print(op, null) + " with r0=0x" + f[2] + " r1=0x" + f[3] + ": kernel 0x" + f[4] + ", here " + o);
                n++;
            }
        }
        assertTrue(n > 11000, "cases " + n);
        assertEquals(List.of(), mismatches.subList(0, Math.min(20, mismatches.size())), mismatches.size() + " mismatches");
    }

    /** The programs kernel-diff/Gen3.java built: r0 = A, r1 = B, the operation, then a fold of r0 into 32 bits. */
    static List<Insn> program(boolean jump, Insn op, long a, long b) {
        List<Insn> p = new ArrayList<>();
        p.addAll(BPF_LD_IMM64(0, a));
        p.addAll(BPF_LD_IMM64(1, b));
        if (jump) {
            p.addAll(insns(BPF_MOV64_IMM(2, 0), op, BPF_MOV64_IMM(2, 1), BPF_MOV64_REG(0, 2), BPF_EXIT_INSN()));
        } else {
            p.add(op);
            p.addAll(insns(BPF_MOV64_REG(2, 0), BPF_ALU64_IMM(BPF_RSH, 2, 32), BPF_ALU64_IMM(BPF_MUL, 2, 0x2545f491),
                BPF_ALU64_REG(BPF_XOR, 0, 2), BPF_EXIT_INSN()));
        }
        return p;
    }

    /** The programs kernel-diff/Gen4.java built: *(u64 *)(r10 -8) = r0 = A, r1 = B, r3 = r10, the operation, a fold of r0, r1 and the slot. */
    static List<Insn> memoryProgram(Insn op, long a, long b) {
        List<Insn> p = new ArrayList<>();
        p.addAll(BPF_LD_IMM64(0, a));
        p.addAll(BPF_LD_IMM64(1, b));
        p.addAll(insns(BPF_STX_MEM(BPF_DW, 10, 0, -8), BPF_MOV64_REG(3, 10), op, BPF_LDX_MEM(BPF_DW, 4, 10, -8),
            BPF_ALU64_IMM(BPF_MUL, 1, 0x1e3779b1), BPF_ALU64_IMM(BPF_MUL, 4, 0x05ebca77), BPF_ALU64_REG(BPF_XOR, 0, 1),
            BPF_ALU64_REG(BPF_XOR, 0, 4), BPF_MOV64_REG(2, 0), BPF_ALU64_IMM(BPF_RSH, 2, 32), BPF_ALU64_IMM(BPF_MUL, 2, 0x2545f491),
            BPF_ALU64_REG(BPF_XOR, 0, 2), BPF_EXIT_INSN()));
        return p;
    }
}
