package org.bpfosgi.subsystem.tcpcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.prog.ProgLoader;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.vm.Region;
import org.junit.jupiter.api.Test;

/** bpf_tcp_congestion_ops' struct_ops callbacks on a kernel copy of struct tcp_congestion_ops. */
class TcpCongestionOpsTest {
    private final TcpCaMachine m = TcpCaMachine.builtin();
    private final TcpCongestionOps ops = (TcpCongestionOps) m.tcpCa.structOps().get(0);
    private final TcpCaTypes t = m.types();
    private final KernelMemory mem = m.kernelMemory();

    private void name(long addr, String n) {
        byte[] b = new byte[16];
        byte[] s = n.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, 0, Math.min(16, s.length));
        TcpCongestionOps.writeBytes(mem, addr + t.opsName, b);
    }

    private Region kdata(String n, String... members) {
        Region k = m.allocate("kdata", t.opsSize);
        name(k.start(), n);
        for (String f : members) {
            mem.writeU64(k.start() + t.opsOffset(f), 0xffffffffc0001000L);
        }
        return k;
    }

    @Test
    void jhashKeysAreTheKernels() {
        // include/linux/jhash.h compiled with clang on this machine, for the same 16-byte names
        assertEquals(-938640780, TcpCong.key("reno"));
        assertEquals(-1147457296, TcpCong.key("cubic"));
        assertEquals(-620573962, TcpCong.key("bpf_reno"));
        assertEquals(-1047572699, TcpCong.key("dctcp_like"));
    }

    @Test
    void initMemberFlagsAndName() {
        Region k = m.allocate("kdata", t.opsSize);
        Region u = m.allocate("udata", t.opsSize);
        StructOpsMember flags = new StructOpsMember("flags", 15, t.opsFlags, false);
        mem.writeU32(u.start() + t.opsFlags, 0x2);
        assertTrue(ops.initMember(flags, mem, k.start(), u.start()));
        assertEquals(0x2, mem.readU32(k.start() + t.opsFlags));
        mem.writeU32(u.start() + t.opsFlags, 0x4);
        assertEquals(Errno.EINVAL, assertThrows(KernelException.class,
                () -> ops.initMember(flags, mem, k.start(), u.start())).errno());
        StructOpsMember nm = new StructOpsMember("name", 11, t.opsName, false);
        assertEquals(Errno.EINVAL, assertThrows(KernelException.class,
                () -> ops.initMember(nm, mem, k.start(), u.start())).errno(), "empty name");
        name(u.start(), "bpf-reno");
        assertThrows(KernelException.class, () -> ops.initMember(nm, mem, k.start(), u.start()));
        name(u.start(), "0123456789abcdef");
        assertThrows(KernelException.class, () -> ops.initMember(nm, mem, k.start(), u.start()), "no NUL in 16 bytes");
        name(u.start(), "bpf_reno");
        assertTrue(ops.initMember(nm, mem, k.start(), u.start()));
        StructOpsMember ssthresh = new StructOpsMember("ssthresh", 0, t.opsOffset("ssthresh"), true);
        assertFalse(ops.initMember(ssthresh, mem, k.start(), u.start()), "function members: the generic code");
    }

    @Test
    void validateWantsSsthreshUndoCwndAndCongAvoidOrCongControl() {
        assertEquals(Errno.EINVAL, assertThrows(KernelException.class,
                () -> ops.validate().orElseThrow().validate(mem, kdata("a", "ssthresh", "undo_cwnd").start())).errno());
        assertEquals(Errno.EINVAL, assertThrows(KernelException.class,
                () -> ops.validate().orElseThrow().validate(mem, kdata("b", "cong_avoid", "undo_cwnd").start())).errno());
        ops.validate().orElseThrow().validate(mem, kdata("c", "ssthresh", "undo_cwnd", "cong_control").start());
        ops.validate().orElseThrow().validate(mem, kdata("d", "ssthresh", "undo_cwnd", "cong_avoid").start());
    }

    @Test
    void registerWantsAUniqueNameAndUnregisterFreesIt() {
        assertEquals(Errno.EEXIST, assertThrows(KernelException.class,
                () -> ops.reg(mem, kdata("cubic", "ssthresh", "undo_cwnd", "cong_avoid").start())).errno());
        Region a = kdata("bpf_reno", "ssthresh", "undo_cwnd", "cong_avoid");
        ops.reg(mem, a.start());
        assertEquals(List.of("reno", "cubic", "bpf_reno"), m.tcpCa.availableCongestionControl());
        assertEquals(TcpCong.key("bpf_reno"), mem.readU32(a.start() + t.opsKey));
        assertEquals(Errno.EEXIST, assertThrows(KernelException.class,
                () -> ops.reg(mem, kdata("bpf_reno", "ssthresh", "undo_cwnd", "cong_avoid").start())).errno());
        // update replaces the registered one under another name
        Region b = kdata("bpf_reno2", "ssthresh", "undo_cwnd", "cong_avoid");
        ops.update().orElseThrow().update(mem, b.start(), a.start());
        assertEquals(List.of("reno", "cubic", "bpf_reno2"), m.tcpCa.availableCongestionControl());
        ops.unreg(mem, b.start());
        assertEquals(List.of("reno", "cubic"), m.tcpCa.availableCongestionControl());
        assertEquals(Errno.EINVAL, assertThrows(KernelException.class,
                () -> ops.reg(mem, kdata("x", "ssthresh").start())).errno(), "reg validates first");
    }

    @Test
    void everyKfuncOfTheSetResolvesByName() {
        for (String k : List.of("tcp_reno_ssthresh", "tcp_reno_cong_avoid", "tcp_reno_undo_cwnd", "tcp_slow_start",
                "tcp_cong_avoid_ai")) {
            assertTrue(t.btf.findByNameKind(k, BtfKind.FUNC) > 0, k);
            String text = ".license \"GPL\"\n.struct_ops tcp_congestion_ops.ssthresh\np:\n    call " + k + "\n    exit\n";
            ProgLoader.toAttr(ProgLoader.parse(text, "k.s"), java.util.Optional.empty(), 0, m.pk.services());
        }
    }
}
