package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;
import static org.bpfosgi.isa.Macros.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * check_ld_imm() (v6.12 kernel/bpf/verifier.c) and the src_reg switch of resolve_pseudo_ldimm64():
 * a non-zero off in the first half of the pair is "BPF_LD_IMM64 uses reserved fields" (-EINVAL,
 * checked before the destination register), an unknown src_reg "unrecognized bpf_ld_imm64 insn"
 * (-EINVAL, before do_check()). Live answers: {@code ldimm/ldimm.tsv}, made by
 * {@code ldimm/probe.py}. The two "bpf verifier is misconfigured" answers no program reaches are
 * checked on a crafted {@link DoCheck}.
 */
class CheckLdImmTest {
    private TestKernel k;

    @BeforeEach
    void boot() {
        k = new TestKernel();
        k.loadTestmod();
    }

    @AfterEach
    void noLeaks() {
        k.progs.list().forEach(p -> k.progs.free(p.id()));
        k.assertNoReferencesLeft();
    }

    private static List<String[]> golden() {
        List<String[]> rows = new ArrayList<>();
        for (String line : TestKernel.resource("/org/bpfosgi/verifier/ldimm/ldimm.tsv").split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    /** The model loads each recorded program (as struct_ops) with the kernel's verdict, errno, error line and processed count. */
    @Test
    void theModelAnswersAsTheLiveKernel() {
        List<String[]> rows = golden();
        assertEquals(11, rows.size());
        for (String[] row : rows) {
            String name = row[0];
            int dst = Integer.parseInt(row[1]);
            int src = Integer.parseInt(row[2]);
            int off = Integer.parseInt(row[3]);
            int imm = Integer.parseInt(row[4]);
            List<Insn> insns = List.of(new Insn(BPF_LD | BPF_IMM | BPF_DW, dst, src, off, imm), new Insn(0, 0, 0, 0, 0),
                    BPF_EXIT_INSN());
            ProgLoadResult r = k.progs.load(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns));
            if (r.ok()) {
                k.progs.free(r.prog().id());
            }
            String verdict = r.ok() ? "OK" : r.errno().orElseThrow().name();
            assertEquals(row[5], verdict, name + ":\n" + r.log());
            List<String> lines = r.log().lines().toList();
            int p = 0;
            while (p < lines.size() && !lines.get(p).startsWith("processed ")) {
                p++;
            }
            assertTrue(p < lines.size(), name + ": no processed line:\n" + r.log());
            assertEquals(row[6], r.ok() || p == 0 ? "" : lines.get(p - 1), name + ":\n" + r.log());
            assertEquals(row[7], lines.get(p).split(" ")[1], name + ":\n" + r.log());
            k.assertNoReferencesLeft();
        }
    }

    /** A DoCheck over {@code insns} at instruction 0 of the main frame (R1 ctx, R10 fp). */
    private DoCheck dc(List<Insn> insns) {
        VerifierEnv env = new VerifierEnv(k.attr(RejectionTest.prog("r0 = 0\nexit"), 1).withInsns(insns),
                new BpfProgAux("t"), k.services);
        env.subprogStarts.add(0);
        env.subprogStarts.add(insns.size());
        env.subprogStackDepth = new int[1];
        DoCheck dc = new DoCheck(env, new boolean[insns.size()]);
        VerifierState st = new VerifierState();
        FuncState f = new FuncState(-1, 0, 0);
        f.regs[BPF_REG_1] = RegState.ctx();
        f.regs[BPF_REG_FP] = RegState.stack(0, 0);
        st.frame[0] = f;
        dc.cur = st;
        return dc;
    }

    private static List<Insn> ldImm(int src, long imm) {
        List<Insn> l = new ArrayList<>(BPF_LD_IMM64_RAW(BPF_REG_0, src, imm));
        l.add(BPF_EXIT_INSN());
        return l;
    }

    /**
     * BPF_PSEUDO_BTF_ID whose aux->btf_var is neither PTR_TO_MEM nor PTR_TO_BTF_ID (a zeroed aux:
     * NOT_INIT; or another type): "bpf verifier is misconfigured", -EFAULT, R0 untouched.
     * check_pseudo_btf_id() never leaves such an aux, so only a crafted env reaches it.
     */
    @Test
    void pseudoBtfIdOfAnotherTypeIsMisconfiguredEfault() {
        List<Insn> insns = ldImm(BPF_PSEUDO_BTF_ID, 0);
        DoCheck dc = dc(insns);
        assertEquals(Errno.EFAULT.negative(), CheckLdImm.run(dc, 0, insns.get(0), insns.get(1)));
        assertEquals("bpf verifier is misconfigured\n", dc.env.log.toString());
        assertFalse(dc.reg(BPF_REG_0).isScalar());

        DoCheck dc2 = dc(insns);
        dc2.env.btfVars.put(0, new BtfVarAux(RegType.SCALAR_VALUE, 0, 0, null, 0));
        assertEquals(Errno.EFAULT.negative(), CheckLdImm.run(dc2, 0, insns.get(0), insns.get(1)));
        assertEquals("bpf verifier is misconfigured\n", dc2.env.log.toString());
    }

    /**
     * A src_reg check_ld_imm() has no case for (BPF_PSEUDO_FUNC here, which the model's
     * resolve_pseudo_ldimm64() refuses since callbacks are not modelled; 7 and up, which the
     * kernel's refuses): its final else, "bpf verifier is misconfigured", -EINVAL in v6.12.
     */
    @Test
    void srcRegWithoutACaseIsMisconfiguredEinval() {
        for (int src : new int[] {BPF_PSEUDO_FUNC, 7, 15}) {
            List<Insn> insns = ldImm(src, 0);
            DoCheck dc = dc(insns);
            assertEquals(Errno.EINVAL.negative(), CheckLdImm.run(dc, 0, insns.get(0), insns.get(1)), "src " + src);
            assertEquals("bpf verifier is misconfigured\n", dc.env.log.toString());
        }
    }

    /** The plain constant: a known scalar in dst, no log. */
    @Test
    void plainConstantIsAKnownScalar() {
        List<Insn> insns = ldImm(0, 0x1234_5678_9abcL);
        DoCheck dc = dc(insns);
        assertEquals(0, CheckLdImm.run(dc, 0, insns.get(0), insns.get(1)));
        assertTrue(dc.reg(BPF_REG_0).isScalar());
        assertEquals(RegState.scalar(0x1234_5678_9abcL), dc.reg(BPF_REG_0));
        assertEquals("", dc.env.log.toString());
    }

    /** Where bpf() works, probe.py --check still prints ldimm.tsv. Skipped elsewhere. */
    @Test
    void liveKernelStillGivesTheRecordedAnswers() throws Exception {
        String recorded = TestKernel.resource("/org/bpfosgi/verifier/ldimm/ldimm.tsv");
        String out = LiveRecheck.run(Path.of("src", "test", "resources", "org", "bpfosgi", "verifier", "ldimm", "probe.py"),
                release -> recorded.startsWith("# " + release + "\n"), 60);
        assertEquals(recorded, out);
    }
}
