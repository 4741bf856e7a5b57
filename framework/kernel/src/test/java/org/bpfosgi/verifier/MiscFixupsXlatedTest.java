package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.prog.XlatedDump;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.Jiffies;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.PerCpu;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;
import org.junit.jupiter.api.Test;

/**
 * do_misc_fixups()'s inlined bpf_get_smp_processor_id() against the live kernel's xlated image
 * ({@code differential/misc-fixups-xlated-6.18.txt}, made by {@code misc-fixups-xlated.py} with
 * bpftool {@code dump xlated ... opcodes}, a struct_ops program of tcp_congestion_ops), and the
 * interpreter running it on the model's one CPU. Instruction by instruction, text and bytes,
 * except what differs by construction: v6.12 moves {@code &pcpu_hot.cpu_number}, a zero-based
 * per-cpu offset, with BPF_MOV32_IMM ({@code (b4) w0 = N}); 6.18 moves {@code &cpu_number}, a
 * kernel address since x86-64's per-cpu offsets became relative (9d7de2aa8b41), with
 * BPF_MOV64_IMM ({@code (b7) r0 = N}: 18cdd90aba79 "x86/bpf: Fix BPF percpu accesses", v6.15);
 * and the text of BPF_MOV64_PERCPU_REG, which bpftool 7.1 prints {@code r0 = r0} (its bytes,
 * off -1, are compared). bpf_jiffies64 likewise (an ld_imm64 of {@code &jiffies} and a load),
 * with the model's {@code &jiffies} ({@link Jiffies#ADDRESS}) for the kernel's.
 */
class MiscFixupsXlatedTest {
    record Golden(String name, List<Insn> insns, List<String[]> lines) {
    }

    static Golden golden(String name) {
        String[] ls = TestKernel.resource("/org/bpfosgi/verifier/differential/misc-fixups-xlated-6.18.txt").split("\n");
        for (int i = 0; i < ls.length; i++) {
            String[] h = ls[i].split(" ");
            if (!ls[i].startsWith("== ") || !h[1].equals(name)) {
                continue;
            }
            List<String[]> lines = new ArrayList<>();
            while (i + 2 < ls.length && !ls[i + 1].startsWith("== ")) {
                lines.add(new String[] {ls[i + 1], ls[i + 2]});
                i += 2;
            }
            return new Golden(name, Insn.decodeAll(HexFormat.of().parseHex(h[2])), lines);
        }
        throw new AssertionError("no " + name + " in the golden file");
    }

    /** The 6.18 line made v6.12's: the cpu_number move ({@code b7}, a kernel address) as BPF_MOV32_IMM of the model's offset. */
    static String v612(String text, String bytes) {
        String b = bytes.trim();
        if (b.matches("b7 00 00 00 [0-9a-f ]{11}")) {
            int imm = PerCpu.PCPU_HOT_CPU_NUMBER;
            String le = HexFormat.ofDelimiter(" ").formatHex(new byte[] {(byte) imm, (byte) (imm >> 8), (byte) (imm >> 16), (byte) (imm >> 24)});
            return text.replaceAll("\\(b7\\) r0 = -?\\d+$", "(b4) w0 = " + imm) + " | b4 00 00 00 " + le;
        }
        if (b.matches("18 00 00 00 [0-9a-f ]{11} 00 00 00 00 ff ff ff ff")) { // &jiffies, a kernel-image address
            long a = Jiffies.ADDRESS;
            byte[] le = new byte[8];
            for (int i = 0; i < 8; i++) {
                le[i] = (byte) (a >>> (8 * i));
            }
            String h = HexFormat.ofDelimiter(" ").formatHex(le);
            return text.replaceAll("0x[0-9a-f]+$", "0x" + Long.toHexString(a))
                    + " | 18 00 00 00 " + h.substring(0, 11) + " 00 00 00 00 " + h.substring(12);
        }
        if (b.matches("bf [0-9a-f]{2} ff ff 00 00 00 00")) { // BPF_MOV64_PERCPU_REG
            return text.replaceAll("\\(bf\\) r(\\d+) = r(\\d+)$", "(bf) r$1 = &(void __percpu *)(r$2)") + " | " + b;
        }
        return text + " | " + b;
    }

