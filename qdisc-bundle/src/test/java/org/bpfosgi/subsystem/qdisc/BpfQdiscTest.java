package org.bpfosgi.subsystem.qdisc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.isa.Disassembler;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.prog.ProgLoadResult;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.InsnBuf;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.vm.Region;
import org.junit.jupiter.api.Test;

/** bpf_qdisc on the built-in base: verifier ops, kfunc filter, generators, struct_ops callbacks. */
class BpfQdiscTest {
    private final QdiscMachine m = new QdiscMachine();
    private final QdiscTypes t = m.types();

    private void rejected(String member, String body, Errno errno, String message) {
        ProgLoadResult r = m.load(member, body);
        assertFalse(r.ok(), "expected a rejection with " + message + "\n" + r.log());
        assertEquals(errno, r.errno().orElseThrow(), r.log());
        assertTrue(r.log().contains(message), "log lacks [" + message + "]:\n" + r.log());
    }

    /** An enqueue body that ends by freeing its skb (the skb__ref it owns), then returns 0. */
    private static String freeingSkb(String body) {
        return "    r6 = r1\n" + body + "    r1 = *(u64 *)(r6 +0)\n    call bpf_kfree_skb\n    r0 = 0\n    exit\n";
    }

    private void accepted(String member, String body) {
        ProgLoadResult r = m.load(member, body);
        assertTrue(r.ok(), r.log());
    }

    /** Whether convert_ctx_accesses() patches generated code (else loads that need it are -ENOTSUPP). */
    // ------------------------------------------------------------------ btf_struct_access

    @Test
    void enqueueWritesTstampCbDataLimitQlenAndQstats() {
        accepted("enqueue", freeingSkb("    r2 = *(u64 *)(r1 +0)\n    *(u64 *)(r2 +" + t.skbTstamp + ") = 0\n"
                + "    *(u32 *)(r2 +" + t.skbCbData + ") = 1\n    *(u8 *)(r2 +" + (t.skbCbDataEnd - 1) + ") = 1\n"
                + "    r3 = *(u64 *)(r1 +8)\n    *(u32 *)(r3 +" + t.qdiscLimit + ") = 100\n"
                + "    *(u32 *)(r3 +" + t.qdiscQlen + ") = 0\n    *(u32 *)(r3 +" + (t.qdiscQstats + 4) + ") = 0\n"));
    }

    @Test
    void writingSkbDevIsNoWriteSupport() {
        int dev = t.btf.offsetOf(t.skBuffId, "dev");
        rejected("enqueue", "    r2 = *(u64 *)(r1 +0)\n    r3 = 0\n    *(u64 *)(r2 +" + dev + ") = r3\n    r0 = 0\n    exit\n",
                Errno.EACCES, "no write support to sk_buff at off " + dev + "\n");
    }

    @Test
    void writingPastCbDataIsBeyondTheMember() {
        int off = t.skbCbDataEnd - 2;
        rejected("enqueue", "    r2 = *(u64 *)(r1 +0)\n    *(u32 *)(r2 +" + off + ") = 0\n    r0 = 0\n    exit\n",
                Errno.EACCES, "write access at off " + off + " with size 4 beyond the member of sk_buff ended at "
                        + t.skbCbDataEnd + "\n");
    }

    @Test
    void qdiscFlagsAreReadOnlyAndToFreeIsReadOnly() {
        int flags = t.btf.offsetOf(t.qdiscId, "flags");
        rejected("dequeue", "    r1 = *(u64 *)(r1 +0)\n    *(u32 *)(r1 +" + flags + ") = 0\n    r0 = 0\n    exit\n",
                Errno.EACCES, "no write support to Qdisc at off " + flags + "\n");
        rejected("enqueue", "    r3 = *(u64 *)(r1 +16)\n    *(u64 *)(r3 +0) = 0\n    r0 = 0\n    exit\n",
                Errno.EACCES, "only read is supported\n");
    }

