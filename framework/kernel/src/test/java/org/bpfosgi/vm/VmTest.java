package org.bpfosgi.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.bpfosgi.isa.Assembler;
import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Program;
import org.junit.jupiter.api.Test;

class VmTest {

    private final Memory mem = new Memory();

    private static Program asm(String... lines) { return Assembler.assemble(String.join("\n", lines), "t.s"); }

    private Outcome run(Program p, Bindings b, long r1) { return new Vm(mem, b).run(LoadedProgram.load(p, b), r1); }

    private static long r0(Outcome o) { return assertInstanceOf(Exit.class, o, o::toString).r0(); }

    private static Oops oops(Outcome o) { return assertInstanceOf(Oops.class, o, o::toString); }

    @Test
    void bpfToBpfCallsGetTheirOwnFrame() {
        Program p = asm(
            "r6 = 6; r7 = 7; r8 = 8; r9 = 9",
            "*(u64 *)(r10 -8) = r6",
            "r1 = r10",
            "call f",
            "if r6 != 6 goto bad; if r7 != 7 goto bad; if r8 != 8 goto bad; if r9 != 9 goto bad",
            "r2 = *(u64 *)(r10 -8)",        // the callee wrote its own stack, not ours
            "if r2 != 6 goto bad",
            "if r0 == r1 goto bad",         // the callee saw a different r10
            "exit",
            "bad: r0 = -1; exit",
            "f:",
            "r6 = 0; r7 = 0; r8 = 0; r9 = 0",
            "*(u64 *)(r10 -8) = r6",
            "r0 = r10",
            "exit");
        long r0 = r0(run(p, Bindings.NONE, 0));
        assertNotEquals(-1L, r0);
    }

    @Test
    void atMostEightFrames() {
        Program p = asm("r0 = 0", "call f", "exit", "f:", "r0 += 1", "call f", "exit");
        Oops o = oops(run(p, Bindings.NONE, 0));
        assertEquals(Oops.Kind.CALL_DEPTH, o.kind());
        assertEquals(4, o.insn());
    }

    @Test
    void tailCallsStopAfter33() {
        Region ctx = mem.allocate("ctx", 8, Region.Access.READ_WRITE);
        Program p = asm(
            "r6 = r1",
            "r2 = *(u64 *)(r6 +0)",
            "r2 += 1",
            "*(u64 *)(r6 +0) = r2",
            "r1 = r6",
            "r2 = 0x1234 ll",
            "r3 = 0",
            "call bpf_tail_call",
            "r0 = *(u64 *)(r6 +0)",
            "exit");
        LoadedProgram[] self = new LoadedProgram[1];
        Bindings b = Bindings.builder().progArray(0x1234, new ProgArray() {
            public int maxEntries() { return 1; }
            public LoadedProgram get(int index) { return self[0]; }
        }).build();
        self[0] = LoadedProgram.load(p, b);
        Outcome o = new Vm(mem, b).run(self[0], ctx.start());
        assertEquals(34, r0(o)); // the first run and MAX_TAIL_CALL_CNT tail calls
    }

    @Test
    void failedTailCallFallsThrough() {
        Program p = asm("r0 = 7", "r2 = 0x99 ll", "r3 = 0", "call bpf_tail_call", "exit");
        assertEquals(7, r0(run(p, Bindings.NONE, 0)));
    }

    @Test
    void badAccessesAreOopses() {
        Region ctx = mem.allocate("ctx", 16, Region.Access.READ_WRITE);
        Oops o = oops(run(asm("r1 = 0", "r0 = *(u64 *)(r1 +0)", "exit"), Bindings.NONE, 0));
        assertEquals(Oops.Kind.PAGE_FAULT, o.kind());
        assertEquals(1, o.insn());
        assertEquals(0, o.address());
        assertEquals(8, o.size());

        o = oops(run(asm("r0 = *(u64 *)(r1 +9)", "exit"), Bindings.NONE, ctx.start()));
        assertEquals(Oops.Kind.PAGE_FAULT, o.kind());
        assertEquals(ctx.start() + 9, o.address());

        o = oops(run(asm("r0 = *(u64 *)(r10 +0)", "exit"), Bindings.NONE, 0));
        assertEquals(Oops.Kind.PAGE_FAULT, o.kind()); // above the stack: the guard page

        Region ro = mem.allocate("rodata", 8, Region.Access.READ_ONLY);
        o = oops(run(asm("r0 = *(u64 *)(r1 +0)", "*(u32 *)(r1 +0) = 1", "exit"), Bindings.NONE, ro.start()));
        assertEquals(Oops.Kind.READ_ONLY, o.kind());
        assertEquals(1, o.insn());
        assertEquals(4, o.size());
    }

