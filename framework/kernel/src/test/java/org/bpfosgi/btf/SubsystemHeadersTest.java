package org.bpfosgi.btf;

import org.bpfosgi.btf.api.BtfKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The three subsystem headers compile against the built-in base and the real vmlinux BTF. */
class SubsystemHeadersTest {
    private static Btf real;

    static Stream<Arguments> bases() {
        return Stream.of(Arguments.of("builtin"), Arguments.of("vmlinux"));
    }

    private static Btf base(String which) {
        if (which.equals("builtin")) {
            return VmlinuxBtf.builtin();
        }
        Assumptions.assumeTrue(VmlinuxBtf.realAvailable(), "no readable /sys/kernel/btf/vmlinux");
        synchronized (SubsystemHeadersTest.class) {
            if (real == null) {
                real = VmlinuxBtf.load("vmlinux");
            }
            return real;
        }
    }

    private static CompiledBtf compile(String path, Btf base) {
        return CDeclCompiler.compile(path, TestBtfs.read(TestBtfs.root().resolve(path)), base);
    }

    private static void sorted(BtfIdSet s) {
        int[] ids = s.ids();
        int[] copy = ids.clone();
        Arrays.sort(copy);
        assertTrue(Arrays.equals(ids, copy), "set " + s.name() + " is sorted");
    }