    @Test
    void toFreeReadsAsATrustedBpfSkBuffPtr() {
        ProgLoadResult r = m.load("enqueue", freeingSkb("    r3 = *(u64 *)(r1 +16)\n    r4 = *(u64 *)(r3 +0)\n"));
        assertTrue(r.ok(), r.log());
        assertTrue(r.log().contains("R3=trusted_ptr_bpf_sk_buff_ptr()"), r.log());
    }

    // ------------------------------------------------------------------ kfuncs and the filter

    @Test
    void kfuncOutsideItsMembersFilterIsNotAllowed() {
        rejected("enqueue", "    r1 = *(u64 *)(r1 +8)\n    r2 = 0\n    call bpf_qdisc_bstats_update\n    r0 = 0\n    exit\n",
                Errno.EACCES, "calling kernel function bpf_qdisc_bstats_update is not allowed\n");
        rejected("dequeue", "    r1 = *(u64 *)(r1 +0)\n    r2 = 0\n    call bpf_qdisc_skb_drop\n    r0 = 0\n    exit\n",
                Errno.EACCES, "calling kernel function bpf_qdisc_skb_drop is not allowed\n");
        rejected("reset", "    r1 = *(u64 *)(r1 +0)\n    r2 = 0\n    r3 = 0\n    call bpf_qdisc_watchdog_schedule\n    exit\n",
                Errno.EACCES, "calling kernel function bpf_qdisc_watchdog_schedule is not allowed\n");
        // the generators' kfuncs are in no member's set
        rejected("enqueue", "    r1 = *(u64 *)(r1 +8)\n    r2 = 0\n    call bpf_qdisc_init_prologue\n    r0 = 0\n    exit\n",
                Errno.EACCES, "calling kernel function bpf_qdisc_init_prologue is not allowed\n");
    }

    @Test
    void kfuncsInsideTheFilterAreCallable() {
        accepted("enqueue", freeingSkb("    r1 = *(u64 *)(r6 +8)\n    r2 = 0\n    r3 = 0\n    call bpf_qdisc_watchdog_schedule\n"
                + "    r1 = *(u64 *)(r6 +0)\n    call bpf_skb_get_hash\n"));
        accepted("dequeue", "    r1 = *(u64 *)(r1 +0)\n    r2 = 0\n    r3 = 0\n    call bpf_qdisc_watchdog_schedule\n"
                + "    r0 = 0\n    exit\n");
    }

    @Test
    void filterRefusesAnotherStructOpsType() {
        StructOps other = new StructOps() {
            @Override public String name() { return "tcp_congestion_ops"; }
            @Override public org.bpfosgi.subsystem.VerifierOps verifierOps() { return new org.bpfosgi.subsystem.VerifierOps() { }; }
            @Override public java.util.Set<String> cfiStubs() { return java.util.Set.of(); }
            @Override public void init(org.bpfosgi.btf.api.BtfTypes btf) { }
            @Override public boolean initMember(StructOpsMember mb, KernelMemory mem, long k, long u) { return false; }
            @Override public void reg(KernelMemory mem, long k) { }
            @Override public void unreg(KernelMemory mem, long k) { }
        };
        int hash = t.btf.findByNameKind("bpf_skb_get_hash", BtfKind.FUNC);
        assertFalse(m.ops().filter().allows(prog(other, t.opsEnqueue, null), hash));
        assertTrue(m.ops().filter().allows(prog(m.ops(), t.opsEnqueue, null), hash));
        // a kfunc outside qdisc_kfunc_ids is not this filter's business
        int cgroup = t.btf.findByNameKind("bpf_cgroup_release", BtfKind.FUNC);
        assertTrue(m.ops().filter().allows(prog(other, 0, null), cgroup));
    }

