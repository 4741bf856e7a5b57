package org.bpfosgi.subsystem.qdisc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bpfosgi.btf.api.BtfTypes;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.KernelMemory;
import org.bpfosgi.subsystem.KfuncFilter;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * net/sched/bpf_qdisc.c {@code bpf_Qdisc_ops} (v6.16): the struct_ops type
 * {@code Qdisc_ops}, with register_qdisc()/unregister_qdisc() on a modelled {@code qdisc_base}
 * list (net/sched/sch_api.c) that starts with the qdiscs pktsched_init() registers.
 */
final class QdiscOps implements StructOps {
    /** sizeof(struct bpf_sched_data): one struct qdisc_watchdog (hrtimer + qdisc pointer + last_expires), x86-64. */
    static final int BPF_SCHED_DATA_SIZE = 80;

    private final QdiscVerifierOps verifierOps = new QdiscVerifierOps(this::types);
    private volatile QdiscTypes types;
    /** qdisc_base: ids in registration order, with the kdata of a BPF one (0 for built-in C qdiscs). */
    private final List<Object[]> qdiscBase = new ArrayList<>(List.of(
            new Object[] {"pfifo_fast", 0L}, new Object[] {"pfifo", 0L}, new Object[] {"bfifo", 0L},
            new Object[] {"pfifo_head_drop", 0L}, new Object[] {"mq", 0L}, new Object[] {"noqueue", 0L}));

    QdiscTypes types() {
        QdiscTypes t = types;
        if (t == null) {
            throw new IllegalStateException("Qdisc_ops is not registered (bpf_qdisc_init not called)");
        }
        return t;
    }

    @Override
    public String name() {
        return "Qdisc_ops";
    }

    @Override
    public VerifierOps verifierOps() {
        return verifierOps;
    }

    QdiscVerifierOps qdiscVerifierOps() {
        return verifierOps;
    }

    /** {@code .cfi_stubs = &__bpf_ops_qdisc_ops}: the five members a BPF qdisc implements. */
    @Override
    public Set<String> cfiStubs() {
        return Set.of("enqueue", "dequeue", "init", "reset", "destroy");
    }

    /** {@code Qdisc_ops__enqueue(struct sk_buff *skb__ref, ...)}: the skb is the program's to release. */
    @Override
    public Set<Integer> refcountedArgs(String member) {
        return member.equals("enqueue") ? Set.of(0) : Set.of();
    }

    /** bpf_qdisc_init() returns 0; the model resolves here what resolve_btfids resolves at build time. */
    @Override
    public void init(BtfTypes btf) {
        types = new QdiscTypes(btf);
    }

    /**
     * Models bpf_qdisc_init_member(): {@code priv_size} must be 0 and becomes
     * sizeof(struct bpf_sched_data) (handled); {@code peek} is set to qdisc_peek_dequeued and left
     * to the generic code (0); {@code id} is bpf_obj_name_cpy()'d, &lt;= 0 is -EINVAL (handled).
     */
    @Override
    public boolean initMember(StructOpsMember member, KernelMemory mem, long kdata, long udata) {
        QdiscTypes t = types();
        if (member.offset() == t.opsPrivSize) {
            if (mem.readU32(udata + t.opsPrivSize) != 0) {
                throw new KernelException(Errno.EINVAL);
            }
            mem.writeU32(kdata + t.opsPrivSize, BPF_SCHED_DATA_SIZE);
            return true;
        }
        if (member.offset() == t.opsPeek) {
            mem.writeU64(kdata + t.opsPeek, QDISC_PEEK_DEQUEUED);
            return false;
        }
        if (member.offset() == t.opsId) {
            byte[] id = readBytes(mem, udata + t.opsId, t.opsIdSize);
            if (bpfObjNameCpy(id) <= 0) {
                throw new KernelException(Errno.EINVAL);
            }
            writeBytes(mem, kdata + t.opsId, id);
            return true;
        }
        return false;
    }

    /** The address the model gives qdisc_peek_dequeued (a vmlinux function). */
    static final long QDISC_PEEK_DEQUEUED = 0xffffffff81a00000L;

    /** Models bpf_qdisc_validate(): all five members are required, else -EINVAL. */
    @Override
    public Optional<Validate> validate() {
        return Optional.of((mem, kdata) -> {
            QdiscTypes t = types();
            for (int off : new int[] {t.opsEnqueue, t.opsDequeue, t.opsInit, t.opsReset, t.opsDestroy}) {
                if (mem.readU64(kdata + off) == 0) {
                    throw new KernelException(Errno.EINVAL);
                }
            }
        });
    }

    /**
     * Models bpf_qdisc_reg() = register_qdisc(): an id already on qdisc_base is -EEXIST (peek is
     * set by init_member, enqueue/dequeue by validate, so the -EINVAL branch cannot be reached;
     * class ops are NULL).
     */
    @Override
    public synchronized void reg(KernelMemory mem, long kdata) {
        String id = id(mem, kdata);
        for (Object[] q : qdiscBase) {
            if (q[0].equals(id)) {
                throw new KernelException(Errno.EEXIST);
            }
        }
        qdiscBase.add(new Object[] {id, kdata});
    }

    /** Models bpf_qdisc_unreg() = unregister_qdisc(): removes it from qdisc_base. */
    @Override
    public synchronized void unreg(KernelMemory mem, long kdata) {
        qdiscBase.removeIf(q -> (Long) q[1] == kdata && kdata != 0);
    }

    /**
     * qdisc_lookup_ops() (net/sched/sch_api.c) for a BPF qdisc: the registered {@code struct
     * Qdisc_ops} (the struct_ops map's kdata) whose id is {@code id}; empty for an unknown id and
     * for the built-in C qdiscs, which the model has no ops table for.
     */
    synchronized Optional<Long> lookupOps(String id) {
        return qdiscBase.stream().filter(q -> q[0].equals(id) && (Long) q[1] != 0).map(q -> (Long) q[1]).findFirst();
    }

    /** The ids on qdisc_base, in order. */
    synchronized List<String> qdiscIds() {
        return qdiscBase.stream().map(q -> (String) q[0]).toList();
    }

    /**
     * Models bpf_qdisc_kfunc_filter(): kfuncs outside qdisc_kfunc_ids are not filtered; a program
     * of another struct_ops type may call none of them; otherwise enqueue may call the enqueue
     * set, dequeue the dequeue set, and all five the common set.
     */
    KfuncFilter filter() {
        return (BpfProgInfo prog, int kfuncId) -> {
            QdiscTypes t = types();
            if (!t.kfuncIds.contains(kfuncId)) {
                return true;
            }
            if (prog.stOps() != this) {
                return false;
            }
            int moff = prog.attachStOpsMemberOff();
            if (moff == t.opsEnqueue && t.enqueueSet.contains(kfuncId)) {
                return true;
            }
            if (moff == t.opsDequeue && t.dequeueSet.contains(kfuncId)) {
                return true;
            }
            return t.commonSet.contains(kfuncId);
        };
    }

    private String id(KernelMemory mem, long kdata) {
        byte[] b = readBytes(mem, kdata + types().opsId, types().opsIdSize);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    /** Models kernel/bpf/syscall.c bpf_obj_name_cpy(). */
    static int bpfObjNameCpy(byte[] src) {
        for (int i = 0; i < src.length; i++) {
            int c = src[i] & 0xff;
            if (c == 0) {
                return i;
            }
            if (!(c < 0x80 && Character.isLetterOrDigit(c)) && c != '_' && c != '.') {
                return Errno.EINVAL.negative();
            }
        }
        return Errno.EINVAL.negative();
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
