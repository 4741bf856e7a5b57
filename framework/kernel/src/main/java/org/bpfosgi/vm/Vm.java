package org.bpfosgi.vm;

import static org.bpfosgi.vm.LoadedProgram.*;

import org.bpfosgi.isa.Bpf;

/**
 * Models kernel/bpf/core.c {@code ___bpf_prog_run()}, the BPF interpreter, with the semantics of
 * RFC 9669: one switch over pre-decoded instructions ({@link LoadedProgram}), registers in an
 * array, memory through {@link Memory}'s cached fast path, nothing allocated per instruction.
 * bpf-to-bpf calls push a frame (return address, r6-r9 and r10 saved and restored on exit, a fresh
 * 512-byte stack, at most {@link Bpf#MAX_CALL_FRAMES} frames); tail calls replace the running
 * program as {@code JMP_TAIL_CALL} does (at most {@link Bpf#MAX_TAIL_CALL_CNT} per run; a failed
 * tail call falls through). A Vm owns its stacks and is used by one thread at a time.
 */
public final class Vm {
    /**
     * @param insnLimit     stop with an {@link Oops.Kind#INSN_LIMIT} oops after this many instructions
     * @param mayGotoBudget how many {@code may_goto}s fall through before they jump
     *                      (the kernel's {@code BPF_MAX_LOOPS})
     */
    public record Options(long insnLimit, long mayGotoBudget) {
        public static final Options DEFAULT = new Options(Long.MAX_VALUE);

        public Options(long insnLimit) { this(insnLimit, BPF_MAX_LOOPS); }
    }

    private static final int FRAMES = Bpf.MAX_CALL_FRAMES;
    /** include/linux/bpf.h BPF_MAX_LOOPS: the iteration budget of may_goto. */
    static final long BPF_MAX_LOOPS = 8 * 1024 * 1024;

    private final Memory mem;
    private final Bindings bindings;
    private final Options options;
    private final Region[] stacks = new Region[FRAMES];
    private final long[] regs = new long[16];
    private final int[] retPc = new int[FRAMES];
    private final LoadedProgram[] retProg = new LoadedProgram[FRAMES];
    private final long[] saved = new long[FRAMES * 5];
    private final CallContext ctx;

    public Vm(Memory memory, Bindings bindings) { this(memory, bindings, Options.DEFAULT); }

    public Vm(Memory memory, Bindings bindings, Options options) {
        this.mem = memory;
        this.bindings = bindings;
        this.options = options;
        this.ctx = new CallContext(memory);
        for (int i = 0; i < FRAMES; i++) stacks[i] = memory.allocate("stack[" + i + "]", Bpf.MAX_BPF_STACK, Region.Access.READ_WRITE);
    }

    public Memory memory() { return mem; }

    /**
     * Unmaps this Vm's stacks (a Vm made for one nested run, e.g. a struct_ops program called
     * through its trampoline from a kfunc, gives its stacks back); the Vm is unusable afterwards.
     */
    public void release() {
        for (Region s : stacks) {
            if (s != null && !s.isFreed()) mem.free(s);
        }
    }

    /** The stack region of frame {@code depth}. */
    public Region stack(int depth) { return stacks[depth]; }

    /** Runs with r1 = {@code r1} (the context) and r2-r5 zero. */
    public Outcome run(LoadedProgram prog, long r1) { return run(prog, r1, 0, 0, 0, 0); }