    /** Loads the golden program {@code name} in {@code k} and checks its xlated image against the kernel's. */
    static ProgLoadResult loadAndCompare(TestKernel k, String name, int insns) {
        Golden g = golden(name);
        ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(g.insns()));
        assertTrue(r.ok(), r.log());
        List<String> m = XlatedDump.lines(r.prog(), k.registry.kallsyms(), true).stream()
                .filter(l -> !l.isBlank() && !l.startsWith(";")).toList();
        List<String> want = new ArrayList<>();
        for (String[] kl : g.lines()) {
            want.add(v612(kl[0], kl[1]));
        }
        List<String> got = new ArrayList<>();
        for (int i = 0; i + 1 < m.size(); i += 2) {
            got.add(m.get(i) + " | " + m.get(i + 1).trim());
        }
        assertEquals(insns, want.size(), name);
        assertTrue(got.stream().noneMatch(l -> l.contains("call ")), String.join("\n", got));
        assertEquals(String.join("\n", want), String.join("\n", got), name);
        return r;
    }

    @Test
    void getSmpProcessorIdIsInlinedAsTheKernelDoes() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        // two calls of three instructions each, a move, an add, exit
        ProgLoadResult r = loadAndCompare(k, "smp_processor_id", 9);

        // the interpreter: cpu_number of CPU 0 is 0; a value stored there is what both copies read
        Memory mem = new Memory();
        assertEquals(0, run(k, r, mem));
        Region area = mem.regions().stream().filter(x -> x.name().equals("per-cpu area of CPU 0")).findFirst().orElseThrow();
        assertEquals(area.start(), PerCpu.offset(mem, 0));
        mem.st32(area.start() + PerCpu.PCPU_HOT_CPU_NUMBER, 21);
        assertEquals(42, run(k, r, mem));
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void jiffies64IsInlinedAsTheKernelDoesAndReadsTheTickCount() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = loadAndCompare(k, "jiffies64", 3); // ld_imm64, a load, exit
        Memory mem = new Memory();
        Region other = mem.allocate("some object", 16, Region.Access.READ_WRITE);
        long before = Jiffies.now();
        long j = run(k, r, mem);
        long after = Jiffies.now();
        assertTrue(before <= j && j <= after, before + " <= " + j + " <= " + after);
        Region jr = mem.regionAt(Jiffies.ADDRESS).orElseThrow();
        assertEquals(Region.Access.READ_ONLY, jr.access());
        // a region mapped after jiffies still resolves (the regions stay sorted by address)
        Region later = mem.allocate("a later object", 16, Region.Access.READ_WRITE);
        mem.st64(later.start() + 8, 7);
        assertEquals(7, mem.ld64(later.start() + 8));
        assertEquals(other, mem.regionAt(other.start()).orElseThrow());
        assertTrue(run(k, r, mem) >= j, "jiffies does not go back");
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void withoutTheJitBothStayCallsOfTheHelpers() {
        // prog->jit_requested false (bpf_jit_enable 0 without CONFIG_BPF_JIT_ALWAYS_ON): neither
        // block applies (verifier_inlines_helper_call() is false), patch_call_imm calls the helper
        TestKernel k = new TestKernel();
        k.loadTestmod();
        KernelServices s = k.services;
        KernelServices interp = new KernelServices(s.modules(), s.btfs(), s.registry(), false, s.jitSupportsKfuncCall(),
                s.jitSupportsFarKfuncCall(), s.maps());
        List<Insn> insns = List.of(org.bpfosgi.isa.Macros.BPF_EMIT_CALL(org.bpfosgi.isa.HelperIds.BPF_FUNC_get_smp_processor_id),
                org.bpfosgi.isa.Macros.BPF_EMIT_CALL(org.bpfosgi.isa.HelperIds.BPF_FUNC_jiffies64),
                new Insn(org.bpfosgi.isa.Bpf.BPF_JMP | org.bpfosgi.isa.Bpf.BPF_EXIT, 0, 0, 0, 0));
        for (KernelServices ks : List.of(interp, s)) {
            VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns),
                    new BpfProgAux("t"), ks);
            env.subprogStarts.add(0);
            env.subprogStarts.add(insns.size());
            env.subprogStackDepth = new int[1];
            java.util.Arrays.fill(env.seen, true);
            assertEquals(0, DoMiscFixups.run(env), env.log()::toString);
            if (ks == interp) {
                assertEquals(3, env.insns.size());
                assertEquals(insns.get(0).withImm((int) Kallsyms.callImm(s.kallsyms().lookupName("bpf_get_smp_processor_id"))),
                        env.insns.get(0));
                assertEquals(insns.get(1).withImm((int) Kallsyms.callImm(s.kallsyms().lookupName("bpf_jiffies64"))),
                        env.insns.get(1));
            } else {
                assertEquals(3 + 3 + 1, env.insns.size(), env.insns.toString()); // 3 + (2 + 1) + exit
                assertEquals(List.of(0, 7), env.subprogStarts);
            }
        }
    }

    private static long run(TestKernel k, ProgLoadResult r, Memory m) {
        Outcome o = new Vm(m, Bindings.NONE).run(ProgRunner.prepare(r.prog(), k.registry.kallsyms()), 0);
        assertTrue(o instanceof Exit, o.toString());
        return ((Exit) o).r0();
    }
}