    /**
     * What bpf_qdisc_kfunc_init() registered, as btf_kfunc_id_set_contains() answers for a qdisc
     * program: qdisc_kfunc_ids with KF_RELEASE on bpf_kfree_skb and bpf_qdisc_skb_drop, filtered
     * per member; the dtor bpf_kfree_skb_dtor is in no kfunc set.
     */
    @Test
    void theRegisteredKfuncsCarryTheKernelsFlagsPerMember() {
        java.util.function.BiFunction<Integer, String, java.util.OptionalInt> flags = (moff, name) ->
                m.pk.structOps().kfuncFlags(m.btf.vmlinux(), t.btf.findByNameKind(name, BtfKind.FUNC),
                        org.bpfosgi.subsystem.BpfProgType.STRUCT_OPS, prog(m.ops(), moff, null));
        int release = org.bpfosgi.btf.KfFlags.KF_RELEASE;
        assertEquals(java.util.OptionalInt.of(release), flags.apply(t.opsEnqueue, "bpf_kfree_skb"));
        assertEquals(java.util.OptionalInt.of(release), flags.apply(t.opsEnqueue, "bpf_qdisc_skb_drop"));
        assertEquals(java.util.OptionalInt.of(0), flags.apply(t.opsEnqueue, "bpf_skb_get_hash"));
        assertEquals(java.util.OptionalInt.of(0), flags.apply(t.opsEnqueue, "bpf_qdisc_watchdog_schedule"));
        assertEquals(java.util.OptionalInt.of(0), flags.apply(t.opsDequeue, "bpf_qdisc_bstats_update"));
        assertEquals(java.util.OptionalInt.of(release), flags.apply(t.opsReset, "bpf_kfree_skb"));
        assertEquals(java.util.OptionalInt.empty(), flags.apply(t.opsEnqueue, "bpf_qdisc_bstats_update"));
        assertEquals(java.util.OptionalInt.empty(), flags.apply(t.opsDequeue, "bpf_qdisc_skb_drop"));
        assertEquals(java.util.OptionalInt.empty(), flags.apply(t.opsInit, "bpf_qdisc_init_prologue"));
        assertEquals(java.util.OptionalInt.empty(), flags.apply(t.opsEnqueue, "bpf_kfree_skb_dtor"));
    }

    // ------------------------------------------------------------------ generators

    private BpfProgInfo prog(StructOps stOps, int moff, Insn first) {
        return new BpfProgInfo() {
            @Override public String name() { return "prog"; }
            @Override public String attachFuncName() { return ""; }
            @Override public int attachStOpsMemberOff() { return moff; }
            @Override public org.bpfosgi.btf.api.BtfTypes attachBtf() { return t.btf; }
            @Override public StructOps stOps() { return stOps; }
            @Override public Insn firstInsn() { return first; }
            @Override public boolean tracingBtfCtxAccess(int off, int size, BpfAccessType type, InsnAccessAux info) { return true; }
            @Override public BpfFuncProto baseFuncProto(int funcId) { return null; }
            // later SPI 2.1 methods (no @Override: this test compiles with and without them)
            public int bpfCallImm(String function) { throw new IllegalArgumentException(function); }
            public org.bpfosgi.subsystem.KfuncPolicy kfuncPolicy() { return org.bpfosgi.subsystem.KfuncPolicy.UPSTREAM; }
            public int[] btfIdList(String listName) { return new int[0]; }
            public int findBtfId(String name, BtfKind kind) { return t.btf.findByNameKind(name, kind); }
        };
    }

    private List<String> text(List<Insn> insns) {
        return insns.stream().map(i -> Disassembler.print(i, null)).toList();
    }