    /** Runs a program. Never throws: every failure is an {@link Oops}. */
    public Outcome run(LoadedProgram prog, long r1, long r2, long r3, long r4, long r5) {
        final long[] r = regs;
        final Memory m = mem;
        java.util.Arrays.fill(r, 0);
        r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5;
        r[10] = stacks[0].end();
        long[] code = prog.code;
        long limit = options.insnLimit();
        long executed = 0;
        int depth = 0;
        int tailCalls = 0;
        long mayGoto = options.mayGotoBudget();
        int pc = 0;
        LoadedProgram cur = prog;
        if (prog.readsJiffies) Jiffies.update(m);
        try {
            for (;;) {
                long w = code[pc];
                if (++executed > limit) return new Oops(Oops.Kind.INSN_LIMIT, pc, 0, 0, "instruction limit " + limit + " reached", executed - 1);
                int op = (int) w & 0x1ff;
                int dst = ((int) w >>> 9) & 0xf;
                int off = (short) (w >>> 13);
                int imm = (int) (w >>> 32);
                int src = imm & 0xf;
                pc++;
                switch (op) {
                    // ALU64, immediate (sign-extended to 64 bits)
                    case 0x07 -> r[dst] += imm;
                    case 0x17 -> r[dst] -= imm;
                    case 0x27 -> r[dst] *= imm;
                    case 0x37 -> r[dst] = imm == 0 ? 0 : Long.divideUnsigned(r[dst], imm);
                    case 0x47 -> r[dst] |= imm;
                    case 0x57 -> r[dst] &= imm;
                    case 0x67 -> r[dst] <<= imm;
                    case 0x77 -> r[dst] >>>= imm;
                    case 0x87 -> r[dst] = -r[dst];
                    case 0x97 -> { if (imm != 0) r[dst] = Long.remainderUnsigned(r[dst], imm); }
                    case 0xa7 -> r[dst] ^= imm;
                    case 0xb7 -> r[dst] = imm;
                    case 0xc7 -> r[dst] >>= imm;
                    // ALU64, register
                    case 0x0f -> r[dst] += r[src];
                    case 0x1f -> r[dst] -= r[src];
                    case 0x2f -> r[dst] *= r[src];
                    case 0x3f -> { long s = r[src]; r[dst] = s == 0 ? 0 : Long.divideUnsigned(r[dst], s); }
                    case 0x4f -> r[dst] |= r[src];
                    case 0x5f -> r[dst] &= r[src];
                    case 0x6f -> r[dst] <<= r[src];
                    case 0x7f -> r[dst] >>>= r[src];
                    case 0x9f -> { long s = r[src]; if (s != 0) r[dst] = Long.remainderUnsigned(r[dst], s); }
                    case 0xaf -> r[dst] ^= r[src];
                    case 0xbf -> r[dst] = r[src];
                    case 0xcf -> r[dst] >>= r[src];
                    // ALU32, immediate: results zero-extended
                    case 0x04 -> r[dst] = ((int) r[dst] + imm) & 0xffffffffL;
                    case 0x14 -> r[dst] = ((int) r[dst] - imm) & 0xffffffffL;
                    case 0x24 -> r[dst] = ((int) r[dst] * imm) & 0xffffffffL;
                    case 0x34 -> r[dst] = imm == 0 ? 0 : Integer.divideUnsigned((int) r[dst], imm) & 0xffffffffL;
                    case 0x44 -> r[dst] = ((int) r[dst] | imm) & 0xffffffffL;
                    case 0x54 -> r[dst] = ((int) r[dst] & imm) & 0xffffffffL;
                    case 0x64 -> r[dst] = ((int) r[dst] << imm) & 0xffffffffL;
                    case 0x74 -> r[dst] = ((int) r[dst] >>> imm) & 0xffffffffL;
                    case 0x84 -> r[dst] = (-(int) r[dst]) & 0xffffffffL;
                    case 0x94 -> r[dst] = (imm == 0 ? (int) r[dst] : Integer.remainderUnsigned((int) r[dst], imm)) & 0xffffffffL;
                    case 0xa4 -> r[dst] = ((int) r[dst] ^ imm) & 0xffffffffL;
                    case 0xb4 -> r[dst] = imm & 0xffffffffL;
                    case 0xc4 -> r[dst] = ((int) r[dst] >> imm) & 0xffffffffL;
                    // ALU32, register
                    case 0x0c -> r[dst] = ((int) r[dst] + (int) r[src]) & 0xffffffffL;
                    case 0x1c -> r[dst] = ((int) r[dst] - (int) r[src]) & 0xffffffffL;
                    case 0x2c -> r[dst] = ((int) r[dst] * (int) r[src]) & 0xffffffffL;
                    case 0x3c -> { int s = (int) r[src]; r[dst] = s == 0 ? 0 : Integer.divideUnsigned((int) r[dst], s) & 0xffffffffL; }
                    case 0x4c -> r[dst] = ((int) r[dst] | (int) r[src]) & 0xffffffffL;
                    case 0x5c -> r[dst] = ((int) r[dst] & (int) r[src]) & 0xffffffffL;
                    case 0x6c -> r[dst] = ((int) r[dst] << (int) r[src]) & 0xffffffffL;
                    case 0x7c -> r[dst] = ((int) r[dst] >>> (int) r[src]) & 0xffffffffL;
                    case 0x9c -> { int s = (int) r[src]; r[dst] = (s == 0 ? (int) r[dst] : Integer.remainderUnsigned((int) r[dst], s)) & 0xffffffffL; }
                    case 0xac -> r[dst] = ((int) r[dst] ^ (int) r[src]) & 0xffffffffL;
                    case 0xbc -> r[dst] = r[src] & 0xffffffffL;
                    case 0xcc -> r[dst] = ((int) r[dst] >> (int) r[src]) & 0xffffffffL;
                    // cpu v4 signed division (off = 1)
                    case SDIV64_K -> r[dst] = imm == 0 ? 0 : r[dst] / imm;
                    case SDIV64_X -> { long s = r[src]; r[dst] = s == 0 ? 0 : r[dst] / s; }
                    case SMOD64_K -> { if (imm != 0) r[dst] = r[dst] % imm; }
                    case SMOD64_X -> { long s = r[src]; if (s != 0) r[dst] = r[dst] % s; }
                    case SDIV32_K -> r[dst] = imm == 0 ? 0 : ((int) r[dst] / imm) & 0xffffffffL;
                    case SDIV32_X -> { int s = (int) r[src]; r[dst] = s == 0 ? 0 : ((int) r[dst] / s) & 0xffffffffL; }
                    case SMOD32_K -> r[dst] = (imm == 0 ? (int) r[dst] : (int) r[dst] % imm) & 0xffffffffL;
                    case SMOD32_X -> { int s = (int) r[src]; r[dst] = (s == 0 ? (int) r[dst] : (int) r[dst] % s) & 0xffffffffL; }
                    // cpu v4 sign-extending moves
                    // BPF_MOV64_PERCPU_REG: this CPU's copy of the per-cpu pointer (x86-64: add gs:[this_cpu_off])
                    case MOV64_PERCPU -> r[dst] = r[src] + PerCpu.offset(m, 0);
                    case MOVSX64_8 -> r[dst] = (byte) r[src];
                    case MOVSX64_16 -> r[dst] = (short) r[src];
                    case MOVSX64_32 -> r[dst] = (int) r[src];
                    case MOVSX32_8 -> r[dst] = ((byte) r[src]) & 0xffffffffL;
                    case MOVSX32_16 -> r[dst] = ((short) r[src]) & 0xffffffffL;
                    // byte order: the host is little-endian, so "le" truncates and "be"/bswap swaps
                    case LE16 -> r[dst] &= 0xffffL;
                    case LE32 -> r[dst] &= 0xffffffffL;
                    case LE64 -> { }
                    case BE16 -> r[dst] = Short.reverseBytes((short) r[dst]) & 0xffffL;
                    case BE32 -> r[dst] = Integer.reverseBytes((int) r[dst]) & 0xffffffffL;
                    case BE64 -> r[dst] = Long.reverseBytes(r[dst]);
                    case LDDW -> { r[dst] = cur.imm64[pc - 1]; pc++; }
                    // loads
                    case 0x71 -> r[dst] = m.ld8(r[src] + off);
                    case 0x69 -> r[dst] = m.ld16(r[src] + off);
                    case 0x61 -> r[dst] = m.ld32(r[src] + off);
                    case 0x79 -> r[dst] = m.ld64(r[src] + off);
                    case 0x91 -> r[dst] = (byte) m.ld8(r[src] + off);
                    case 0x89 -> r[dst] = (short) m.ld16(r[src] + off);
                    case 0x81 -> r[dst] = (int) m.ld32(r[src] + off);
                    // stores
                    case 0x72 -> m.st8(r[dst] + off, imm);
                    case 0x6a -> m.st16(r[dst] + off, imm);
                    case 0x62 -> m.st32(r[dst] + off, imm);
                    case 0x7a -> m.st64(r[dst] + off, imm);
                    case 0x73 -> m.st8(r[dst] + off, r[src]);
                    case 0x6b -> m.st16(r[dst] + off, r[src]);
                    case 0x63 -> m.st32(r[dst] + off, r[src]);
                    case 0x7b -> m.st64(r[dst] + off, r[src]);
                    // atomics (one thread runs a Vm, so read-modify-write is atomic here)
                    case A64_ADD -> { long a = r[dst] + off; m.st64(a, m.ld64(a) + r[src]); }
                    case A64_OR -> { long a = r[dst] + off; m.st64(a, m.ld64(a) | r[src]); }
                    case A64_AND -> { long a = r[dst] + off; m.st64(a, m.ld64(a) & r[src]); }
                    case A64_XOR -> { long a = r[dst] + off; m.st64(a, m.ld64(a) ^ r[src]); }
                    case A64_FADD -> { long a = r[dst] + off; long o = m.ld64(a); m.st64(a, o + r[src]); r[src] = o; }
                    case A64_FOR -> { long a = r[dst] + off; long o = m.ld64(a); m.st64(a, o | r[src]); r[src] = o; }
                    case A64_FAND -> { long a = r[dst] + off; long o = m.ld64(a); m.st64(a, o & r[src]); r[src] = o; }
                    case A64_FXOR -> { long a = r[dst] + off; long o = m.ld64(a); m.st64(a, o ^ r[src]); r[src] = o; }
                    case A64_XCHG -> { long a = r[dst] + off; long o = m.ld64(a); m.st64(a, r[src]); r[src] = o; }
                    case A64_CMPXCHG -> { long a = r[dst] + off; long o = m.ld64(a); if (o == r[0]) m.st64(a, r[src]); r[0] = o; }
                    case A32_ADD -> { long a = r[dst] + off; m.st32(a, m.ld32(a) + r[src]); }
                    case A32_OR -> { long a = r[dst] + off; m.st32(a, m.ld32(a) | r[src]); }
                    case A32_AND -> { long a = r[dst] + off; m.st32(a, m.ld32(a) & r[src]); }
                    case A32_XOR -> { long a = r[dst] + off; m.st32(a, m.ld32(a) ^ r[src]); }
                    case A32_FADD -> { long a = r[dst] + off; long o = m.ld32(a); m.st32(a, o + r[src]); r[src] = o; }
                    case A32_FOR -> { long a = r[dst] + off; long o = m.ld32(a); m.st32(a, o | r[src]); r[src] = o; }
                    case A32_FAND -> { long a = r[dst] + off; long o = m.ld32(a); m.st32(a, o & r[src]); r[src] = o; }
                    case A32_FXOR -> { long a = r[dst] + off; long o = m.ld32(a); m.st32(a, o ^ r[src]); r[src] = o; }
                    case A32_XCHG -> { long a = r[dst] + off; long o = m.ld32(a); m.st32(a, r[src]); r[src] = o; }
                    case A32_CMPXCHG -> { long a = r[dst] + off; long o = m.ld32(a); if ((int) o == (int) r[0]) m.st32(a, r[src]); r[0] = o; }
                    case LOAD_ACQ -> r[dst] = m.load(r[src] + off, sizeOf(cur, pc - 1));
                    case STORE_REL -> m.store(r[dst] + off, sizeOf(cur, pc - 1), r[src]);
                    // jumps: 64-bit compare, immediate sign-extended
                    case 0x05 -> pc += off;
                    case GOTOL -> pc += imm;
                    // may_goto: the verifier gives each program a budget of BPF_MAX_LOOPS iterations and
                    // jumps once it is spent; modelled as one budget per run (Options.mayGotoBudget).
                    case MAY_GOTO -> { if (--mayGoto < 0) pc += off; }
                    case 0x15 -> { if (r[dst] == imm) pc += off; }
                    case 0x1d -> { if (r[dst] == r[src]) pc += off; }
                    case 0x55 -> { if (r[dst] != imm) pc += off; }
                    case 0x5d -> { if (r[dst] != r[src]) pc += off; }
                    case 0x25 -> { if (r[dst] + Long.MIN_VALUE > (long) imm + Long.MIN_VALUE) pc += off; }
                    case 0x2d -> { if (r[dst] + Long.MIN_VALUE > r[src] + Long.MIN_VALUE) pc += off; }
                    case 0x35 -> { if (r[dst] + Long.MIN_VALUE >= (long) imm + Long.MIN_VALUE) pc += off; }
                    case 0x3d -> { if (r[dst] + Long.MIN_VALUE >= r[src] + Long.MIN_VALUE) pc += off; }
                    case 0xa5 -> { if (r[dst] + Long.MIN_VALUE < (long) imm + Long.MIN_VALUE) pc += off; }
                    case 0xad -> { if (r[dst] + Long.MIN_VALUE < r[src] + Long.MIN_VALUE) pc += off; }
                    case 0xb5 -> { if (r[dst] + Long.MIN_VALUE <= (long) imm + Long.MIN_VALUE) pc += off; }
                    case 0xbd -> { if (r[dst] + Long.MIN_VALUE <= r[src] + Long.MIN_VALUE) pc += off; }
                    case 0x45 -> { if ((r[dst] & imm) != 0) pc += off; }
                    case 0x4d -> { if ((r[dst] & r[src]) != 0) pc += off; }
                    case 0x65 -> { if (r[dst] > imm) pc += off; }
                    case 0x6d -> { if (r[dst] > r[src]) pc += off; }
                    case 0x75 -> { if (r[dst] >= imm) pc += off; }
                    case 0x7d -> { if (r[dst] >= r[src]) pc += off; }
                    case 0xc5 -> { if (r[dst] < imm) pc += off; }
                    case 0xcd -> { if (r[dst] < r[src]) pc += off; }
                    case 0xd5 -> { if (r[dst] <= imm) pc += off; }
                    case 0xdd -> { if (r[dst] <= r[src]) pc += off; }
                    // jumps: 32-bit compare
                    case 0x16 -> { if ((int) r[dst] == imm) pc += off; }
                    case 0x1e -> { if ((int) r[dst] == (int) r[src]) pc += off; }
                    case 0x56 -> { if ((int) r[dst] != imm) pc += off; }
                    case 0x5e -> { if ((int) r[dst] != (int) r[src]) pc += off; }
                    case 0x26 -> { if ((int) r[dst] + Integer.MIN_VALUE > imm + Integer.MIN_VALUE) pc += off; }
                    case 0x2e -> { if ((int) r[dst] + Integer.MIN_VALUE > (int) r[src] + Integer.MIN_VALUE) pc += off; }
                    case 0x36 -> { if ((int) r[dst] + Integer.MIN_VALUE >= imm + Integer.MIN_VALUE) pc += off; }
                    case 0x3e -> { if ((int) r[dst] + Integer.MIN_VALUE >= (int) r[src] + Integer.MIN_VALUE) pc += off; }
                    case 0xa6 -> { if ((int) r[dst] + Integer.MIN_VALUE < imm + Integer.MIN_VALUE) pc += off; }
                    case 0xae -> { if ((int) r[dst] + Integer.MIN_VALUE < (int) r[src] + Integer.MIN_VALUE) pc += off; }
                    case 0xb6 -> { if ((int) r[dst] + Integer.MIN_VALUE <= imm + Integer.MIN_VALUE) pc += off; }
                    case 0xbe -> { if ((int) r[dst] + Integer.MIN_VALUE <= (int) r[src] + Integer.MIN_VALUE) pc += off; }
                    case 0x46 -> { if (((int) r[dst] & imm) != 0) pc += off; }
                    case 0x4e -> { if (((int) r[dst] & (int) r[src]) != 0) pc += off; }
                    case 0x66 -> { if ((int) r[dst] > imm) pc += off; }
                    case 0x6e -> { if ((int) r[dst] > (int) r[src]) pc += off; }
                    case 0x76 -> { if ((int) r[dst] >= imm) pc += off; }
                    case 0x7e -> { if ((int) r[dst] >= (int) r[src]) pc += off; }
                    case 0xc6 -> { if ((int) r[dst] < imm) pc += off; }
                    case 0xce -> { if ((int) r[dst] < (int) r[src]) pc += off; }
                    case 0xd6 -> { if ((int) r[dst] <= imm) pc += off; }
                    case 0xde -> { if ((int) r[dst] <= (int) r[src]) pc += off; }
                    // calls
                    case CALL_HELPER, CALL_KFUNC -> {
                        BpfFunction f = cur.targets[pc - 1];
                        if (f == null) return new Oops(Oops.Kind.UNKNOWN_FUNCTION, pc - 1, 0, 0, unbound(op, imm), executed);
                        r[0] = call(f, pc - 1, depth, r);
                    }
                    case CALLX -> {
                        long id = r[dst];
                        BpfFunction f = id == (int) id ? bindings.helper((int) id) : null;
                        if (f == null) return new Oops(Oops.Kind.UNKNOWN_FUNCTION, pc - 1, 0, 0, "callx to unknown helper " + id, executed);
                        r[0] = call(f, pc - 1, depth, r);
                    }
                    case CALL_LOCAL -> {
                        if (depth + 1 >= FRAMES)
                            return new Oops(Oops.Kind.CALL_DEPTH, pc - 1, 0, 0, "the call stack of " + FRAMES + " frames is too deep", executed);
                        retPc[depth] = pc;
                        retProg[depth] = cur;
                        int s = depth * 5;
                        saved[s] = r[6]; saved[s + 1] = r[7]; saved[s + 2] = r[8]; saved[s + 3] = r[9]; saved[s + 4] = r[10];
                        depth++;
                        r[10] = stacks[depth].end();
                        pc += imm;
                    }
                    case TAIL_CALL -> {
                        // JMP_TAIL_CALL: r2 = prog array, r3 = index; on any failure, fall through.
                        ProgArray a = bindings.progArray(r[2]);
                        long index = r[3] & 0xffffffffL;
                        if (a == null || index >= a.maxEntries() || tailCalls >= Bpf.MAX_TAIL_CALL_CNT) break;
                        tailCalls++;
                        LoadedProgram next = a.get((int) index);
                        if (next == null) break;
                        if (next.readsJiffies) Jiffies.update(m);
                        cur = next;
                        code = next.code;
                        pc = 0;
                    }
                    case 0x95 -> {
                        if (depth == 0) return new Exit(r[0], executed);
                        depth--;
                        int s = depth * 5;
                        r[6] = saved[s]; r[7] = saved[s + 1]; r[8] = saved[s + 2]; r[9] = saved[s + 3]; r[10] = saved[s + 4];
                        cur = retProg[depth];
                        code = cur.code;
                        pc = retPc[depth];
                    }
                    default -> {
                        String why = cur.invalid[pc - 1];
                        return new Oops(Oops.Kind.INVALID_INSN, pc - 1, 0, 0, why != null ? why : String.format("unknown opcode %02x", op & 0xff), executed);
                    }
                }
            }
        } catch (MemoryFault f) {
            int at = f.kind() == Oops.Kind.FUNCTION_FAILED ? ctx.insn : pc - 1;
            return new Oops(f.kind(), at, f.address(), f.size(), f.getMessage(), executed);
        } catch (RuntimeException | StackOverflowError e) {
            // A helper or kfunc threw: contained, as the model of a misbehaving module.
            return new Oops(Oops.Kind.FUNCTION_FAILED, ctx.insn, 0, 0, "function threw " + e, executed);
        }
    }

    private long call(BpfFunction f, int insn, int depth, long[] r) {
        ctx.insn = insn;
        ctx.depth = depth;
        return f.call(ctx, r[1], r[2], r[3], r[4], r[5]);
    }

    private static int sizeOf(LoadedProgram p, int i) {
        return Bpf.bpf_size_to_bytes(Bpf.BPF_SIZE(p.wire[i]));
    }

    private static String unbound(int op, int imm) {
        return op == CALL_KFUNC ? "call to a kfunc nobody bound (btf id " + imm + ")" : "call to helper " + imm + " nobody bound";
    }
}
