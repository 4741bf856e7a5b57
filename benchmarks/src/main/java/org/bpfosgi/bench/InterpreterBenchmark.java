package org.bpfosgi.bench;

import java.util.concurrent.TimeUnit;
import org.bpfosgi.isa.Assembler;
import org.bpfosgi.vm.Bindings;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The interpreter's cost per executed BPF instruction. Each benchmark runs one program whose
 * executed-instruction count is fixed and declared with {@link OperationsPerInvocation}, so the
 * score JMH prints (ns/op) is nanoseconds per executed instruction. Setup checks the counts.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar InterpreterBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InterpreterBenchmark {
    static final int N = 10_000;

    /** 4 instructions per iteration: add, xor, sub, branch. */
    static final String ALU_LOOP = String.join("\n",
        "r0 = 0",
        "r1 = " + N,
        "loop:",
        "r0 += r1",
        "r0 ^= 0x55",
        "r1 += -1",
        "if r1 != 0 goto loop",
        "exit");
    static final long ALU_INSNS = 2 + 4L * N + 1;

    /** 8 instructions per iteration, 4 of them memory accesses (stack and context). */
    static final String MEM_LOOP = String.join("\n",
        "r6 = r1",
        "r0 = 0",
        "r1 = " + N,
        "loop:",
        "*(u64 *)(r10 -8) = r1",
        "r2 = *(u64 *)(r10 -8)",
        "r3 = *(u32 *)(r6 +4)",
        "r0 += r2",
        "*(u32 *)(r6 +0) = w0",
        "r0 += r3",
        "r1 += -1",
        "if r1 != 0 goto loop",
        "exit");
    static final long MEM_INSNS = 3 + 8L * N + 1;

    /** Per iteration: a bpf-to-bpf call (4 insns in the callee) and a helper call: 9 instructions. */
    static final String CALL_LOOP = String.join("\n",
        "r6 = " + N,
        "r7 = 0",
        "loop:",
        "r1 = r6",
        "call sub",
        "r7 += r0",
        "call bpf_ktime_get_ns",
        "r6 += -1",
        "if r6 != 0 goto loop",
        "r0 = r7",
        "exit",
        "sub:",
        "r0 = r1",
        "r0 *= 3",
        "r0 += 1",
        "exit");
    static final long CALL_INSNS = 2 + 10L * N + 2;

    private Vm vm;
    private LoadedProgram alu;
    private LoadedProgram mem;
    private LoadedProgram calls;
    private long ctx;

    @Setup
    public void setup() {
        Memory memory = new Memory();
        Region c = memory.allocate("ctx", 64, Region.Access.READ_WRITE);
        ctx = c.start();
        Bindings b = Bindings.builder().helper(5, (x, r1, r2, r3, r4, r5) -> 42).build();
        vm = new Vm(memory, b);
        alu = LoadedProgram.load(Assembler.assemble(ALU_LOOP, "alu.s"), b);
        mem = LoadedProgram.load(Assembler.assemble(MEM_LOOP, "mem.s"), b);
        calls = LoadedProgram.load(Assembler.assemble(CALL_LOOP, "calls.s"), b);
        check(alu, ALU_INSNS);
        check(mem, MEM_INSNS);
        check(calls, CALL_INSNS);
    }

    private void check(LoadedProgram p, long want) {
        Outcome o = vm.run(p, ctx);
        if (!(o instanceof Exit e) || e.executed() != want)
            throw new IllegalStateException(p.name() + ": " + o + " executed " + o.executed() + ", expected " + want);
    }

    @Benchmark
    @OperationsPerInvocation((int) ALU_INSNS)
    public Outcome aluLoop() { return vm.run(alu, ctx); }

    @Benchmark
    @OperationsPerInvocation((int) MEM_INSNS)
    public Outcome memoryLoop() { return vm.run(mem, ctx); }

    @Benchmark
    @OperationsPerInvocation((int) CALL_INSNS)
    public Outcome callLoop() { return vm.run(calls, ctx); }
}
