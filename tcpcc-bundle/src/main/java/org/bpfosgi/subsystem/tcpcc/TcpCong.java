package org.bpfosgi.subsystem.tcpcc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;

/**
 * net/ipv4/tcp_cong.c: {@code tcp_cong_list} under {@code tcp_cong_list_lock} (this object's
 * monitor), with tcp_validate_congestion_control(), tcp_register_congestion_control(),
 * tcp_unregister_congestion_control() and tcp_update_congestion_control(). An entry is a
 * congestion control's name, its {@code key} and its address ({@code kdata} for a BPF one, 0 for
 * the built-in C ones). The list starts with the kernel's built-ins: {@code reno} (always) and
 * {@code cubic} (CONFIG_TCP_CONG_CUBIC=y, the default).
 */
final class TcpCong {
    /** TCP_CA_UNSPEC. */
    static final int TCP_CA_UNSPEC = 0;
    /** TCP_CA_NAME_MAX. */
    static final int TCP_CA_NAME_MAX = 16;

    /** One {@code struct tcp_congestion_ops} on the list. */
    record Entry(String name, int key, long addr) {
    }

    /** The members tcp_validate_congestion_control() looks at. */
    record RequiredOps(boolean ssthresh, boolean undoCwnd, boolean congAvoid, boolean congControl) {
    }

    private final List<Entry> list = new ArrayList<>();
    private final Consumer<String> printk;

    TcpCong(Consumer<String> printk) {
        this.printk = printk;
        list.add(new Entry("reno", key("reno"), 0));
        list.add(new Entry("cubic", key("cubic"), 0));
    }

    /** {@code jhash(ca->name, sizeof(ca->name), strlen(ca->name))}. */
    static int key(String name) {
        byte[] buf = new byte[TCP_CA_NAME_MAX];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, buf, 0, Math.min(n.length, TCP_CA_NAME_MAX));
        return Jhash.jhash(buf, TCP_CA_NAME_MAX, n.length);
    }

    /** Models tcp_validate_congestion_control(): ssthresh, undo_cwnd and cong_avoid or cong_control. */
    void validate(String name, RequiredOps ops) {
        if (!ops.ssthresh() || !ops.undoCwnd() || !(ops.congAvoid() || ops.congControl())) {
            printk.accept(String.format("%s does not implement required ops", name));
            throw new KernelException(Errno.EINVAL, name + " does not implement required ops");
        }
    }

    /** Models tcp_register_congestion_control(): validate, key, then a unique key on the list. */
    synchronized void register(String name, RequiredOps ops, long addr) {
        validate(name, ops);
        int key = key(name);
        if (key == TCP_CA_UNSPEC || findKey(key).isPresent()) {
            printk.accept(String.format("%s already registered or non-unique key", name));
            throw new KernelException(Errno.EEXIST, name + " already registered or non-unique key");
        }
        list.add(new Entry(name, key, addr));
    }

    /** Models tcp_unregister_congestion_control(): list_del_rcu of the entry at {@code addr}. */
    synchronized void unregister(long addr) {
        list.removeIf(e -> e.addr() == addr && addr != 0);
    }

    /**
     * Models tcp_update_congestion_control(): the old one must be on the list under its key and
     * name, and be the same object; the new one is added before the old one is removed.
     */
    synchronized void update(String name, RequiredOps ops, long addr, String oldName, long oldAddr) {
        validate(name, ops);
        int key = key(name);
        Optional<Entry> existing = findKey(key(oldName));
        if (key == TCP_CA_UNSPEC || existing.isEmpty() || !existing.get().name().equals(oldName)) {
            printk.accept(String.format("%s not registered or non-unique key", name));
            throw new KernelException(Errno.EINVAL, name + " not registered or non-unique key");
        }
        if (existing.get().addr() != oldAddr) {
            printk.accept("invalid old congestion control algorithm to replace");
            throw new KernelException(Errno.EINVAL, "invalid old congestion control algorithm to replace");
        }
        list.add(new Entry(name, key, addr));
        list.remove(existing.get());
    }

    /** Models tcp_ca_find_key(). */
    synchronized Optional<Entry> findKey(int key) {
        return list.stream().filter(e -> e.key() == key).findFirst();
    }

    /** Models tcp_ca_find(): by name. */
    synchronized Optional<Entry> find(String name) {
        return list.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The names on the list, in order (/proc/sys/net/ipv4/tcp_available_congestion_control). */
    synchronized List<String> available() {
        return list.stream().map(Entry::name).toList();
    }
}