    @Test
    void initPrologueIsTheKernelsEightInstructionsWithItsEarlyExit() {
        Insn first = Insn.decodeAll(java.util.HexFormat.of().parseHex("b700000000000000")).get(0);
        QdiscVerifierOps ops = m.ops().qdiscVerifierOps();
        List<Insn> w = ops.prologue(prog(m.ops(), t.opsInit, first));
        assertEquals(8, w.size());
        assertEquals(List.of("(bf) r6 = r1", "(79) r2 = *(u64 *)(r1 +16)", "(79) r1 = *(u64 *)(r1 +0)"),
                text(w).subList(0, 3));
        assertTrue(w.get(3).isKfuncCall());
        assertEquals(0, w.get(3).off(), "a vmlinux kfunc: off 0");
        assertEquals(t.initPrologueId, w.get(3).imm());
        assertEquals(List.of("(15) if r0 == 0x0 goto pc+1", "(95) exit", "(bf) r1 = r6", "(b7) r0 = 0"), text(w).subList(4, 8));
        for (int moff : new int[] {t.opsEnqueue, t.opsDequeue, t.opsReset, t.opsDestroy}) {
            assertEquals(List.of(), ops.prologue(prog(m.ops(), moff, first)));
        }
        // through the gen_prologue callback: the same count
        assertEquals(8, ops.genPrologue().orElseThrow().generate(new InsnBuf(16), false, prog(m.ops(), t.opsInit, first)));
    }

    @Test
    void resetAndDestroyEpilogueCancelsTheWatchdog() {
        QdiscVerifierOps ops = m.ops().qdiscVerifierOps();
        for (int moff : new int[] {t.opsReset, t.opsDestroy}) {
            List<Insn> w = ops.epilogue(prog(m.ops(), moff, null), (short) -8);
            assertEquals(4, w.size());
            assertEquals(List.of("(79) r1 = *(u64 *)(r10 -8)", "(79) r1 = *(u64 *)(r1 +0)"), text(w).subList(0, 2));
            assertTrue(w.get(2).isKfuncCall());
            assertEquals(0, w.get(2).off());
            assertEquals(t.resetDestroyEpilogueId, w.get(2).imm());
            assertEquals("(95) exit", text(w).get(3));
            assertEquals(4, ops.genEpilogue().orElseThrow().generate(new InsnBuf(16), prog(m.ops(), moff, null), (short) -8));
        }
        for (int moff : new int[] {t.opsEnqueue, t.opsDequeue, t.opsInit}) {
            assertEquals(List.of(), ops.epilogue(prog(m.ops(), moff, null), (short) -8));
        }
    }

    @Test
    void initResetDestroyLoadWithTheirGeneratedCode() {
        accepted("init", "    r0 = 0\n    exit\n");
        accepted("reset", "    exit\n");
        accepted("destroy", "    exit\n");
    }

    // ------------------------------------------------------------------ struct_ops callbacks

    @Test
    void initMemberPrivSizePeekAndId() {
        KernelMemory mem = m.kernelMemory();
        Region k = m.allocate("kdata", 256);
        Region u = m.allocate("udata", 256);
        StructOpsMember priv = new StructOpsMember("priv_size", 3, t.opsPrivSize, false);
        assertTrue(m.ops().initMember(priv, mem, k.start(), u.start()));
        assertEquals(QdiscOps.BPF_SCHED_DATA_SIZE, mem.readU32(k.start() + t.opsPrivSize));
        mem.writeU32(u.start() + t.opsPrivSize, 8);
        assertEquals(Errno.EINVAL, assertThrows(KernelException.class,
                () -> m.ops().initMember(priv, mem, k.start(), u.start())).errno());
        StructOpsMember peek = new StructOpsMember("peek", 7, t.opsPeek, true);
        assertFalse(m.ops().initMember(peek, mem, k.start(), u.start()));
        assertEquals(QdiscOps.QDISC_PEEK_DEQUEUED, mem.readU64(k.start() + t.opsPeek));
        StructOpsMember id = new StructOpsMember("id", 2, t.opsId, false);
        assertEquals(Errno.EINVAL, assertThrows(KernelException.class,
                () -> m.ops().initMember(id, mem, k.start(), u.start())).errno(), "an empty id");
        QdiscOps.writeBytes(mem, u.start() + t.opsId, "fifo\0\0\0\0\0\0\0\0\0\0\0\0".getBytes());
        assertTrue(m.ops().initMember(id, mem, k.start(), u.start()));
        QdiscOps.writeBytes(mem, u.start() + t.opsId, "fi-fo\0\0\0\0\0\0\0\0\0\0\0".getBytes());
        assertThrows(KernelException.class, () -> m.ops().initMember(id, mem, k.start(), u.start()));
    }

