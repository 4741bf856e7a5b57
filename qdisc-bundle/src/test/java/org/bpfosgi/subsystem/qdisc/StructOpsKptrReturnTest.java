package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bpfosgi.btf.BtfModuleNotifier;
import org.bpfosgi.btf.BtfRegistry;
import org.bpfosgi.btf.VmlinuxBtf;
import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.module.ModuleImage;
import org.bpfosgi.module.ModuleTable;
import org.bpfosgi.prog.ProgKernel;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.BpfSubsystem;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.subsystem.VerifierOps;
import org.junit.jupiter.api.Test;

/**
 * v6.15's "bpf: Allow struct_ops prog to return referenced kptr" (the bpf qdisc series; its
 * first user is Qdisc_ops.dequeue), on a struct_ops type shaped like the selftests'
 * {@code bpf_testmod_ops.test_return_ref_kptr} (progs/struct_ops_kptr_return*.c) with an skb:
 * {@code struct sk_buff *(*ret_skb)(int dummy, struct sk_buff *skb__ref)}. The reference the
 * program was given may be returned unmodified (check_reference_leak() lets R0's reference go);
 * otherwise R0 must be NULL (retval_range(0, 0)). The messages are those the selftests expect:
 * "dereference of modified trusted_ptr_ ptr R0 off=1 disallowed", "At program exit the register
 * R0 has smin=1 smax=1 should have been in [0, 0]", "At program exit the register R0 is not a
 * known value".
 */
class StructOpsKptrReturnTest {
    private static final String HEADER = """
            struct kptr_ret_ops {
            	struct sk_buff *(*ret_skb)(int dummy, struct sk_buff *skb);
            	int (*ret_int)(int dummy, struct sk_buff *skb);
            };
            struct bpf_struct_ops_kptr_ret_ops {
            	struct bpf_struct_ops_common_value common;
            	struct kptr_ret_ops data;
            };
            __bpf_kfunc void kptr_ret_release(struct sk_buff *skb);
            BTF_KFUNCS_START(kptr_ret_kfunc_ids)
            BTF_ID_FLAGS(func, kptr_ret_release, KF_RELEASE)
            BTF_KFUNCS_END(kptr_ret_kfunc_ids)
            """;

    private final List<String> dmesg = new java.util.ArrayList<>();
    private final ProgKernel pk;

    StructOpsKptrReturnTest() {
        ModuleTable modules = new ModuleTable(dmesg::add);
        BtfRegistry btf = new BtfRegistry(VmlinuxBtf.builtin(), modules);
        modules.registerNotifier(new BtfModuleNotifier(btf, dmesg::add));
        btf.extendVmlinux("bpf_qdisc", new ModuleImage.BtfSource("bpf_qdisc.h", QdiscMachine.resource("/bpf/bpf_qdisc.h")));
        btf.extendVmlinux("kptr_ret", new ModuleImage.BtfSource("kptr_ret.h", HEADER));
        pk = new ProgKernel(modules, btf, dmesg::add);
        int r = pk.registerSubsystem(null, btf.vmlinux(), new KptrRet());
        assertEquals(0, r, dmesg.toString());
    }

    /** The struct_ops type: both members take {@code skb__ref}. */
    private static final class KptrRet implements BpfSubsystem, StructOps {
        @Override public List<StructOps> structOps() { return List.of(this); }
        @Override public List<org.bpfosgi.subsystem.KfuncSet> kfuncSets() {
            return List.of(new org.bpfosgi.subsystem.KfuncSet("kptr_ret_kfunc_ids",
                    List.of(org.bpfosgi.subsystem.BpfProgType.STRUCT_OPS), Optional.empty()));
        }
        @Override public java.util.Map<String, org.bpfosgi.subsystem.Kfunc> functions() {
            return java.util.Map.of("kptr_ret_release", (m, a) -> 0);
        }
        @Override public String name() { return "kptr_ret_ops"; }
        @Override public VerifierOps verifierOps() {
            return new VerifierOps() {
                @Override public boolean isValidAccess(int off, int size, BpfAccessType t, BpfProgInfo p, InsnAccessAux i) {
                    return p.tracingBtfCtxAccess(off, size, t, i);
                }
                @Override public BpfFuncProto getFuncProto(int id, BpfProgInfo p) { return p.baseFuncProto(id); }
            };
        }
        @Override public Set<String> cfiStubs() { return Set.of("ret_skb", "ret_int"); }
        @Override public Set<Integer> refcountedArgs(String member) { return Set.of(1); }
        @Override public void init(BtfTypes btf) { }
        @Override public boolean initMember(StructOpsMember m, KernelMemory mem, long k, long u) { return false; }
        @Override public void reg(KernelMemory mem, long k) { }
        @Override public void unreg(KernelMemory mem, long k) { }
    }

    private ProgLoadResult load(String member, String body) {
        String text = ".license \"GPL\"\n.struct_ops kptr_ret_ops." + member + "\nprog:\n" + body;
        return pk.progs().load(ProgLoader.toAttr(ProgLoader.parse(text, "t.s"), Optional.empty(), 1, pk.services()));
    }

    private void rejected(String member, String body, Errno errno, String msg) {
        ProgLoadResult r = load(member, body);
        assertFalse(r.ok(), r.log());
        assertEquals(errno, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains(msg), r.log());
    }

    @Test
    void theReferenceGivenMayBeReturned() {
        ProgLoadResult r = load("ret_skb", "    r0 = *(u64 *)(r1 +8)\n    exit\n");
        assertTrue(r.ok(), r.log());
    }

    @Test
    void nullAfterReleasingIt() {
        ProgLoadResult r = load("ret_skb", "    r1 = *(u64 *)(r1 +8)\n    call kptr_ret_release\n    r0 = 0\n    exit\n");
        assertTrue(r.ok(), r.log());
    }

    @Test
    void aModifiedPointerIsRefused() {
        rejected("ret_skb", "    r0 = *(u64 *)(r1 +8)\n    r0 += 1\n    exit\n", Errno.EACCES,
                "dereference of modified trusted_ptr_ ptr R0 off=1 disallowed\n");
    }

    @Test
    void aNonZeroScalarIsRefused() {
        rejected("ret_skb", "    r1 = *(u64 *)(r1 +8)\n    call kptr_ret_release\n    r0 = 1\n    exit\n", Errno.EINVAL,
                "At program exit the register R0 has smin=1 smax=1 should have been in [0, 0]\n");
    }

    @Test
    void holdingTheReferenceWhileReturningNullLeaksIt() {
        rejected("ret_skb", "    r0 = 0\n    exit\n", Errno.EINVAL, "Unreleased reference id=1 alloc_insn=0\n");
    }

    @Test
    void anUnreferencedPointerIsNotAKnownValue() {
        rejected("ret_skb", "    r1 = *(u64 *)(r1 +8)\n    call kptr_ret_release\n    r0 = r10\n    exit\n", Errno.EINVAL,
                "At program exit the register R0 is not a known value (fp)\n");
    }

    @Test
    void anIntMemberReturningItsSkbStillLeaksNothingButReturnsAPointer() {
        // the kernel lets R0's reference go for any struct_ops program (check_reference_leak());
        // an int member has no ret_type, so check_return_code() returns 0 for it (root: allow_ptr_leaks)
        ProgLoadResult r = load("ret_int", "    r0 = *(u64 *)(r1 +8)\n    exit\n");
        assertTrue(r.ok(), r.log());
    }
}