    @Test
    void useAfterFreeIsSeen() {
        Region obj = mem.allocate("obj", 8, Region.Access.READ_WRITE);
        Bindings b = Bindings.builder().kfunc("release", (ctx, r1, r2, r3, r4, r5) -> {
            ctx.memory().free(ctx.memory().regionAt(r1).orElseThrow());
            return 0;
        }).build();
        Oops o = oops(run(asm("r6 = r1", "r0 = *(u64 *)(r6 +0)", "call release", "r0 = *(u64 *)(r6 +0)", "exit"), b, obj.start()));
        assertEquals(Oops.Kind.USE_AFTER_FREE, o.kind());
        assertEquals(3, o.insn());
    }

    @Test
    void runawayLoopsStopAtTheLimit() {
        Bindings b = Bindings.NONE;
        Outcome o = new Vm(mem, b, new Vm.Options(1000)).run(LoadedProgram.load(asm("l: goto l", "exit"), b), 0);
        assertEquals(Oops.Kind.INSN_LIMIT, oops(o).kind());
        assertEquals(1000, o.executed());
    }

    @Test
    void misbehavingFunctionsAreContained() {
        Bindings b = Bindings.builder().helper(7, (ctx, r1, r2, r3, r4, r5) -> { throw new IllegalStateException("boom"); }).build();
        Oops o = oops(run(asm("r0 = 0", "call bpf_get_prandom_u32", "exit"), b, 0));
        assertEquals(Oops.Kind.FUNCTION_FAILED, o.kind());
        assertEquals(1, o.insn());
        assertEquals(Oops.Kind.UNKNOWN_FUNCTION, oops(run(asm("call some_kfunc", "exit"), Bindings.NONE, 0)).kind());
        assertEquals(Oops.Kind.INVALID_INSN, oops(run(asm("r0 = 0"), Bindings.NONE, 0)).kind()); // falls off the end
    }

    @Test
    void kfuncsBindByIdOrName() {
        Bindings b = Bindings.builder().kfunc("k", 77, 1, (ctx, r1, r2, r3, r4, r5) -> r1 * 2).build();
        assertEquals(42, r0(run(asm("r1 = 21", "call k", "exit"), b, 0)));
        Program resolved = asm("r1 = 21", "call k", "exit").resolve(name -> new Program.KfuncRef(77, 1));
        assertEquals(42, r0(run(resolved, b, 0)));
    }

    @Test
    void semanticsOfEdgeCases() {
        assertEquals(0, r0(run(asm("r0 = 5", "r1 = 0", "r0 /= r1", "exit"), Bindings.NONE, 0)));
        assertEquals(5, r0(run(asm("r0 = 5", "r1 = 0", "r0 %= r1", "exit"), Bindings.NONE, 0)));
        assertEquals(0xffffffffL, r0(run(asm("r0 = -1", "w1 = 0", "w0 %= w1", "exit"), Bindings.NONE, 0)));
        assertEquals(Long.MIN_VALUE, r0(run(asm("r0 = 1", "r0 <<= 63", "r1 = -1", "r0 s/= r1", "exit"), Bindings.NONE, 0)));
        assertEquals(2, r0(run(asm("r0 = 1", "r1 = 65", "r0 <<= r1", "exit"), Bindings.NONE, 0)));
        assertEquals(0xffffff80L, r0(run(asm("w0 = 0x80", "w0 = (s8)w0", "exit"), Bindings.NONE, 0)));
        assertEquals(0x7856, r0(run(asm("r0 = 0x12345678 ll", "r0 = be16 r0", "exit"), Bindings.NONE, 0)));
        assertEquals(0x7856341200000000L, r0(run(asm("r0 = 0x12345678", "r0 = bswap64 r0", "exit"), Bindings.NONE, 0)));
    }

