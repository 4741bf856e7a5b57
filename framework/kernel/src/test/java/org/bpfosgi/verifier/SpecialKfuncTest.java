package org.bpfosgi.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Macros;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.GenPrologue;
import org.bpfosgi.subsystem.KfuncPolicy;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.Test;

/**
 * The seed's fixup_pro_epilogue_kfunc() refuses a vmlinux member of special_kfunc_set in a
 * pro/epilogue: "pro/epilogue cannot use special kfunc" (-EINVAL), holding nothing.
 */
class SpecialKfuncTest {
    @Test
    void aSpecialVmlinuxKfuncInAPrologueIsRefused() {
        TestKernel k = new TestKernel("__bpf_kfunc void *bpf_cast_to_kern_ctx(void *obj);\n");
        GenPrologue gen = (buf, dw, prog) -> {
            buf.add(Macros.BPF_CALL_KFUNC(0, prog.findBtfId("bpf_cast_to_kern_ctx", BtfKind.FUNC)));
            buf.add(prog.firstInsn());
            return buf.written(); // no *module = THIS_MODULE: vmlinux
        };
        k.loadTestmod(new TestKernel.WithoutGenerators(new BpfTestmod()) {
            @Override
            public Optional<GenPrologue> genPrologue() {
                return Optional.of(gen);
            }
        }, true);
        ProgLoadResult r = k.load(GeneratorFailureTest.NO_KFUNC.replace("test_pro_epilogue", "test_prologue"),
                KfuncPolicy.SEED, false);
        assertEquals(Errno.EINVAL, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("pro/epilogue cannot use special kfunc\n"), r.log());
        k.assertNoReferencesLeft();
        assertEquals(0, k.testmod.refcount());
    }
}
