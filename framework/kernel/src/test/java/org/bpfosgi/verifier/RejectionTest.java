package org.bpfosgi.verifier;

import static org.bpfosgi.errno.Errno.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.isa.Macros;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.Kfunc;
import org.bpfosgi.subsystem.KfuncSet;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.testmod.BpfTestmod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One rejection per check: the kernel's message and errno, and no reference left behind
 * (asserted after every load by {@link TestKernel#assertRejected}).
 */
class RejectionTest {
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

    static String prog(String body) {
        return ".license \"GPL\"\nSEC(\"struct_ops/test_prologue\")\nmain:\n" + body + "\n";
    }

    private ProgLoadResult loadAttr(BpfProgLoadAttr a) {
        return k.progs.load(a.withLogLevel(1));
    }

    private void assertAttrRejected(BpfProgLoadAttr a, Errno e, String msg) {
        ProgLoadResult r = loadAttr(a);
        assertFalse(r.ok(), r.log());
        assertEquals(e, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains(msg), "log lacks [" + msg + "]:\n" + r.log());
        k.assertNoReferencesLeft();
    }

    private static List<Insn> withInsn(List<Insn> insns, int i, Insn n) {
        List<Insn> l = new ArrayList<>(insns);
        l.set(i, n);
        return l;
    }

    // ------------------------------------------------------------ check_struct_ops_btf_id

    private static BpfProgLoadAttr named(BpfProgLoadAttr a, String name, List<Insn> insns, int caps) {
        return new BpfProgLoadAttr(a.progType(), insns, a.license(), name, a.attachBtf(), a.attachBtfId(),
                a.expectedAttachType(), a.fdArray(), a.logLevel(), a.progFlags(), caps);
    }

    @Test
    void bpfProgLoadChecksInTheKernelsOrder() {
        BpfProgLoadAttr a = k.attr(prog("r0 = 0\nexit"), 0);
        // insn_cnt == 0 is -E2BIG like too many instructions
        assertEquals(E2BIG.negative(), k.progs.load(named(a, "ok", List.of(), a.capabilities())).err());
        // capability first, then the instruction count, then the name (copied after bpf_prog_alloc())
        assertEquals(EPERM.negative(), k.progs.load(named(a, "bad name!", List.of(), 0)).err());
        assertEquals(E2BIG.negative(), k.progs.load(named(a, "bad name!", List.of(), a.capabilities())).err());
        assertEquals(EINVAL.negative(), k.progs.load(named(a, "bad name!", a.insns(), a.capabilities())).err());
        // bpf_obj_name_cpy(): ASCII isalnum, '_' and '.', at most BPF_OBJ_NAME_LEN - 1 bytes
        assertEquals(EINVAL.negative(), k.progs.load(named(a, "caf\u00e9", a.insns(), a.capabilities())).err());
        assertEquals(EINVAL.negative(), k.progs.load(named(a, "x\u0663", a.insns(), a.capabilities())).err());
        assertEquals(EINVAL.negative(), k.progs.load(named(a, "a234567890123456", a.insns(), a.capabilities())).err());
        ProgLoadResult r = k.progs.load(named(a, "A_b.9012345678x", a.insns(), a.capabilities()));
        assertTrue(r.ok(), r.log());
        k.progs.free(r.prog().id());
        k.assertNoReferencesLeft();
    }

    @Test
    void licenseNotGpl() {
        k.assertRejected(prog("r0 = 0\nexit").replace("\"GPL\"", "\"Proprietary\""), EINVAL,
                "struct ops programs must have a GPL compatible license\n");
    }

    @Test
    void noAttachBtfId() {
        BpfProgLoadAttr a = k.attr(prog("r0 = 0\nexit"), 1);
        a = new BpfProgLoadAttr(a.progType(), a.insns(), a.license(), a.name(), a.attachBtf(), 0, 0, a.fdArray(), 1, 0,
                BpfProgLoadAttr.CAPS_ROOT);
        ProgLoadResult r = loadAttr(a);
        assertEquals(ENOTSUPP, r.errno().orElseThrow());
    }

    @Test
    void notAStructOpsType() {
        BpfProgLoadAttr a = k.attr(prog("r0 = 0\nexit"), 1);
        int args = k.testmodBtf.btf().findByNameKind("st_ops_args", BtfKind.STRUCT);
        a = new BpfProgLoadAttr(a.progType(), a.insns(), a.license(), a.name(), a.attachBtf(), args, 0, a.fdArray(), 1, 0,
                BpfProgLoadAttr.CAPS_ROOT);
        assertAttrRejected(a, ENOTSUPP, "attach_btf_id " + args + " is not a supported struct\n");
    }

    @Test
    void invalidMemberIdx() {
        BpfProgLoadAttr a = k.attr(prog("r0 = 0\nexit"), 1);
        a = new BpfProgLoadAttr(a.progType(), a.insns(), a.license(), a.name(), a.attachBtf(), a.attachBtfId(), 7,
                a.fdArray(), 1, 0, BpfProgLoadAttr.CAPS_ROOT);
        assertAttrRejected(a, EINVAL, "attach to invalid member idx 7 of struct bpf_testmod_st_ops\n");
    }

    @Test
    void memberNotAFunction() {
        BpfProgLoadAttr a = k.attr(prog("r0 = 0\nexit"), 1);
        a = new BpfProgLoadAttr(a.progType(), a.insns(), a.license(), a.name(), a.attachBtf(), a.attachBtfId(), 3,
                a.fdArray(), 1, 0, BpfProgLoadAttr.CAPS_ROOT);
        assertAttrRejected(a, EINVAL, "attach to invalid member owner(@idx 3) of struct bpf_testmod_st_ops\n");
    }

    @Test
    void unsupportedMember() {
        TestKernel k2 = new TestKernel();
        BpfTestmod real = new BpfTestmod();
        StructOps stOps = real.structOps().get(0);
        k2.loadTestmod(new BpfSubsystem() {
            @Override
            public List<StructOps> structOps() {
                return List.of(new ForwardingStructOps(stOps) {
                    @Override
                    public Set<String> cfiStubs() {
                        return Set.of("test_epilogue", "test_pro_epilogue");
                    }
                });
            }

            @Override
            public List<KfuncSet> kfuncSets() {
                return real.kfuncSets();
            }

            @Override
            public Map<String, Kfunc> functions() {
                return real.functions();
            }
        }, true);
        k2.assertRejected(prog("r0 = 0\nexit"), ENOTSUPP, "attach to unsupported member test_prologue of struct bpf_testmod_st_ops\n");
    }

    @Test
    void structOpsModuleNotLive() {
        TestKernel k2 = new TestKernel();
        k2.loadTestmod(new BpfTestmod(), false); // COMING: registered its BTF, init not run yet
        k2.registry.register(k2.testmod, k2.testmodBtf, new BpfTestmod());
        ProgLoadResult r = k2.load(prog("r0 = 0\nexit"));
        assertEquals(ENOTSUPP, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains("struct_ops module bpf_testmod is not found\n"), r.log());
        assertEquals(1, k2.testmod.refcount(), "only the init hold: " + k2.testmod.holders());
    }

    // ------------------------------------------------------------ prepare_func_exit

    @Test
    void aSubprogramReturnsNoStackPointerNotEvenTheCallers() {
        // prepare_func_exit() refuses every PTR_TO_STACK in R0 ("let's be conservative"), the
        // caller's stack as well as the callee's own
        k.assertRejected(prog("r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\nr0 = r1\nexit"), EINVAL,
                "cannot return stack pointer to the caller\n");
        k.assertRejected(prog("call f\nr0 = 0\nexit\nf:\nr0 = r10\nr0 += -8\nexit"), EINVAL,
                "cannot return stack pointer to the caller\n");
        // the same subprogram returning a scalar loads
        assertTrue(k.load(prog("r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\nr0 = 0\nexit")).ok());
    }

    // ------------------------------------------------------------ add_kfunc_call / find_kfunc_desc_btf

    static final String KFUNC = "r1 = *(u64 *)(r1 +0)\ncall bpf_kfunc_st_ops_inc10\nr0 = 0\nexit";

    @Test
    void kfuncFromNonGpl() {
        k.assertRejected(prog(KFUNC).replace("\"GPL\"", "\"MIT\""), EINVAL,
                "cannot call kernel function from non-GPL compatible program\n");
    }

    @Test
    void kfuncNegativeOffset() {
        BpfProgLoadAttr a = k.attr(prog(KFUNC), 1);
        Insn call = a.insns().get(1);
        assertAttrRejected(a.withInsns(withInsn(a.insns(), 1, call.withOff(-1))), EINVAL,
                "negative offset disallowed for kernel module function call\nfailed to find BTF for kernel function\n");
    }

    @Test
    void kfuncWithoutFdArray() {
        BpfProgLoadAttr a = k.attr(prog(KFUNC), 1);
        a = new BpfProgLoadAttr(a.progType(), a.insns(), a.license(), a.name(), a.attachBtf(), a.attachBtfId(),
                a.expectedAttachType(), null, 1, 0, BpfProgLoadAttr.CAPS_ROOT);
        assertAttrRejected(a, EPROTO, "kfunc offset > 0 without fd_array is invalid\n");
    }

    @Test
    void kfuncBadFd() {
        BpfProgLoadAttr a = k.attr(prog(KFUNC), 1);
        List<BtfObject> fds = new ArrayList<>();
        fds.add(null);
        fds.add(null);
        a = new BpfProgLoadAttr(a.progType(), a.insns(), a.license(), a.name(), a.attachBtf(), a.attachBtfId(),
                a.expectedAttachType(), fds, 1, 0, BpfProgLoadAttr.CAPS_ROOT);
        assertAttrRejected(a, EBADF, "invalid module BTF fd specified\n");
    }

    @Test
    void kfuncFdNotModuleBtf() {
        BpfProgLoadAttr a = k.attr(prog(KFUNC), 1);
        List<BtfObject> fds = new ArrayList<>();
        fds.add(null);
        fds.add(k.btfs.vmlinux());
        a = new BpfProgLoadAttr(a.progType(), a.insns(), a.license(), a.name(), a.attachBtf(), a.attachBtfId(),
                a.expectedAttachType(), fds, 1, 0, BpfProgLoadAttr.CAPS_ROOT);
        assertAttrRejected(a, EINVAL, "BTF fd for kfunc is not a module BTF\n");
    }

    @Test
    void kfuncIdNotAFunction() {
        BpfProgLoadAttr a = k.attr(prog(KFUNC), 1);
        int args = k.testmodBtf.btf().findByNameKind("st_ops_args", BtfKind.STRUCT);
        assertAttrRejected(a.withInsns(withInsn(a.insns(), 1, a.insns().get(1).withImm(args))), EINVAL,
                "kernel btf_id " + args + " is not a function\n");
    }

    @Test
    void kfuncWithoutAddress() {
        TestKernel k2 = new TestKernel();
        k2.loadTestmod(new BpfTestmod() {
            @Override
            public Map<String, Kfunc> functions() {
                return Map.of();
            }
        }, true);
        k2.assertRejected(prog(KFUNC), EINVAL, "cannot find address for kernel function bpf_kfunc_st_ops_inc10\n");
    }

    // ------------------------------------------------------------ check_kfunc_call

    @Test
    void kfuncNotInASet() {
        k.assertRejected(prog("r1 = *(u64 *)(r1 +0)\ncall bpf_kfunc_st_ops_inc100\nr0 = 0\nexit"), EACCES,
                "calling kernel function bpf_kfunc_st_ops_inc100 is not allowed\n");
    }

    @Test
    void sleepableKfunc() {
        k.assertRejected(prog("r1 = *(u64 *)(r1 +0)\ncall bpf_kfunc_st_ops_test_prologue\nr0 = 0\nexit"), EACCES,
                "program must be sleepable to call sleepable kfunc bpf_kfunc_st_ops_test_prologue\n");
        ProgLoadResult ok = k.load(prog("r1 = *(u64 *)(r1 +0)\ncall bpf_kfunc_st_ops_test_prologue\nr0 = 0\nexit")
                .replace("struct_ops/", "struct_ops.s/"));
        assertTrue(ok.ok(), ok.log());
    }

    @Test
    void kfuncArgWrongType() {
        // struct_ops has no named ctx type, so ctx is not KF_ARG_PTR_TO_CTX: struct st_ops_args is
        // all scalars, the ctx is memory (KF_ARG_PTR_TO_MEM), and check_mem_reg() probes the ctx
        // (no convert_ctx_access) with a 1-byte read at access_size - 1 = 7, which btf_ctx_access refuses
        k.assertRejected(prog("call bpf_kfunc_st_ops_inc10\nr0 = 0\nexit"), EACCES,
                "func 'test_prologue' offset 7 is not multiple of 8\ninvalid bpf_context access off=7 size=1\n");
    }

    @Test
    void kfuncUntrustedArgIsRefusedAsUntrustedBeforeAnyTypeCheck() {
        // a walked pointer (css.cgroup) is untrusted: a trusted-args kfunc says so first
        k.assertRejected(prog("r1 = 5\ncall bpf_cgroup_from_id\nif r0 == 0 goto out\nr6 = r0\nr1 = *(u64 *)(r0 +0)\n"
                + "call bpf_cgroup_release\nr1 = r6\ncall bpf_cgroup_release\nout:\nr0 = 0\nexit"), EINVAL,
                "R1 must be referenced or trusted\n");
        // without KF_TRUSTED_ARGS the unsafe modifier is the type mismatch of the second switch
        k.assertRejected(prog("r1 = 5\ncall bpf_cgroup_from_id\nif r0 == 0 goto out\nr6 = r0\nr1 = *(u64 *)(r0 +0)\n"
                + "call bpf_kfunc_st_ops_inc10\nr1 = r6\ncall bpf_cgroup_release\nout:\nr0 = 0\nexit"), EINVAL,
                "arg#0 is untrusted_ptr_ expected ptr_ or socket\n");
    }

    @Test
    void kfuncArgStackMemoryIsAccepted() {
        // struct st_ops_args { u64 a; } is a struct of scalars: a stack buffer is KF_ARG_PTR_TO_MEM
        ProgLoadResult r = k.load(prog("r2 = 5\n*(u64 *)(r10 -8) = r2\nr1 = r10\nr1 += -8\n"
                + "call bpf_kfunc_st_ops_inc10\nr0 = 0\nexit"));
        assertTrue(r.ok(), r.log());
        k.progs.free(r.prog().id());
    }

    @Test
    void kfuncArgStackMemoryMustBeInitialised() {
        // allocated_stack covers fp-16..fp-1, but fp-8..fp-1 were never written
        assertAttrRejected(k.attr(prog("r2 = 5\n*(u64 *)(r10 -16) = r2\nr1 = r10\nr1 += -8\n"
                + "call bpf_kfunc_st_ops_inc10\nr0 = 0\nexit"), 1).withCapabilities(BpfProgLoadAttr.CAP_BPF), EACCES,
                "invalid indirect read from stack R1 off -8+0 size 8\n");
    }

    @Test
    void kfuncArgStackMemoryTooSmall() {
        k.assertRejected(prog("r2 = 5\n*(u32 *)(r10 -4) = r2\nr1 = r10\nr1 += -4\n"
                + "call bpf_kfunc_st_ops_inc10\nr0 = 0\nexit"), EINVAL, "invalid indirect access to stack R1 off=-4 size=8\n");
        // (check_stack_access_within_bounds(): the end above the frame pointer is -EINVAL)
    }

    @Test
    void kfuncArgScalarIsNotMemory() {
        k.assertRejected(prog("r1 = 5\ncall bpf_kfunc_st_ops_inc10\nr0 = 0\nexit"), EACCES, "R1 type=scalar expected=fp\n");
    }

    @Test
    void kfuncArgKnownNullPassesCheckMemReg() {
        // check_mem_reg() returns 0 for register_is_null(); inc10 has no KF_TRUSTED_ARGS
        ProgLoadResult r = k.load(prog("r1 = 0\ncall bpf_kfunc_st_ops_inc10\nr0 = 0\nexit"));
        assertTrue(r.ok(), r.log());
        k.progs.free(r.prog().id());
    }

    @Test
    void kfuncWriteClobbersTheStack() {
        // the verifier may not believe fp-8 still holds 5 after inc10 wrote it
        k.assertRejected(prog("r2 = 5\n*(u64 *)(r10 -8) = r2\nr1 = r10\nr1 += -8\ncall bpf_kfunc_st_ops_inc10\n"
                + "r0 = *(u64 *)(r10 -8)\nif r0 == 5 goto out\nr1 = 0\nr0 = *(u64 *)(r1 +0)\nout:\nr0 = 0\nexit"),
                EACCES, "R1 invalid mem access 'scalar'\n");
    }

    @Test
    void kfuncScalarArgNotScalar() {
        k.assertRejected(prog("r1 = r10\ncall bpf_cgroup_from_id\nr0 = 0\nexit"), EINVAL, "R1 is not a scalar\n");
    }

    @Test
    void acquiredReferenceLeaks() {
        k.assertRejected(prog("r1 = 5\ncall bpf_cgroup_from_id\nr0 = 0\nexit"), EINVAL, "Unreleased reference id=1 alloc_insn=1\n");
    }

    @Test
    void acquireReleaseIsAccepted() {
        ProgLoadResult r = k.load(prog("r1 = 5\ncall bpf_cgroup_from_id\nif r0 == 0 goto out\nr1 = r0\n"
                + "call bpf_cgroup_release\nout:\nr0 = 0\nexit"));
        assertTrue(r.ok(), r.log());
    }

    @Test
    void releaseOfPossiblyNull() {
        k.assertRejected(prog("r1 = 5\ncall bpf_cgroup_from_id\nr1 = r0\ncall bpf_cgroup_release\nr0 = 0\nexit"), EACCES,
                "Possibly NULL pointer passed to trusted arg0\n");
    }

    @Test
    void useAfterRelease() {
        k.assertRejected(prog("r1 = 5\ncall bpf_cgroup_from_id\nif r0 == 0 goto out\nr6 = r0\nr1 = r0\n"
                + "call bpf_cgroup_release\nr0 = *(u64 *)(r6 +0)\nout:\nr0 = 0\nexit"), EACCES,
                // mark_reg_invalid(): a privileged program's released pointer becomes an unknown
                // scalar (the 6.18 kernel here answers this program with the same line)
                "R6 invalid mem access 'scalar'\n");
    }

    @Test
    void derefMaybeNull() {
        k.assertRejected(prog("r1 = 5\ncall bpf_cgroup_from_id\nr2 = *(u64 *)(r0 +0)\nr0 = 0\nexit"), EACCES,
                "R0 invalid mem access 'ptr_or_null_'\n");
    }

    @Test
    void arithmeticOnMaybeNull() {
        k.assertRejected(prog("r1 = 5\ncall bpf_cgroup_from_id\nr0 += 8\nr0 = 0\nexit"), EACCES,
                "R0 pointer arithmetic on ptr_or_null_ prohibited, null-check it first\n");
    }

    // ------------------------------------------------------------ registers, ALU, pointers

    @Test
    void readUninitRegister() {
        k.assertRejected(prog("r0 = r2\nexit"), EACCES, "R2 !read_ok\n");
    }

    @Test
    void writeFramePointer() {
        k.assertRejected(prog("r10 = 0\nr0 = 0\nexit"), EACCES, "frame pointer is read only\n");
    }

    @Test
    void returnWithoutR0() {
        k.assertRejected(prog("exit"), EACCES, "R0 !read_ok\n");
    }

    @Test
    void pointerLeakAsReturnValueWithoutPerfmon() {
        BpfProgLoadAttr a = k.attr(prog("r0 = r1\nexit"), 1).withCapabilities(BpfProgLoadAttr.CAP_BPF);
        assertAttrRejected(a, EACCES, "R0 leaks addr as return value\n");
    }

    @Test
    void divByZero() {
        k.assertRejected(prog("r0 = 1\nr0 /= 0\nexit"), EINVAL, "div by zero\n");
    }

    @Test
    void invalidShift() {
        k.assertRejected(prog("r0 = 1\nr0 <<= 64\nexit"), EINVAL, "invalid shift 64\n");
    }

    @Test
    void pointerBitwise() {
        k.assertRejected(prog("r1 &= 7\nr0 = 0\nexit"), EACCES, "R1 bitwise operator &= on pointer prohibited\n");
    }

    @Test
    void pointer32BitArithmetic() {
        k.assertRejected(prog("w1 += 1\nr0 = 0\nexit"), EACCES, "R1 32-bit pointer arithmetic prohibited\n");
    }

    @Test
    void pointerPlusPointer() {
        k.assertRejected(prog("r2 = r10\nr1 += r2\nr0 = 0\nexit"), EACCES, "R1 pointer += pointer prohibited\n");
    }

    @Test
    void scalarMinusPointer() {
        k.assertRejected(prog("r2 = 1\nr2 -= r1\nr0 = 0\nexit"), EACCES, "R2 tried to subtract pointer from scalar\n");
    }

    @Test
    void subtractionFromStackPointer() {
        k.assertRejected(prog("r2 = r10\nr2 -= 8\nr0 = 0\nexit"), EACCES, "R2 subtraction from stack pointer prohibited\n");
    }

    @Test
    void unboundedPointerMath() {
        k.assertRejected(prog("r1 = *(u64 *)(r1 +0)\nr2 = *(u64 *)(r1 +0)\nr3 = r10\nr3 += r2\nr0 = 0\nexit"), EINVAL,
                "math between fp pointer and register with unbounded min value is not allowed\n");
    }

    // ------------------------------------------------------------ stack

    @Test
    void stackOutOfBounds() {
        k.assertRejected(prog("*(u64 *)(r10 -520) = r1\nr0 = 0\nexit"), EACCES, "invalid write to stack R10 off=-520 size=8\n");
    }

    @Test
    void stackAboveFramePointer() {
        k.assertRejected(prog("r0 = *(u64 *)(r10 +0)\nexit"), EACCES, "invalid read from stack R10 off=0 size=8\n");
    }

    @Test
    void misalignedStack() {
        k.assertRejected(prog("*(u32 *)(r10 -6) = 1\nr0 = 0\nexit"), EACCES, "misaligned stack access off 0+0+-6 size 4\n");
    }

    @Test
    void uninitStackReadWithoutPerfmon() {
        String text = prog("r0 = *(u64 *)(r10 -8)\nexit");
        assertAttrRejected(k.attr(text, 1).withCapabilities(BpfProgLoadAttr.CAP_BPF), EACCES,
                "invalid read from stack R10 off=-8 size=8\n");
        // inside allocated_stack, but some bytes never written
        assertAttrRejected(k.attr(prog("*(u32 *)(r10 -4) = 1\nr0 = *(u64 *)(r10 -8)\nexit"), 1)
                .withCapabilities(BpfProgLoadAttr.CAP_BPF), EACCES, "invalid read from stack off -8+0 size 8\n");
        // allow_uninit_stack: CAP_PERFMON may read it (as the kernel allows)
        assertTrue(k.load(text).ok());
    }

    @Test
    void partialFillOfSpilledPointer() {
        k.assertRejected(prog("*(u64 *)(r10 -8) = r1\nr0 = *(u32 *)(r10 -8)\nexit"), EACCES, "invalid size of register fill\n");
    }

    @Test
    void spillAndFillKeepTheType() {
        ProgLoadResult r = k.load(prog("*(u64 *)(r10 -8) = r1\nr1 = 0\nr1 = *(u64 *)(r10 -8)\nr1 = *(u64 *)(r1 +0)\n"
                + "r0 = *(u64 *)(r1 +0)\nexit"));
        assertTrue(r.ok(), r.log());
    }

    // ------------------------------------------------------------ ctx and BTF

    @Test
    void ctxBeyondTheArguments() {
        k.assertRejected(prog("r2 = *(u64 *)(r1 +8)\nr0 = 0\nexit"), EACCES,
                "func 'test_prologue' doesn't have 2-th argument\ninvalid bpf_context access off=8 size=8\n");
    }

    @Test
    void ctxWrite() {
        k.assertRejected(prog("*(u64 *)(r1 +0) = 0\nr0 = 0\nexit"), EACCES, "invalid bpf_context access off=0 size=8\n");
    }

    @Test
    void modifiedCtx() {
        k.assertRejected(prog("r1 += 8\nr2 = *(u64 *)(r1 +0)\nr0 = 0\nexit"), EACCES,
                "dereference of modified ctx ptr R1 off=8 disallowed\n");
    }

    @Test
    void btfReadBeyondStruct() {
        k.assertRejected(prog("r1 = *(u64 *)(r1 +0)\nr2 = *(u64 *)(r1 +8)\nr0 = 0\nexit"), EACCES,
                "access beyond struct st_ops_args at off 8 size 8\n");
    }

    @Test
    void btfWriteOutsideStOpsArgs() {
        ProgLoadResult r = k.load(prog("r1 = *(u64 *)(r1 +0)\n*(u64 *)(r1 +8) = 0\nr0 = 0\nexit"));
        assertEquals(EACCES, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().endsWith("*(u64 *)(r1 +8) = 0\nprocessed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n"), r.log());
        assertTrue(k.load(prog("r1 = *(u64 *)(r1 +0)\n*(u64 *)(r1 +0) = 0\nr0 = 0\nexit")).ok());
    }

    @Test
    void btfNegativeOffset() {
        k.assertRejected(prog("r1 = *(u64 *)(r1 +0)\nr2 = *(u64 *)(r1 -8)\nr0 = 0\nexit"), EACCES,
                "R1 is ptr_st_ops_args invalid negative access: off=-8\n");
    }

    // ------------------------------------------------------------ helpers

    @Test
    void helperNotInProtoSet() {
        k.assertRejected(prog("call bpf_skb_store_bytes\nr0 = 0\nexit"), EINVAL,
                "program of this type cannot use helper bpf_skb_store_bytes#9\n");
    }

    @Test
    void helperUnknownId() {
        BpfProgLoadAttr a = k.attr(prog("call bpf_ktime_get_ns\nexit"), 1);
        assertAttrRejected(a.withInsns(withInsn(a.insns(), 0, Macros.BPF_EMIT_CALL(5000))), EINVAL, "invalid func unknown#5000\n");
    }

    @Test
    void helperAccepted() {
        ProgLoadResult r = k.load(prog("call bpf_ktime_get_ns\nexit"));
        assertTrue(r.ok(), r.log());
    }

    @Test
    void helperMemoryArgumentTypes() {
        // mem_types of v6.12: a trusted BTF pointer is memory (read through btf_struct_access)
        ProgLoadResult r = k.load(prog("r1 = *(u64 *)(r1 +0)\nr2 = 8\ncall bpf_trace_printk\nr0 = 0\nexit"));
        assertTrue(r.ok(), r.log());
        k.assertRejected(prog("r2 = 8\ncall bpf_trace_printk\nr0 = 0\nexit"), EACCES,
                "R1 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_\n");
        k.assertRejected(prog("r1 = *(u64 *)(r1 +0)\nr2 = 16\ncall bpf_trace_printk\nr0 = 0\nexit"), EACCES,
                "access beyond struct st_ops_args at off 0 size 16\n");
    }

    @Test
    void helperReadsUninitStack() {
        BpfProgLoadAttr a = k.attr(prog("r1 = r10\nr1 += -8\nr2 = 8\ncall bpf_trace_printk\nexit"), 1)
                .withCapabilities(BpfProgLoadAttr.CAP_BPF);
        // helpers check the bounds as a write (always down to -512, growing the stack), then each byte
        assertAttrRejected(a, EACCES, "invalid indirect read from stack R1 off -8+0 size 8\n");
        BpfProgLoadAttr b = k.attr(prog("*(u32 *)(r10 -4) = 0\nr1 = r10\nr1 += -8\nr2 = 8\ncall bpf_trace_printk\nexit"), 1)
                .withCapabilities(BpfProgLoadAttr.CAP_BPF);
        assertAttrRejected(b, EACCES, "invalid indirect read from stack R1 off -8+0 size 8\n");
    }

    // ------------------------------------------------------------ control flow

    @Test
    void jumpOutOfRange() {
        k.assertRejected(prog("if r1 == 0 goto +5\nr0 = 0\nexit"), EINVAL, "jump out of range from insn 0 to 6\n");
    }

    @Test
    void fallOffTheEnd() {
        k.assertRejected(prog("r0 = 0"), EINVAL, "last insn is not an exit or jmp\n");
    }

    @Test
    void unreachableInsn() {
        k.assertRejected(prog("r0 = 0\nexit\nr0 = 1\nexit"), EINVAL, "unreachable insn 2\n");
    }

    @Test
    void infiniteLoop() {
        k.assertRejected(prog("r0 = 0\nl:\ngoto l"), EINVAL, "infinite loop detected at insn 1\n");
    }

    @Test
    void boundedLoopIsExplored() {
        ProgLoadResult r = k.load(prog("r0 = 0\nl:\nr0 += 1\nif r0 < 100 goto l\nexit"));
        assertTrue(r.ok(), r.log());
    }

    @Test
    void complexityLimit() {
        k.assertRejected(prog("r0 = 0\nl:\nr0 += 1\nif r0 < 10000000 goto l\nexit"), E2BIG,
                "BPF program is too large. Processed 1000001 insn\n");
    }

    @Test
    void callToInvalidDestination() {
        BpfProgLoadAttr a = k.attr(prog("r0 = 0\nexit"), 1);
        assertAttrRejected(a.withInsns(withInsn(a.insns(), 0, Macros.BPF_CALL_REL(100))), EINVAL, "call to invalid destination\n");
    }

    @Test
    void tooManyFrames() {
        k.assertRejected(prog("call f\nexit\nf:\ncall f\nr0 = 0\nexit"), E2BIG, "the call stack of 9 frames is too deep\n");
    }

    @Test
    void combinedStackTooLarge() {
        k.assertRejected(prog("*(u64 *)(r10 -512) = 0\ncall f\nr0 = 0\nexit\nf:\n*(u64 *)(r10 -8) = 0\nr0 = 0\nexit"),
                EACCES, "combined stack size of 2 calls is 528. Too large\n");
    }

    @Test
    void atomicsThroughTrustedBtfPointersFollowBtfStructAccess() {
        // check_atomic() refuses only ctx, packet, flow-keys, socket and arena pointers
        ProgLoadResult r = k.load(prog("r1 = *(u64 *)(r1 +0)\nr2 = 1\nlock *(u64 *)(r1 +0) += r2\nr0 = 0\nexit"));
        assertTrue(r.ok(), r.log());
        k.assertRejected(prog("r2 = 1\nlock *(u64 *)(r1 +0) += r2\nr0 = 0\nexit"), EACCES,
                "BPF_ATOMIC stores into R1 ctx is not allowed\n");
        // strict_alignment_once: every pointer type is checked strictly
        k.assertRejected(prog("r1 = *(u64 *)(r1 +0)\nr2 = 1\nlock *(u32 *)(r1 +2) += r2\nr0 = 0\nexit"), EACCES,
                "misaligned access off 0+0+2 size 4\n");
    }

    @Test
    void stackFramesAreRoundedTo16ForTheJit() {
        // round_up_stack_depth() with jit_requested: 496 + 16 fits (the interpreter's 32 would not)
        ProgLoadResult r = k.load(prog("*(u64 *)(r10 -496) = 0\ncall f\nr0 = 0\nexit\nf:\n*(u64 *)(r10 -8) = 0\nr0 = 0\nexit"));
        assertTrue(r.ok(), r.log());
    }

    @Test
    void callerSavedRegistersAreClobbered() {
        k.assertRejected(prog("r3 = 1\ncall bpf_ktime_get_ns\nr0 = r3\nexit"), EACCES, "R3 !read_ok\n");
    }

    @Test
    void nullCheckedPointerIsUsable() {
        ProgLoadResult r = k.load(prog("r1 = 5\ncall bpf_cgroup_from_id\nr6 = r0\nif r6 != 0 goto ok\nr0 = 0\nexit\n"
                + "ok:\nr1 = r0\ncall bpf_cgroup_release\nr0 = 0\nexit"));
        assertTrue(r.ok(), r.log());
    }
}