    /**
     * progs/pro_epilogue.c test_pro_epilogue: the xlated program (prologue, main body,
     * epilogue) with bpf_kfunc_st_ops_inc10 bound, run on a zeroed st_ops_args: __retval 22022.
     */
    @Test
    void proEpilogueArithmeticOfTheSelftest() {
        Program p = asm(
            "r6 = *(u64 *)(r1 +0)",
            "r7 = *(u64 *)(r6 +0)",
            "r7 += 1000",
            "*(u64 *)(r6 +0) = r7",
            "*(u64 *)(r10 -8) = r1",
            "r1 = *(u64 *)(r1 +0)",
            "r6 = r1",
            "call bpf_kfunc_st_ops_inc10",
            "r1 = r6",
            "call subprog",
            "r1 = *(u64 *)(r10 -8)",
            "r1 = *(u64 *)(r1 +0)",
            "r6 = *(u64 *)(r1 +0)",
            "r6 += 10000",
            "*(u64 *)(r1 +0) = r6",
            "r0 = r6",
            "r0 *= 2",
            "exit",
            "subprog:",
            "r0 = *(u64 *)(r1 +0)",
            "r0 += 1",
            "*(u64 *)(r1 +0) = r0",
            "exit");
        List<String> xl = Disassembler.dump(p.insns(), Disassembler.Style.SELFTEST, Disassembler.NONE);
        assertEquals("4: *(u64 *)(r10 -8) = r1", xl.get(4));
        assertEquals("7: call kernel-function", xl.get(7));
        assertEquals("9: call pc+8", xl.get(9));
        assertEquals("16: r0 *= 2", xl.get(16));
        Region args = mem.allocate("st_ops_args", 8, Region.Access.READ_WRITE);
        Region ctx = mem.allocate("ctx", 8, Region.Access.READ_ONLY);
        ByteBuffer.wrap(ctx.bytes()).order(ByteOrder.LITTLE_ENDIAN).putLong(0, args.start());
        Bindings b = Bindings.builder().kfunc("bpf_kfunc_st_ops_inc10", (c, r1, r2, r3, r4, r5) -> {
            long a = c.memory().ld64(r1) + 10;
            c.memory().st64(r1, a);
            return (int) a;
        }).build();
        assertEquals(22022, r0(run(p, b, ctx.start())));
        assertEquals(11011, ByteBuffer.wrap(args.bytes()).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
    }

    @Test
    void mayGotoJumpsOnceTheLoopBudgetIsSpent() {
        Program p = asm("r0 = 0", "loop:", "may_goto done", "r0 += 1", "goto loop", "done:", "exit");
        Outcome o = new Vm(mem, Bindings.NONE, new Vm.Options(Long.MAX_VALUE, 1000)).run(LoadedProgram.load(p, Bindings.NONE), 0);
        assertEquals(1000, r0(o));
        assertEquals(8 * 1024 * 1024, new Vm.Options(1).mayGotoBudget());
    }

    /** A kfunc written as a Java method, bound by name. */
    public static final class StOps {
        public int bpf_kfunc_st_ops_inc10(CallContext ctx, long args) {
            long a = ctx.memory().ld64(args) + 10;
            ctx.memory().st64(args, a);
            return (int) a;
        }

        public static long unused(long a) { return a; }
    }

    @Test
    void javaMethodsBindAsKfuncs() {
        Region args = mem.allocate("st_ops_args", 8, Region.Access.READ_WRITE);
        Bindings b = JavaFunctions.bindKfuncs(Bindings.builder(), new StOps()).build();
        assertEquals(10, r0(run(asm("call bpf_kfunc_st_ops_inc10", "call bpf_kfunc_st_ops_inc10", "r0 -= 10", "exit"), b, args.start())));
        assertEquals(java.util.Set.of("bpf_kfunc_st_ops_inc10"), JavaFunctions.of(new StOps()).keySet());
        assertEquals(java.util.Set.of("unused"), JavaFunctions.of(StOps.class).keySet());
    }

    @Test
    void manyRegionsStaySortedAndFreeable() {
        java.util.List<Region> rs = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) rs.add(mem.allocate("obj" + i, 1 + i % 100, Region.Access.READ_WRITE));
        Region empty = mem.allocate("empty", 0, Region.Access.READ_WRITE);
        for (int i = 0; i < rs.size(); i += 2) mem.free(rs.get(i));
        mem.free(empty);
        for (int i = 1; i < rs.size(); i += 2) assertEquals(rs.get(i), mem.regionAt(rs.get(i).start()).orElseThrow());
        MemoryFault f = org.junit.jupiter.api.Assertions.assertThrows(MemoryFault.class, () -> mem.ld8(rs.get(4).start()));
        assertEquals(Oops.Kind.USE_AFTER_FREE, f.kind());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> mem.free(rs.get(0)));
    }
}
