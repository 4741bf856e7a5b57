package org.bpfosgi.vm;

import java.util.OptionalLong;
import org.bpfosgi.isa.AsmException;
import org.bpfosgi.isa.conformance.ConformanceFile;
import org.bpfosgi.isa.InsnValidator;

/**
 * Runs one bpf_conformance test file the way the upstream runner and a plugin do together
 * (bpf_conformance.cc {@code bpf_conformance()}): assemble the {@code -- asm} section (or decode
 * {@code -- raw}), check the instructions as the kernel would before running them
 * ({@link InsnValidator}, with {@code callx} allowed), run them with r1 pointing at the
 * {@code -- mem} bytes and r2 holding their length, and compare r0 with {@code -- result}
 * (all 64 bits) or expect a failure where the file has {@code -- error}.
 * Helper 5 is the suite's "unwind" helper, which returns its first argument.
 */
public final class ConformanceRunner {
    private ConformanceRunner() {}

    /** Instruction budget per test: the suite's programs are short; a runaway loop is a failure. */
    public static final long INSN_LIMIT = 10_000_000;

    public enum Status {
        /** The file's expectation holds. */
        PASS,
        /** The file cannot be parsed or assembled, or an instruction is invalid. */
        REJECTED,
        /** The program ran but r0 differs from -- result, or it ran although -- error expects a failure. */
        MISMATCH,
        /** The program oopsed and the file expected a result. */
        OOPS
    }

    /**
     * @param message located ({@code file:line:col: ...}) unless the status is PASS
     */
    public record Verdict(Status status, String message, OptionalLong r0) {}

    /** The conformance suite's helpers. */
    public static Bindings bindings() {
        return Bindings.builder().helper(5, (ctx, r1, r2, r3, r4, r5) -> r1).build();
    }

    public static Verdict run(String text, String file) {
        ConformanceFile f;
        ConformanceFile.Assembled a;
        try {
            f = ConformanceFile.parse(text, file);
            a = f.program();
        } catch (AsmException e) {
            return new Verdict(Status.REJECTED, e.getMessage(), OptionalLong.empty());
        }
        var bad = InsnValidator.validate(a.program().insns(), true);
        if (bad.isPresent()) {
            int line = bad.get().insn() < a.lines().size() ? a.lines().get(bad.get().insn()) : 1;
            return new Verdict(Status.REJECTED, file + ":" + line + ":1: insn " + bad.get().insn() + ": " + bad.get().message(), OptionalLong.empty());
        }
        byte[] mem;
        OptionalLong expected;
        try {
            mem = f.mem();
            expected = f.result();
        } catch (AsmException e) {
            return new Verdict(Status.REJECTED, e.getMessage(), OptionalLong.empty());
        }
        Outcome o = execute(a.program(), mem);
        boolean wantError = f.expectedError().isPresent();
        if (o instanceof Exit x) {
            if (wantError)
                return new Verdict(Status.MISMATCH, file + ":" + f.line("error") + ":1: expected the program to fail (upstream: \""
                    + f.expectedError().get() + "\"), but it returned 0x" + Long.toHexString(x.r0()), OptionalLong.of(x.r0()));
            if (expected.isEmpty())
                return new Verdict(Status.MISMATCH, file + ":1:1: no -- result to compare r0 = 0x" + Long.toHexString(x.r0()) + " with", OptionalLong.of(x.r0()));
            if (x.r0() != expected.getAsLong())
                return new Verdict(Status.MISMATCH, file + ":" + (f.line("result") + 1) + ":1: r0 = 0x" + Long.toHexString(x.r0())
                    + ", expected 0x" + Long.toHexString(expected.getAsLong()), OptionalLong.of(x.r0()));
            return new Verdict(Status.PASS, "", OptionalLong.of(x.r0()));
        }
        Oops oops = (Oops) o;
        int line = oops.insn() < a.lines().size() ? a.lines().get(oops.insn()) : 1;
        String msg = file + ":" + line + ":1: " + oops;
        return new Verdict(wantError ? Status.PASS : Status.OOPS, msg, OptionalLong.empty());
    }

    /** Runs a program on a fresh memory holding {@code mem}: r1 = its address (0 if empty), r2 = its length. */
    public static Outcome execute(org.bpfosgi.isa.Program program, byte[] mem) {
        return execute(program, mem, INSN_LIMIT);
    }

    /** As {@link #execute(org.bpfosgi.isa.Program, byte[])}, stopping after {@code insnLimit} instructions. */
    public static Outcome execute(org.bpfosgi.isa.Program program, byte[] mem, long insnLimit) {
        Memory memory = new Memory();
        long addr = mem.length == 0 ? 0 : memory.map("mem", mem, Region.Access.READ_WRITE).start();
        Bindings b = bindings();
        Vm vm = new Vm(memory, b, new Vm.Options(insnLimit));
        return vm.run(LoadedProgram.load("conformance", program, b), addr, mem.length, 0, 0, 0);
    }
}
