package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.BpfProg;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgRunner;
import org.bpfosgi.vm.Exit;
import org.bpfosgi.vm.LoadedProgram;
import org.bpfosgi.vm.Memory;
import org.bpfosgi.vm.Outcome;
import org.bpfosgi.vm.Region;
import org.bpfosgi.vm.Vm;
import org.junit.jupiter.api.Test;

/**
 * The verifier's point: what it accepts cannot oops. A seeded generator writes thousands of
 * struct_ops programs — mostly well-formed (args reads and writes, stack spills, ALU, kfunc and
 * helper calls, null checks, acquire/release, bounded loops, bpf-to-bpf calls), some malicious
 * (out-of-bounds stack and struct accesses, bad ctx offsets, pointer arithmetic, wild jumps, raw
 * random instructions). No input may make bpf_check throw; every accepted program then runs in
 * the interpreter against bpf_testmod's kfuncs with real argument memory and must exit normally.
 */
class SoundnessTest {
    private static final int PROGRAMS = Integer.getInteger("soundness.programs", 4000);
    /** Print the commonest rejections (to tune the generator). */
    private static final boolean REASONS = Boolean.getBoolean("soundness.reasons");
    private final java.util.Map<String, Integer> reasons = new java.util.HashMap<>();

    @Test
    void theSelftestBodyRunsAndCountsLikeTheKernel() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        ProgLoadResult r = k.load(ProEpilogueBodiesTest.body("test_prologue"));
        assertTrue(r.ok(), r.log());
        Memory m = new Memory();
        Region args = m.allocate("st_ops_args", 8, Region.Access.READ_WRITE);
        Region ctx = m.map("ctx", le64(args.start()), Region.Access.READ_ONLY);
        Outcome o = ProgRunner.run(new Vm(m, org.bpfosgi.vm.Bindings.NONE), ProgRunner.prepare(r.prog(), k.registry.kallsyms()), ctx.start());
        assertEquals(new Exit(11, ((Exit) o).executed()), o, o.toString());
        assertEquals(11, m.ld64(args.start()), "a += 10 (inc10), a += 1 (subprog)");
        k.progs.free(r.prog().id());
    }

    @Test
    void aStackBufferPassedToInc10IsWrittenByTheKfunc() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        // KF_ARG_PTR_TO_MEM: the kfunc writes a += 10 into the program's stack
        ProgLoadResult r = k.load(RejectionTest.prog("r2 = 5\n*(u64 *)(r10 -8) = r2\nr1 = r10\nr1 += -8\n"
                + "call bpf_kfunc_st_ops_inc10\nr0 = *(u64 *)(r10 -8)\nexit"));
        assertTrue(r.ok(), r.log());
        Memory m = new Memory();
        Region args = m.allocate("st_ops_args", 8, Region.Access.READ_WRITE);
        Region ctx = m.map("ctx", le64(args.start()), Region.Access.READ_ONLY);
        Outcome o = ProgRunner.run(new Vm(m, org.bpfosgi.vm.Bindings.NONE), ProgRunner.prepare(r.prog(), k.registry.kallsyms()), ctx.start());
        assertTrue(o instanceof Exit, o.toString());
        assertEquals(15, ((Exit) o).r0(), o.toString());
        assertEquals(0, m.ld64(args.start()), "the args were not touched");
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void acceptedProgramsNeverOops() {
        TestKernel k = new TestKernel();
        k.loadTestmod();
        Random rnd = new Random(Long.getLong("soundness.seed", 0x5eed));
        int accepted = 0;
        int acceptedWithMaps = 0;
        int acceptedWithCalls = 0;
        int ran = 0;
        BpfProgLoadAttr template = k.attr(RejectionTest.prog("r1 = *(u64 *)(r1 +0)\ncall bpf_kfunc_st_ops_inc10\nr0 = 0\nexit"), 0);
        java.util.Map<String, Integer> maps = maps(k);
        for (int n = 0; n < PROGRAMS; n++) {
            String text = new Gen(rnd).program();
            BpfProgLoadAttr attr;
            try {
                attr = k.attr(text, maps);
            } catch (RuntimeException e) {
                continue; // the generator wrote something the assembler refuses: not the verifier's concern
            }
            List<Insn> insns = new ArrayList<>(attr.insns());
            if (rnd.nextInt(8) == 0) {
                mutate(rnd, insns);
            }
            attr = new BpfProgLoadAttr(attr.progType(), insns, attr.license(), attr.name(), attr.attachBtf(),
                    attr.attachBtfId(), attr.expectedAttachType(), template.fdArray(), 0, attr.progFlags(), attr.capabilities());
            ProgLoadResult r;
            try {
                r = k.progs.load(attr);
            } catch (RuntimeException e) {
                fail("bpf_check threw on\n" + dump(insns), e);
                return;
            }
            if (r.err() == org.bpfosgi.errno.Errno.EFAULT.negative()) {
                ProgLoadResult again = k.progs.load(attr.withLogLevel(1));
                assertFalse(again.log().contains("verifier bug"), again.log());
            }
            if (!r.ok()) {
                if (REASONS) {
                    String log = k.progs.load(attr.withLogLevel(1)).log();
                    String[] lines = log.split("\n");
                    reasons.merge(lines.length >= 2 ? lines[lines.length - 2].replaceAll("[0-9]+", "N") : "?", 1, Integer::sum);
                }
                k.assertNoReferencesLeft();
                continue;
            }
            accepted++;
            if (text.contains(" ll")) {
                acceptedWithMaps++;
            }
            if (text.contains("call fn")) {
                acceptedWithCalls++;
            }
            ran += runIt(k, r.prog(), rnd);
            k.progs.free(r.prog().id());
            k.assertNoReferencesLeft();
        }
        System.out.printf("soundness: %d programs, %d accepted (%d with map values, %d with bounding subprogram calls), %d ran%n",
                PROGRAMS, accepted, acceptedWithMaps, acceptedWithCalls, ran);
        reasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(15)
                .forEach(e -> System.out.println("  " + e.getValue() + " " + e.getKey()));
        assertTrue(accepted > PROGRAMS / 10, "the generator should mostly write acceptable programs: " + accepted);
        assertTrue(acceptedWithMaps > PROGRAMS / 50, "accepted programs should use map values: " + acceptedWithMaps);
        assertTrue(acceptedWithCalls > PROGRAMS / 50, "accepted programs should call bounding subprograms: " + acceptedWithCalls);
    }

    /** .rodata's bytes: 1, 2, ... 16. */
    private static final byte[] RODATA = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    /**
     * The maps generated programs use: an array (4 x 48 bytes), a hash (8-byte keys, 16-byte
     * values, 4 entries), and global data as libbpf makes it: .data (16 bytes) and a frozen
     * read-only .rodata holding {@link #RODATA}.
     */
    private static java.util.Map<String, Integer> maps(TestKernel k) {
        var t = k.runtime().maps();
        return java.util.Map.of(
                "arr", k.createMap(org.bpfosgi.structops.MapCreateAttr.of(org.bpfosgi.structops.BpfMapType.ARRAY, "arr", 4, 48, 4, 0)),
                "h", k.createMap(org.bpfosgi.structops.MapCreateAttr.of(org.bpfosgi.structops.BpfMapType.HASH, "h", 8, 16, 4, 0)),
                "data", t.createGlobalData("s.data", 16, null, org.bpfosgi.structops.MapCreateAttr.BPF_F_MMAPABLE, false).map().id(),
                "ro", t.createGlobalData("s.rodata", 16, RODATA, org.bpfosgi.structops.MapCreateAttr.BPF_F_RDONLY_PROG
                        | org.bpfosgi.structops.MapCreateAttr.BPF_F_MMAPABLE, true).map().id());
    }

    /** Runs in the kernel memory the maps live in, with fresh args and ctx regions (freed afterwards). */
    private static int runIt(TestKernel k, BpfProg p, Random rnd) {
        org.bpfosgi.structops.StructOpsKernel so = k.runtime();
        synchronized (so.lock()) {
            Memory m = so.memory();
            Region args = m.allocate("st_ops_args", 8, Region.Access.READ_WRITE);
            m.st64(args.start(), rnd.nextLong());
            Region ctx = m.map("ctx", le64(args.start()), Region.Access.READ_ONLY);
            try {
                LoadedProgram lp = ProgRunner.prepare(p, k.registry.kallsyms());
                Outcome o = new Vm(m, org.bpfosgi.vm.Bindings.NONE, new Vm.Options(20_000_000)).run(lp, ctx.start());
                if (!(o instanceof Exit) && !nullIntoAnUntrustedKfunc(p, o)) {
                    fail("an accepted program oopsed: " + o + "\n" + dump(p.insns()));
                }
            } finally {
                m.free(ctx);
                m.free(args);
            }
        }
        return 1;
    }

    /**
     * The one oops the 6.12 verifier lets through on purpose: a known NULL passed to a kfunc
     * without KF_TRUSTED_ARGS (check_kfunc_args(): KF_ARG_PTR_TO_MEM, and check_mem_reg() returns 0
     * for register_is_null()). Such a kfunc must cope with NULL; bpf_testmod's inc10 does not (its
     * selftests never pass NULL at run time), so in the kernel, too, this is the kfunc's bug, not
     * the verifier's. (From 2026, trusted args are the default and the verifier refuses it.)
     */
    private static boolean nullIntoAnUntrustedKfunc(BpfProg p, Outcome o) {
        if (!(o instanceof org.bpfosgi.vm.Oops oops) || oops.address() != 0 || oops.insn() < 0 || oops.insn() >= p.insns().size()) {
            return false;
        }
        Insn call = p.insns().get(oops.insn());
        return call.code() == 0x85 && call.src() == 2 && p.aux().kfuncTab().stream()
                .anyMatch(d -> d.imm() == call.imm() && d.name().equals("bpf_kfunc_st_ops_inc10"));
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static String dump(List<Insn> insns) {
        return String.join("\n", Disassembler.dump(insns, Disassembler.Style.BPFTOOL, Disassembler.NONE));
    }

    /** Malice on the instruction level: one slot replaced by random bits, or a jump retargeted. */
    private static void mutate(Random rnd, List<Insn> insns) {
        int i = rnd.nextInt(insns.size());
        if (rnd.nextBoolean()) {
            insns.set(i, new Insn(rnd.nextInt(256), rnd.nextInt(16), rnd.nextInt(16), rnd.nextInt(65536) - 32768,
                    rnd.nextInt(8) == 0 ? rnd.nextInt() : rnd.nextInt(64) - 32));
        } else {
            Insn in = insns.get(i);
            insns.set(i, in.withOff(rnd.nextInt(40) - 20));
        }
    }

    /** Writes one program text. */
    private static final class Gen {
        private static final String[] SIZES = {"u8", "u16", "u32", "u64"};
        private final Random rnd;
        private final StringBuilder sb = new StringBuilder();
        private int label;
        /** Registers the program has written (read from only these, unless malicious). */
        private final boolean[] init = new boolean[10];
        /** bpf-to-bpf subprograms the snippets call, appended after main's exit. */
        private final StringBuilder subs = new StringBuilder();

        Gen(Random rnd) {
            this.rnd = rnd;
        }

        private int r(int bound) {
            return rnd.nextInt(bound);
        }

        private boolean malice() {
            return r(12) == 0;
        }

        private void emit(String s) {
            sb.append("    ").append(s).append('\n');
        }

        String program() {
            sb.append(".license \"GPL\"\nSEC(\"struct_ops/test_prologue\")\nmain:\n");
            init[1] = true;
            if (r(10) != 0) {
                emit("r6 = *(u64 *)(r1 +0)");
                init[6] = true;
            }
            if (r(3) == 0) {
                emit("r7 = r1");
                init[7] = true;
            }
            for (int i : new int[] {0, 2, 3, 4, 5, 8, 9}) {
                if (r(4) != 0) {
                    emit("r" + i + " = " + (r(64) - 16));
                    init[i] = true;
                }
            }
            int n = 3 + r(25);
            for (int i = 0; i < n; i++) {
                snippet();
            }
            boolean sub = r(4) == 0;
            if (sub) {
                emit("r1 = r6");
                emit("call subprog");
            }
            if (r(12) != 0) {
                emit("r0 = " + (r(100) - 50));
            }
            emit("exit");
            if (sub) {
                sb.append("subprog:\n");
                emit("r2 = *(u64 *)(r1 +0)");
                emit("r2 += 1");
                emit("*(u64 *)(r1 +0) = r2");
                emit("r0 = r2");
                emit("exit");
            }
            sb.append(subs);
            return sb.toString();
        }

        /**
         * A bpf-to-bpf call whose result is a stack offset: the callee bounds an unknown scalar
         * (passed in R1, or read from a caller's stack slot through a pointer in R1) with a branch
         * of its own, and the caller adds R0 to fp - 16 and stores a byte there. Pruning inside
         * and after the callee depends on read marks and precision across frames (R0 back to the
         * caller, R1 into the callee, the slot through the pointer); a wrong mark would let an
         * out-of-frame offset through. Unless malicious, the bound keeps it in [fp-16, fp-1].
         */
        private void callee() {
            String f = "fn" + label++;
            int bound = malice() ? 16 + r(24) : 15;
            boolean viaStack = r(2) == 0;
            emit("r2 = *(u64 *)(r6 +0)");
            if (viaStack) {
                emit("*(u64 *)(r10 -24) = r2");
                emit("r1 = r10");
                emit("r1 += -24");
            } else {
                emit("r1 = r2");
            }
            emit("call " + f);
            for (int i = 1; i <= 5; i++) {
                init[i] = false; // caller-saved registers are NOT_INIT after a call
            }
            init[0] = true;
            emit("r3 = r10");
            emit("r3 += -16");
            emit("r3 += r0");
            emit("*(u8 *)(r3 +0) = 1");
            StringBuilder body = new StringBuilder(f + ":\n");
            if (viaStack) {
                body.append("    r1 = *(u64 *)(r1 +0)\n");
            }
            body.append("    if r1 & 1 goto ").append(f).append("_odd\n");
            body.append("    r1 >>= 1\n");
            body.append(f).append("_odd:\n");
            body.append("    if r1 > ").append(bound).append(" goto ").append(f).append("_big\n");
            body.append("    r0 = r1\n");
            body.append("    exit\n");
            body.append(f).append("_big:\n");
            body.append("    r0 = ").append(malice() ? 16 + r(8) : r(16)).append("\n");
            body.append("    exit\n");
            subs.append(body);
        }

        /**
         * A variable-offset stack access: a random value masked (sometimes shifted down, or made
         * signed), added to fp + base, then a store or load of 1-8 bytes at a random insn offset.
         * Misaligned, out-of-frame and unbounded offsets are the verifier's to refuse.
         */
        private void varOffStack() {
            long[] masks = {1, 3, 7, 8, 0xc, 0x18, 0x38, 0xf8, 0x1f8, 0x7ffffff8L, 0xff, -8};
            int[] bases = {-8, -16, -32, -64, -256, -512, 0};
            int sizeIdx = r(4);
            int size = 1 << sizeIdx;
            long mask;
            int base;
            int off = 0;
            if (malice()) {
                mask = masks[r(masks.length)];
                base = bases[r(bases.length)];
                off = r(3) == 0 ? -8 * r(3) : r(4) == 0 ? r(8) - 4 : 0;
            } else {
                // aligned and inside the frame: a multiple of the size, below fp - (mask + size)
                mask = (long) size * (1 + r(7)) & ~(long) (size - 1);
                base = -(int) (mask + size) - 8 * r(20);
            }
            emit("r2 = *(u64 *)(r6 +0)");
            emit("r2 &= " + mask);
            emit("r3 = r10");
            emit("r3 += " + base);
            emit("r3 += r2");
            String o = off < 0 ? String.valueOf(off) : "+" + off;
            if (r(2) == 0) {
                emit("*(" + SIZES[sizeIdx] + " *)(r3 " + o + ") = " + (r(2) == 0 ? "r2" : "1"));
            } else {
                emit("r4 = *(" + SIZES[sizeIdx] + " *)(r3 " + o + ")");
                init[4] = true;
            }
            init[2] = true;
            init[3] = false;
        }

        /**
         * A random value through one or two ALU operations (64- or 32-bit) and a bounding branch,
         * then used as a byte offset below fp-64: accepted exactly when the scalar bounds prove it
         * stays in the frame, so a bounds bug shows up as an oops.
         */
        private void boundedOffset() {
            String[] ops = {"+=", "-=", "*=", "|=", "&=", "^=", "<<=", ">>=", "s>>=", "/=", "%="};
            emit("r2 = *(u64 *)(r6 +0)");
            emit("r2 &= " + (new int[] {0xf, 0x3f, 0xff, 0xffff})[r(4)]);
            for (int i = 0; i <= r(2); i++) {
                String op = ops[r(ops.length)];
                String w = r(3) == 0 ? "w2" : "r2";
                int k = op.contains("<") || op.contains(">") ? r(8) : op.equals("/=") || op.equals("%=") ? 1 + r(9) : r(40) - 8;
                emit(w + " " + op + " " + k);
            }
            if (malice()) {
                String[] cmp = {">", ">=", "s>", "s>=", "<", "<="};
                emit("if " + (r(4) == 0 ? "w2" : "r2") + " " + cmp[r(cmp.length)] + " " + r(80) + " goto +4");
            } else {
                emit("if r2 > " + r(64) + " goto +4");
            }
            emit("r3 = r10");
            emit("r3 += -64");
            emit("r3 += r2");
            emit("*(u8 *)(r3 +0) = 1");
            init[2] = true;
            init[3] = false;
        }

        /**
         * A lookup in the array (key 0-5: 4 and 5 are past the end, NULL) or the hash (sometimes
         * updated first), the null check (left out when malicious), then a load or store at a
         * constant or variable offset into the value; in bounds unless malicious.
         */
        private void mapValue() {
            boolean hash = r(3) == 0;
            int vs = hash ? 16 : 48;
            int size = 1 << r(4);
            boolean var = r(2) == 0;
            if (var) {
                if (init[6]) {
                    emit("r9 = *(u64 *)(r6 +0)");
                } else {
                    emit("call bpf_get_prandom_u32");
                    emit("r9 = r0");
                    clobber();
                }
                init[9] = true;
            }
            if (hash) {
                emit("*(u64 *)(r10 -8) = " + r(6));
                if (r(2) == 0) {
                    emit("*(u64 *)(r10 -24) = " + r(100));
                    emit("*(u64 *)(r10 -16) = " + r(100));
                    emit("r1 = h ll");
                    emit("r2 = r10");
                    emit("r2 += -8");
                    emit("r3 = r10");
                    emit("r3 += -24");
                    emit("r4 = " + (malice() ? r(4) : 0));
                    emit("call bpf_map_update_elem");
                }
                emit("r1 = h ll");
            } else {
                emit("*(u32 *)(r10 -8) = " + r(6));
                emit("r1 = arr ll");
            }
            emit("r2 = r10");
            emit("r2 += -8");
            emit("call bpf_map_lookup_elem");
            clobber();
            String l = "l" + label++;
            if (!malice()) {
                emit("if r0 == 0 goto " + l);
            }
            int maxVar = vs - size;
            int off;
            if (var) {
                long mask;
                if (malice()) {
                    mask = new long[] {7, 15, 31, 63, 0xff, 0xffffffffL, -1}[r(7)];
                    off = r(vs + 16) - 8;
                } else {
                    int bits = 31 - Integer.numberOfLeadingZeros(maxVar + 1);
                    mask = (1L << r(bits + 1)) - 1;
                    off = r((int) (maxVar - mask) + 1);
                }
                emit("r9 &= " + mask);
                emit("r0 += r9");
            } else {
                off = malice() ? r(vs + 16) - 8 : r(maxVar + 1);
            }
            String o = off < 0 ? String.valueOf(off) : "+" + off;
            if (r(2) == 0) {
                emit("*(" + SIZES[Integer.numberOfTrailingZeros(size)] + " *)(r0 " + o + ") = " + r(1000));
            } else {
                emit("r3 = *(" + SIZES[Integer.numberOfTrailingZeros(size)] + " *)(r0 " + o + ")");
            }
            sb.append(l).append(":\n");
            emit("r0 = 0");
        }

        /**
         * Global data: a store into .data, or a read of the frozen .rodata, which the verifier
         * knows as a constant: a comparison with the value it holds guards a dereference of the
         * scalar, so the program is accepted only if that constant is right at run time.
         */
        private void globalData() {
            if (r(2) == 0) {
                int size = 1 << r(4);
                int voff = 4 * r(4);
                int off = malice() ? r(24) - 4 : 16 - voff - size < 0 ? -voff : r(16 - voff - size + 1);
                emit("r1 = data + " + voff + " ll");
                emit("*(" + SIZES[Integer.numberOfTrailingZeros(size)] + " *)(r1 " + (off < 0 ? "" : "+") + off + ") = " + r(1000));
            } else {
                int voff = 4 * r(4);
                long v = (RODATA[voff] & 0xff) | (RODATA[voff + 1] & 0xff) << 8 | (RODATA[voff + 2] & 0xff) << 16
                        | (long) (RODATA[voff + 3] & 0xff) << 24;
                String l = "l" + label++;
                emit("r1 = " + (malice() && r(2) == 0 ? "data" : "ro") + " + " + voff + " ll");
                emit("r3 = *(u32 *)(r1 +0)");
                emit("if r3 == " + (malice() ? v + r(2) : v) + " goto " + l);
                emit("r3 = *(u64 *)(r3 +0)");
                sb.append(l).append(":\n");
            }
            clobberR1R3();
        }

        private void clobberR1R3() {
            init[1] = false;
            init[3] = true;
        }

        /** A register to read: an initialised one (any, when malicious). */
        private String reg() {
            if (malice()) {
                return "r" + r(10);
            }
            for (int t = 0; t < 20; t++) {
                int i = r(10);
                if (init[i] && i != 6 && i != 7 && i != 1) {
                    return "r" + i;
                }
            }
            return "r10";
        }

        /** A register to write: a scalar one (r6/r7 keep their pointers unless malicious). */
        private int dstNo() {
            int[] ok = {0, 2, 3, 4, 5, 8, 9};
            return malice() ? r(10) : ok[r(ok.length)];
        }

        private String dst() {
            int i = dstNo();
            init[i] = true;
            return "r" + i;
        }

        private String wreg() {
            int i = dstNo();
            if (!init[i] && !malice()) {
                emit("r" + i + " = " + r(100));
            }
            init[i] = true;
            return (r(3) == 0 ? "w" : "r") + i;
        }

        private void clobber() {
            for (int i = 1; i <= 5; i++) {
                init[i] = false;
            }
            init[0] = true;
        }

        private void snippet() {
            switch (r(20)) {
                case 0 -> emit(dst() + " = " + (r(2000) - 1000));
                case 1 -> emit(dst().replace('r', 'w') + " = " + r(1 << 20));
                case 2 -> {
                    String[] ops = {"+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>=", "s>>="};
                    String op = ops[r(ops.length)];
                    String d = wreg();
                    String sreg = reg();
                    String src = r(2) == 0 && !sreg.equals("r10") ? (d.charAt(0) + sreg.substring(1)) : String.valueOf(op.contains("<") || op.contains(">") ? r(32) : r(100) - 50);
                    emit(d + " " + op + " " + src);
                }
                case 3 -> emit(dst() + " = *(u64 *)(r6 +" + (malice() ? r(24) - 8 : 0) + ")");
                case 4 -> emit("*(u64 *)(r6 +" + (malice() ? r(24) - 8 : 0) + ") = " + reg());
                case 5 -> {
                    int off = malice() ? -(r(600)) : -8 * (1 + r(8));
                    emit("*(u64 *)(r10 " + off + ") = " + reg());
                }
                case 6 -> {
                    int off = malice() ? -(r(600)) : -8 * (1 + r(8));
                    emit(dst() + " = *(u64 *)(r10 " + off + ")");
                }
                case 7 -> {
                    emit("r1 = " + (malice() ? reg() : "r6"));
                    emit("call bpf_kfunc_st_ops_inc10");
                    clobber();
                }
                case 8 -> {
                    emit(r(2) == 0 ? "call bpf_ktime_get_ns" : "call bpf_get_prandom_u32");
                    clobber();
                }
                case 9 -> {
                    String[] cmp = {"==", "!=", ">", ">=", "<", "<=", "s>", "s<", "&"};
                    int skip = malice() ? r(30) - 10 : r(3);
                    emit("if " + reg() + " " + cmp[r(cmp.length)] + " " + (r(20) - 5) + " goto " + (skip >= 0 ? "+" : "") + skip);
                    for (int i = 0; i < Math.max(skip, 0); i++) {
                        emit("r" + (8 + r(2)) + " = " + r(10));
                    }
                }
                case 10 -> {
                    emit("r1 = " + r(10));
                    emit("call bpf_cgroup_from_id");
                    if (!malice()) {
                        emit("if r0 == 0 goto +2");
                    }
                    emit("r1 = r0");
                    if (!malice()) {
                        emit("call bpf_cgroup_release");
                    }
                    clobber();
                }
                case 11 -> {
                    String l = "l" + label++;
                    String x = "r" + (6 + r(4));
                    if (x.equals("r6")) {
                        x = "r8";
                    }
                    emit(x + " = 0");
                    sb.append(l).append(":\n");
                    emit(x + " += 1");
                    emit("if " + x + " < " + (1 + r(20)) + " goto " + l);
                }
                case 12 -> {
                    emit("r2 = r10");
                    emit("r2 += " + (malice() ? r(40) - 560 : -8 * (1 + r(8))));
                    emit("*(u64 *)(r2 +0) = " + reg());
                    init[2] = false;
                }
                case 13 -> {
                    emit("r2 = *(u64 *)(r6 +0)");
                    emit("r2 &= " + (malice() ? r(1024) : 7));
                    emit("r3 = r10");
                    emit("r3 += -16");
                    emit("r3 += r2");
                    emit("*(u8 *)(r3 +0) = 1");
                    init[2] = true;
                    init[3] = false;
                }
                case 18 -> callee();
                case 16 -> mapValue();
                case 17 -> globalData();
                case 14 -> varOffStack();
                case 15 -> boundedOffset();
                default -> {
                    if (malice()) {
                        emit("r2 = *(u64 *)(r1 +" + 8 * r(3) + ")");
                    } else {
                        emit("r0 = r6");
                    }
                }
            }
        }
    }
}