    @ParameterizedTest
    @MethodSource("bases")
    void bpfTestmod(String which) {
        Btf base = base(which);
        CompiledBtf c = compile("testmod-bundle/src/main/bpf/bpf_testmod.h", base);
        Btf b = c.btf();
        int ops = b.findByNameKind("bpf_testmod_st_ops", BtfKind.STRUCT);
        assertTrue(ops >= b.startId(), "module type, numbered after vmlinux");
        assertEquals(List.of(0, 8, 16, 24), Stream.of("test_prologue", "test_epilogue", "test_pro_epilogue", "owner")
                .map(m -> b.offsetOf(ops, m)).toList());
        assertEquals(base.findByNameKind("module", BtfKind.STRUCT), b.pointedStruct(b.memberPath(ops, "owner").type()).getAsInt());
        assertEquals(8, b.resolveSize(b.findByNameKind("st_ops_args", BtfKind.STRUCT)));
        assertTrue(b.findByNameKind("bpf_struct_ops_bpf_testmod_st_ops", BtfKind.STRUCT) > 0);
        BtfIdSet k = c.set("bpf_testmod_check_kfunc_ids").orElseThrow();
        assertTrue(k.kfuncs());
        sorted(k);
        assertEquals(4, k.entries().size());
        int pro = b.findByNameKind("bpf_kfunc_st_ops_test_prologue", BtfKind.FUNC);
        assertEquals(KfFlags.KF_TRUSTED_ARGS | KfFlags.KF_SLEEPABLE, k.flags(pro).getAsInt());
        int inc10 = b.findByNameKind("bpf_kfunc_st_ops_inc10", BtfKind.FUNC);
        int inc100 = b.findByNameKind("bpf_kfunc_st_ops_inc100", BtfKind.FUNC);
        assertEquals(0, k.flags(inc10).getAsInt());
        assertTrue(!k.contains(inc100), "inc100 is in no kfunc set");
        assertTrue(inc10 > base.nrTypes() - 1 && inc100 > inc10);
        assertEquals(List.of(inc10, inc100), Arrays.stream(c.idList("st_ops_epilogue_kfunc_list").orElseThrow().ids())
                .boxed().toList());
        assertEquals(b.findByNameKind("st_ops_args", BtfKind.STRUCT),
                b.pointedStruct(b.funcProto(inc10).params().get(0).type()).getAsInt());
        // the same through the api views a subsystem bundle gets
        org.bpfosgi.btf.api.BtfIdLists lists = c;
        org.bpfosgi.btf.api.BtfTypes types = b;
        assertEquals(inc100, lists.ids("st_ops_epilogue_kfunc_list")[1]);
        assertTrue(lists.setContains("bpf_testmod_check_kfunc_ids", inc10));
        assertEquals(KfFlags.KF_TRUSTED_ARGS | KfFlags.KF_SLEEPABLE, lists.kfuncFlags("bpf_testmod_check_kfunc_ids", pro).getAsInt());
        assertTrue(lists.kfuncFlags("bpf_testmod_check_kfunc_ids", inc100).isEmpty());
        assertEquals(24, types.offsetOf(ops, "owner"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> lists.ids("nope"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> types.offsetOf(ops, "nope"));
    }

    @ParameterizedTest
    @MethodSource("bases")
    void bpfQdisc(String which) {
        Btf base = base(which);
        CompiledBtf c = compile("qdisc-bundle/src/main/bpf/bpf_qdisc.h", base);
        Btf b = c.btf();
        BtfIdSet k = c.set("qdisc_kfunc_ids").orElseThrow();
        sorted(k);
        assertEquals(8, k.entries().size());
        assertEquals(KfFlags.KF_RELEASE, k.flags(b.findByNameKind("bpf_kfree_skb", BtfKind.FUNC)).getAsInt());
        assertEquals(KfFlags.KF_RELEASE, k.flags(b.findByNameKind("bpf_qdisc_skb_drop", BtfKind.FUNC)).getAsInt());
        int dynptr = b.findByNameKind("bpf_dynptr_from_skb", BtfKind.FUNC);
        assertTrue(k.contains(dynptr));
        if (which.equals("vmlinux")) {
            assertTrue(dynptr < b.startId(), "bpf_dynptr_from_skb is reused from vmlinux");
        }
        BtfIdList ids = c.idList("bpf_qdisc_ids").orElseThrow();
        assertEquals(base.findByNameKind("Qdisc", BtfKind.STRUCT), ids.id(0));
        assertEquals(base.findByNameKind("sk_buff", BtfKind.STRUCT), ids.id(1));
        assertEquals(b.findByNameKind("bpf_sk_buff_ptr", BtfKind.STRUCT), ids.id(2));
        assertEquals(3, c.set("qdisc_common_kfunc_set").orElseThrow().entries().size());
        int qdisc = b.findByNameKind("Qdisc", BtfKind.STRUCT);
        assertTrue(b.offsetOf(qdisc, "q.qlen") > b.offsetOf(qdisc, "limit"));
        int ops = b.findByNameKind("Qdisc_ops", BtfKind.STRUCT);
        for (String m : List.of("enqueue", "dequeue", "peek", "init", "reset", "destroy", "id", "priv_size", "owner")) {
            b.offsetOf(ops, m);
        }
    }

    /** bpftool reads the compiled module BTF (split on the built-in base) and prints what we print. */
    @org.junit.jupiter.api.Test
    void bpftoolReadsTheCompiledModuleBtf() throws java.io.IOException {
        Assumptions.assumeTrue(TestBtfs.hasCommand("bpftool"), "bpftool not installed");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("btf-mod");
        java.nio.file.Path base = dir.resolve("vmlinux");
        java.nio.file.Path mod = dir.resolve("bpf_testmod");
        java.nio.file.Files.write(base, VmlinuxBtf.builtin().rawData());
        Btf split = compile("testmod-bundle/src/main/bpf/bpf_testmod.h", VmlinuxBtf.builtin()).btf();
        java.nio.file.Files.write(mod, split.rawData());
        assertEquals(TestBtfs.run(List.of("bpftool", "btf", "dump", "file", base.toString(), "format", "raw")),
                BtfRawDump.dump(VmlinuxBtf.builtin()));
        assertEquals(TestBtfs.run(List.of("bpftool", "btf", "dump", "file", mod.toString(), "-B", base.toString(),
                "format", "raw")), BtfRawDump.dump(split));
    }

    @ParameterizedTest
    @MethodSource("bases")
    void bpfTcpCa(String which) {
        Btf base = base(which);
        CompiledBtf c = compile("tcpcc-bundle/src/main/bpf/bpf_tcp_ca.h", base);
        Btf b = c.btf();
        BtfIdSet k = c.set("bpf_tcp_ca_check_kfunc_ids").orElseThrow();
        sorted(k);
        assertEquals(List.of("tcp_cong_avoid_ai", "tcp_reno_cong_avoid", "tcp_reno_ssthresh", "tcp_reno_undo_cwnd",
                "tcp_slow_start").stream().sorted().toList(), k.entries().stream().map(BtfIdRef::name).sorted().toList());
        int tp = b.findByNameKind("tcp_sock", BtfKind.STRUCT);
        for (String m : List.of("snd_cwnd", "snd_cwnd_cnt", "snd_ssthresh", "ecn_flags", "app_limited",
                "inet_conn.icsk_ca_priv", "inet_conn.icsk_ack.pending")) {
            b.offsetOf(tp, m);
        }
        if (which.equals("vmlinux")) {
            assertEquals(0, b.ownTypeCount(), "the real vmlinux already has all of it");
        }
        assertEquals(base.findByNameKind("tcp_congestion_ops", BtfKind.STRUCT), c.idList("bpf_tcp_ca_ids").orElseThrow().id(2));
    }
}
