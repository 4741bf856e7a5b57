package org.bpfosgi.subsystem.tcpcc;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * net/ipv4/bpf_tcp_ca.c {@code bpf_tcp_congestion_ops} (v6.12): the struct_ops type
 * {@code tcp_congestion_ops}, built in. Its callbacks work on the kernel copy {@code kdata} of a
 * {@code struct tcp_congestion_ops} in {@link KernelMemory}, at the offsets of the owner's BTF.
 */
final class TcpCongestionOps implements StructOps {
    /** TCP_CONG_NON_RESTRICTED | TCP_CONG_NEEDS_ECN (include/net/tcp.h, v6.12). */
    static final int TCP_CONG_MASK = 0x1 | 0x2;

    private final TcpCaVerifierOps verifierOps;
    private final TcpCong tcpCong;
    private volatile TcpCaTypes types;

    TcpCongestionOps(Consumer<String> printk) {
        this.tcpCong = new TcpCong(printk);
        this.verifierOps = new TcpCaVerifierOps(this::types);
    }

    TcpCaTypes types() {
        TcpCaTypes t = types;
        if (t == null) {
            throw new IllegalStateException("tcp_congestion_ops is not registered (bpf_tcp_ca_init not called)");
        }
        return t;
    }

    TcpCong tcpCong() {
        return tcpCong;
    }

    @Override
    public String name() {
        return "tcp_congestion_ops";
    }

    @Override
    public VerifierOps verifierOps() {
        return verifierOps;
    }

    /**
     * {@code .cfi_stubs = &__bpf_ops_tcp_congestion_ops}: every function member but
     * {@code get_info} (a NULL stub: "attach to unsupported member").
     */
    @Override
    public Set<String> cfiStubs() {
        return Set.of("ssthresh", "cong_avoid", "set_state", "cwnd_event", "in_ack_event", "pkts_acked",
                "min_tso_segs", "cong_control", "undo_cwnd", "sndbuf_expand", "init", "release");
    }

    /** Models bpf_tcp_ca_init(). */
    @Override
    public void init(BtfTypes btf) {
        types = TcpCaTypes.init(btf);
    }

    /**
     * Models bpf_tcp_ca_init_member(): {@code flags} (bits outside TCP_CONG_MASK are -EINVAL) and
     * {@code name} (bpf_obj_name_cpy() &lt;= 0 is -EINVAL) are handled (1); everything else is
     * left to the generic code (0).
     */
    @Override
    public boolean initMember(StructOpsMember member, KernelMemory mem, long kdata, long udata) {
        TcpCaTypes t = types();
        if (member.offset() == t.opsFlags) {
            int flags = mem.readU32(udata + t.opsFlags);
            if ((flags & ~TCP_CONG_MASK) != 0) {
                throw new KernelException(Errno.EINVAL);
            }
            mem.writeU32(kdata + t.opsFlags, flags);
            return true;
        }
        if (member.offset() == t.opsName) {
            byte[] src = readBytes(mem, udata + t.opsName, TcpCong.TCP_CA_NAME_MAX);
            if (bpfObjNameCpy(src) <= 0) {
                throw new KernelException(Errno.EINVAL);
            }
            writeBytes(mem, kdata + t.opsName, src);
            return true;
        }
        return false;
    }

    /**
     * Models kernel/bpf/syscall.c bpf_obj_name_cpy(): the length of a NUL-terminated name of
     * [A-Za-z0-9_.] within {@code src.length} bytes; -EINVAL for another character or no NUL.
     */
    static int bpfObjNameCpy(byte[] src) {
        for (int i = 0; i < src.length; i++) {
            int c = src[i] & 0xff;
            if (c == 0) {
                return i;
            }
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '_' && c != '.') {
                return Errno.EINVAL.negative();
            }
        }
        return Errno.EINVAL.negative();
    }

    /** Models bpf_tcp_ca_validate() = tcp_validate_congestion_control(). */
    @Override
    public Optional<Validate> validate() {
        return Optional.of((mem, kdata) -> tcpCong.validate(name(mem, kdata), required(mem, kdata)));
    }

    /** Models bpf_tcp_ca_reg() = tcp_register_congestion_control(). */
    @Override
    public void reg(KernelMemory mem, long kdata) {
        String name = name(mem, kdata);
        tcpCong.register(name, required(mem, kdata), kdata);
        mem.writeU32(kdata + types().opsKey, TcpCong.key(name));
    }

    /** Models bpf_tcp_ca_unreg() = tcp_unregister_congestion_control(). */
    @Override
    public void unreg(KernelMemory mem, long kdata) {
        tcpCong.unregister(kdata);
    }

    /** Models bpf_tcp_ca_update() = tcp_update_congestion_control(). */
    @Override
    public Optional<Update> update() {
        return Optional.of((mem, kdata, oldKdata) -> {
            String name = name(mem, kdata);
            tcpCong.update(name, required(mem, kdata), kdata, name(mem, oldKdata), oldKdata);
            mem.writeU32(kdata + types().opsKey, TcpCong.key(name));
        });
    }

    private TcpCong.RequiredOps required(KernelMemory mem, long kdata) {
        TcpCaTypes t = types();
        return new TcpCong.RequiredOps(mem.readU64(kdata + t.opsOffset("ssthresh")) != 0,
                mem.readU64(kdata + t.opsOffset("undo_cwnd")) != 0,
                mem.readU64(kdata + t.opsOffset("cong_avoid")) != 0,
                mem.readU64(kdata + t.opsOffset("cong_control")) != 0);
    }

    private String name(KernelMemory mem, long kdata) {
        byte[] b = readBytes(mem, kdata + types().opsName, TcpCong.TCP_CA_NAME_MAX);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    static byte[] readBytes(KernelMemory mem, long addr, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i += 4) {
            int w = mem.readU32(addr + i);
            for (int j = 0; j < 4 && i + j < len; j++) {
                b[i + j] = (byte) (w >>> (8 * j));
            }
        }
        return b;
    }

    static void writeBytes(KernelMemory mem, long addr, byte[] b) {
        for (int i = 0; i < b.length; i += 4) {
            int w = 0;
            for (int j = 0; j < 4 && i + j < b.length; j++) {
                w |= (b[i + j] & 0xff) << (8 * j);
            }
            mem.writeU32(addr + i, w);
        }
    }
}
