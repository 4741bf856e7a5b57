package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.junit.jupiter.api.Test;

/**
 * The seed's question "must bpf-qdisc be built-in?" ({@code --modular bpf_qdisc}), answered by
 * each kfunc policy for the two generated sequences: the init prologue's call of
 * bpf_qdisc_init_prologue and the reset/destroy epilogue's call of
 * bpf_qdisc_reset_destroy_epilogue. Built in (the kernel's only configuration: CONFIG_NET_SCH_BPF
 * is a bool) all three policies load both. As a module, its kfuncs have split-BTF ids and live
 * in module text:
 * <ul>
 * <li>{@code seed}: fixup_pro_epilogue_kfunc() gives the call kfunc_btf_tab offset 1 and takes a
 * module reference, held until the program is freed (rmmod is -EWOULDBLOCK meanwhile);</li>
 * <li>{@code upstream}: add_kfunc_in_insns() passes off 0, add_kfunc_call() looks the split id up
 * in vmlinux BTF: "kernel btf_id %u is not a function", -EINVAL;</li>
 * <li>{@code emit-call}: BPF_EMIT_CALL into module text is refused (-EINVAL), unless the load asks
 * for unsafe-module-calls — then nothing holds the module.</li>
 * </ul>
 */
class QdiscModularTest {
    private static final String INIT = "    r0 = 0\n    exit\n";
    private static final String RESET = "    exit\n";

    private static ProgLoadResult ok(QdiscMachine m, String member, String body, KfuncPolicy p, boolean unsafe) {
        ProgLoadResult r = m.load(member, body, p, unsafe);
        assertTrue(r.ok(), p + " " + member + ":\n" + r.log());
        return r;
    }

    /** The generated kfunc call in the xlated program: off and whether it is a kfunc (or a plain call). */
    private static Insn generatedCall(ProgLoadResult r) {
        return r.prog().insns().stream().filter(Insn::isCall).findFirst().orElseThrow();
    }

    @Test
    void builtInEveryPolicyLoadsInitResetAndDestroy() {
        QdiscMachine m = new QdiscMachine();
        for (KfuncPolicy p : KfuncPolicy.values()) {
            ProgLoadResult init = ok(m, "init", INIT, p, false);
            assertEquals(9, init.prog().insns().size(), "8-insn prologue + the program's exit");
            Insn call = generatedCall(init);
            assertEquals(p == KfuncPolicy.EMIT_CALL, call.isHelperCall(), p.toString());
            assertEquals(0, call.off(), "vmlinux: off 0");
            ok(m, "reset", RESET, p, false);
            ok(m, "destroy", RESET, p, false);
        }
    }

    @Test
    void seedPinsTheModuleFromTheGeneratedCode() {
        QdiscMachine m = new QdiscMachine(true);
        ProgLoadResult init = ok(m, "init", INIT, KfuncPolicy.SEED, false);
        assertTrue(generatedCall(init).isKfuncCall());
        assertEquals(1, generatedCall(init).off(), "the module BTF's kfunc_btf_tab offset");
        ProgLoadResult reset = ok(m, "reset", RESET, KfuncPolicy.SEED, false);
        assertEquals(1, generatedCall(reset).off());
        assertEquals(2, m.module.refcount(), "one reference per program's kfunc_btf_tab entry");
        assertEquals(Errno.EWOULDBLOCK.negative(), m.modules.deleteModule("bpf_qdisc", ModuleTable.O_NONBLOCK).ret());
        assertTrue(m.module.isLive());
        m.pk.progs().free(init.prog().id());
        assertEquals(1, m.module.refcount());
        m.pk.progs().free(reset.prog().id());
        assertEquals(0, m.module.refcount());
        assertEquals(0, m.modules.deleteModule("bpf_qdisc", ModuleTable.O_NONBLOCK).ret());
    }

    @Test
    void upstreamFailsAsTheKernelWouldForAModuleKfuncWithOffZero() {
        QdiscMachine m = new QdiscMachine(true);
        int prologueId = m.types().initPrologueId;
        int epilogueId = m.types().resetDestroyEpilogueId;
        assertTrue(prologueId >= m.btf.vmlinux().btf().nrTypes(), "a split-BTF id, past vmlinux's types");
        assertTrue(m.btf.vmlinux().btf().findByNameKind("bpf_qdisc_init_prologue", BtfKind.FUNC) < 0,
                "vmlinux BTF has no bpf_qdisc kfunc");
        for (String member : List.of("init", "reset", "destroy")) {
            ProgLoadResult r = m.load(member, member.equals("init") ? INIT : RESET, KfuncPolicy.UPSTREAM, false);
            assertFalse(r.ok(), r.log());
            assertEquals(Errno.EINVAL, r.errno().orElseThrow());
            int id = member.equals("init") ? prologueId : epilogueId;
            assertTrue(r.log().contains("kernel btf_id " + id + " is not a function\n"), r.log());
        }
        assertEquals(0, m.module.refcount(), "a failed load holds nothing");
        // a program without generated code does not care where bpf_qdisc lives
        ok(m, "dequeue", "    r0 = 0\n    exit\n", KfuncPolicy.UPSTREAM, false);
    }

    @Test
    void emitCallRefusesModuleTextUnlessUnsafe() {
        QdiscMachine m = new QdiscMachine(true);
        ProgLoadResult r = m.load("init", INIT, KfuncPolicy.EMIT_CALL, false);
        assertEquals(Errno.EINVAL, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("bpf-osgi: gen_prologue calls bpf_qdisc_init_prologue in module bpf_qdisc text; "
                + "functions called from a pro/epilogue must be in kernel text"), r.log());
        r = m.load("destroy", RESET, KfuncPolicy.EMIT_CALL, false);
        assertTrue(r.log().contains("bpf-osgi: gen_epilogue calls bpf_qdisc_reset_destroy_epilogue in module bpf_qdisc"),
                r.log());
        ProgLoadResult unsafe = ok(m, "init", INIT, KfuncPolicy.EMIT_CALL, true);
        assertTrue(generatedCall(unsafe).isHelperCall());
        assertEquals(0, m.module.refcount(), "BPF_EMIT_CALL takes no module reference");
        assertEquals(0, m.modules.deleteModule("bpf_qdisc", ModuleTable.O_NONBLOCK).ret(),
                "so the module goes while a program still calls into its text");
    }
}