    @Test
    void validateWantsAllFiveAndRegisterWantsAUniqueId() {
        KernelMemory mem = m.kernelMemory();
        Region k = m.allocate("kdata", 256);
        int[] five = {t.opsEnqueue, t.opsDequeue, t.opsInit, t.opsReset, t.opsDestroy};
        for (int i = 0; i < five.length; i++) {
            for (int j = 0; j < five.length; j++) {
                mem.writeU64(k.start() + five[j], j == i ? 0 : 0xffffffffc0000000L + j);
            }
            assertEquals(Errno.EINVAL, assertThrows(KernelException.class,
                    () -> m.ops().validate().orElseThrow().validate(mem, k.start())).errno());
        }
        for (int off : five) {
            mem.writeU64(k.start() + off, 0xffffffffc0000000L);
        }
        m.ops().validate().orElseThrow().validate(mem, k.start());
        QdiscOps.writeBytes(mem, k.start() + t.opsId, "pfifo\0\0\0\0\0\0\0\0\0\0\0".getBytes());
        assertEquals(Errno.EEXIST, assertThrows(KernelException.class, () -> m.ops().reg(mem, k.start())).errno());
        QdiscOps.writeBytes(mem, k.start() + t.opsId, "bpf_fifo\0\0\0\0\0\0\0\0".getBytes());
        m.ops().reg(mem, k.start());
        assertTrue(m.ops().qdiscIds().contains("bpf_fifo"));
        m.ops().unreg(mem, k.start());
        assertFalse(m.ops().qdiscIds().contains("bpf_fifo"));
    }

    @Test
    void everyKfuncOfTheSetResolvesByName() {
        for (String k : List.of("bpf_skb_get_hash", "bpf_kfree_skb", "bpf_qdisc_skb_drop", "bpf_dynptr_from_skb",
                "bpf_qdisc_watchdog_schedule", "bpf_qdisc_init_prologue", "bpf_qdisc_reset_destroy_epilogue",
                "bpf_qdisc_bstats_update")) {
            int id = t.btf.findByNameKind(k, BtfKind.FUNC);
            assertTrue(id > 0 && t.kfuncIds.contains(id), k);
            String text = ".license \"GPL\"\n.struct_ops Qdisc_ops.enqueue\np:\n    call " + k + "\n    exit\n";
            org.bpfosgi.prog.ProgLoader.toAttr(org.bpfosgi.prog.ProgLoader.parse(text, "k.s"), java.util.Optional.empty(), 0,
                    m.pk.services());
        }
        assertEquals(8, t.kfuncIds.size());
    }

    // ------------------------------------------------------------------ the skb__ref of enqueue

    @Test
    void enqueueThatKeepsItsSkbLeaksAReference() {
        rejected("enqueue", "    r0 = 0\n    exit\n", Errno.EINVAL, "Unreleased reference id=1 alloc_insn=0\n");
    }

    @Test
    void enqueueThatDropsOrFreesItsSkbIsAccepted() {
        accepted("enqueue", "    r2 = *(u64 *)(r1 +16)\n    r1 = *(u64 *)(r1 +0)\n    call bpf_qdisc_skb_drop\n"
                + "    r0 = 1\n    exit\n");
        accepted("enqueue", "    r1 = *(u64 *)(r1 +0)\n    call bpf_kfree_skb\n    r0 = 1\n    exit\n");
    }

    @Test
    void theSkbIsGoneAfterItIsFreed() {
        rejected("enqueue", "    r6 = *(u64 *)(r1 +0)\n    r1 = r6\n    call bpf_kfree_skb\n"
                + "    r0 = *(u32 *)(r6 +" + t.skbLen + ")\n    exit\n", Errno.EACCES, "R6 invalid mem access 'scalar'\n");
    }
}
