package org.bpfosgi.obj.elf;

import java.util.List;
import java.util.Optional;

/**
 * One row of libbpf v1.5's {@code section_defs[]} (libbpf.c): the SEC() pattern, the program
 * type and expected attach type it gives, and its flags. {@link #find} is find_sec_def().
 *
 * @param sec            the pattern ("socket", "kprobe+", "struct_ops+")
 * @param progType       enum bpf_prog_type without the BPF_PROG_TYPE_ prefix
 * @param progTypeValue  its uapi number
 * @param attachType     enum bpf_attach_type without BPF_, or null for 0
 * @param flags          SEC_EXP_ATTACH_OPT (1), SEC_ATTACHABLE (2), SEC_ATTACH_BTF (4),
 *                       SEC_SLEEPABLE (8), SEC_XDP_FRAGS (16), SEC_USDT (32)
 */
public record SecDef(String sec, String progType, int progTypeValue, String attachType, int flags) {
    static final int F_EXP_ATTACH_OPT = 1, F_ATTACHABLE = 2, F_ATTACHABLE_OPT = F_ATTACHABLE | F_EXP_ATTACH_OPT,
            F_ATTACH_BTF = 4, F_SLEEPABLE = 8, F_XDP_FRAGS = 16, F_USDT = 32;

    /** section_defs[] of libbpf v1.5.0, in table order (the first match wins). */
    static final List<SecDef> SECTION_DEFS = List.of(
            new SecDef("socket", "SOCKET_FILTER", 1, null, 0),
            new SecDef("sk_reuseport/migrate", "SK_REUSEPORT", 21, "SK_REUSEPORT_SELECT_OR_MIGRATE", F_ATTACHABLE),
            new SecDef("sk_reuseport", "SK_REUSEPORT", 21, "SK_REUSEPORT_SELECT", F_ATTACHABLE),
            new SecDef("kprobe+", "KPROBE", 2, null, 0),
            new SecDef("uprobe+", "KPROBE", 2, null, 0),
            new SecDef("uprobe.s+", "KPROBE", 2, null, F_SLEEPABLE),
            new SecDef("kretprobe+", "KPROBE", 2, null, 0),
            new SecDef("uretprobe+", "KPROBE", 2, null, 0),
            new SecDef("uretprobe.s+", "KPROBE", 2, null, F_SLEEPABLE),
            new SecDef("kprobe.multi+", "KPROBE", 2, "TRACE_KPROBE_MULTI", 0),
            new SecDef("kretprobe.multi+", "KPROBE", 2, "TRACE_KPROBE_MULTI", 0),
            new SecDef("kprobe.session+", "KPROBE", 2, "TRACE_KPROBE_SESSION", 0),
            new SecDef("uprobe.multi+", "KPROBE", 2, "TRACE_UPROBE_MULTI", 0),
            new SecDef("uretprobe.multi+", "KPROBE", 2, "TRACE_UPROBE_MULTI", 0),
            new SecDef("uprobe.multi.s+", "KPROBE", 2, "TRACE_UPROBE_MULTI", F_SLEEPABLE),
            new SecDef("uretprobe.multi.s+", "KPROBE", 2, "TRACE_UPROBE_MULTI", F_SLEEPABLE),
            new SecDef("ksyscall+", "KPROBE", 2, null, 0),
            new SecDef("kretsyscall+", "KPROBE", 2, null, 0),
            new SecDef("usdt+", "KPROBE", 2, null, F_USDT),
            new SecDef("usdt.s+", "KPROBE", 2, null, F_USDT | F_SLEEPABLE),
            new SecDef("tc/ingress", "SCHED_CLS", 3, "TCX_INGRESS", 0),
            new SecDef("tc/egress", "SCHED_CLS", 3, "TCX_EGRESS", 0),
            new SecDef("tcx/ingress", "SCHED_CLS", 3, "TCX_INGRESS", 0),
            new SecDef("tcx/egress", "SCHED_CLS", 3, "TCX_EGRESS", 0),
            new SecDef("tc", "SCHED_CLS", 3, null, 0),
            new SecDef("classifier", "SCHED_CLS", 3, null, 0),
            new SecDef("action", "SCHED_ACT", 4, null, 0),
            new SecDef("netkit/primary", "SCHED_CLS", 3, "NETKIT_PRIMARY", 0),
            new SecDef("netkit/peer", "SCHED_CLS", 3, "NETKIT_PEER", 0),
            new SecDef("tracepoint+", "TRACEPOINT", 5, null, 0),
            new SecDef("tp+", "TRACEPOINT", 5, null, 0),
            new SecDef("raw_tracepoint+", "RAW_TRACEPOINT", 17, null, 0),
            new SecDef("raw_tp+", "RAW_TRACEPOINT", 17, null, 0),
            new SecDef("raw_tracepoint.w+", "RAW_TRACEPOINT_WRITABLE", 24, null, 0),
            new SecDef("raw_tp.w+", "RAW_TRACEPOINT_WRITABLE", 24, null, 0),
            new SecDef("tp_btf+", "TRACING", 26, "TRACE_RAW_TP", F_ATTACH_BTF),
            new SecDef("fentry+", "TRACING", 26, "TRACE_FENTRY", F_ATTACH_BTF),
            new SecDef("fmod_ret+", "TRACING", 26, "MODIFY_RETURN", F_ATTACH_BTF),
            new SecDef("fexit+", "TRACING", 26, "TRACE_FEXIT", F_ATTACH_BTF),
            new SecDef("fentry.s+", "TRACING", 26, "TRACE_FENTRY", F_ATTACH_BTF | F_SLEEPABLE),
            new SecDef("fmod_ret.s+", "TRACING", 26, "MODIFY_RETURN", F_ATTACH_BTF | F_SLEEPABLE),
            new SecDef("fexit.s+", "TRACING", 26, "TRACE_FEXIT", F_ATTACH_BTF | F_SLEEPABLE),
            new SecDef("freplace+", "EXT", 28, null, F_ATTACH_BTF),
            new SecDef("lsm+", "LSM", 29, "LSM_MAC", F_ATTACH_BTF),
            new SecDef("lsm.s+", "LSM", 29, "LSM_MAC", F_ATTACH_BTF | F_SLEEPABLE),
            new SecDef("lsm_cgroup+", "LSM", 29, "LSM_CGROUP", F_ATTACH_BTF),
            new SecDef("iter+", "TRACING", 26, "TRACE_ITER", F_ATTACH_BTF),
            new SecDef("iter.s+", "TRACING", 26, "TRACE_ITER", F_ATTACH_BTF | F_SLEEPABLE),
            new SecDef("syscall", "SYSCALL", 31, null, F_SLEEPABLE),
            new SecDef("xdp.frags/devmap", "XDP", 6, "XDP_DEVMAP", F_XDP_FRAGS),
            new SecDef("xdp/devmap", "XDP", 6, "XDP_DEVMAP", F_ATTACHABLE),
            new SecDef("xdp.frags/cpumap", "XDP", 6, "XDP_CPUMAP", F_XDP_FRAGS),
            new SecDef("xdp/cpumap", "XDP", 6, "XDP_CPUMAP", F_ATTACHABLE),
            new SecDef("xdp.frags", "XDP", 6, "XDP", F_XDP_FRAGS),
            new SecDef("xdp", "XDP", 6, "XDP", F_ATTACHABLE_OPT),
            new SecDef("perf_event", "PERF_EVENT", 7, null, 0),
            new SecDef("lwt_in", "LWT_IN", 10, null, 0),
            new SecDef("lwt_out", "LWT_OUT", 11, null, 0),
            new SecDef("lwt_xmit", "LWT_XMIT", 12, null, 0),
            new SecDef("lwt_seg6local", "LWT_SEG6LOCAL", 19, null, 0),
            new SecDef("sockops", "SOCK_OPS", 13, "CGROUP_SOCK_OPS", F_ATTACHABLE_OPT),
            new SecDef("sk_skb/stream_parser", "SK_SKB", 14, "SK_SKB_STREAM_PARSER", F_ATTACHABLE_OPT),
            new SecDef("sk_skb/stream_verdict", "SK_SKB", 14, "SK_SKB_STREAM_VERDICT", F_ATTACHABLE_OPT),
            new SecDef("sk_skb/verdict", "SK_SKB", 14, "SK_SKB_VERDICT", F_ATTACHABLE_OPT),
            new SecDef("sk_skb", "SK_SKB", 14, null, 0),
            new SecDef("sk_msg", "SK_MSG", 16, "SK_MSG_VERDICT", F_ATTACHABLE_OPT),
            new SecDef("lirc_mode2", "LIRC_MODE2", 20, "LIRC_MODE2", F_ATTACHABLE_OPT),
            new SecDef("flow_dissector", "FLOW_DISSECTOR", 22, "FLOW_DISSECTOR", F_ATTACHABLE_OPT),
            new SecDef("cgroup_skb/ingress", "CGROUP_SKB", 8, "CGROUP_INET_INGRESS", F_ATTACHABLE_OPT),
            new SecDef("cgroup_skb/egress", "CGROUP_SKB", 8, "CGROUP_INET_EGRESS", F_ATTACHABLE_OPT),
            new SecDef("cgroup/skb", "CGROUP_SKB", 8, null, 0),
            new SecDef("cgroup/sock_create", "CGROUP_SOCK", 9, "CGROUP_INET_SOCK_CREATE", F_ATTACHABLE),
            new SecDef("cgroup/sock_release", "CGROUP_SOCK", 9, "CGROUP_INET_SOCK_RELEASE", F_ATTACHABLE),
            new SecDef("cgroup/sock", "CGROUP_SOCK", 9, "CGROUP_INET_SOCK_CREATE", F_ATTACHABLE_OPT),
            new SecDef("cgroup/post_bind4", "CGROUP_SOCK", 9, "CGROUP_INET4_POST_BIND", F_ATTACHABLE),
            new SecDef("cgroup/post_bind6", "CGROUP_SOCK", 9, "CGROUP_INET6_POST_BIND", F_ATTACHABLE),
            new SecDef("cgroup/bind4", "CGROUP_SOCK_ADDR", 18, "CGROUP_INET4_BIND", F_ATTACHABLE),
            new SecDef("cgroup/bind6", "CGROUP_SOCK_ADDR", 18, "CGROUP_INET6_BIND", F_ATTACHABLE),
            new SecDef("cgroup/connect4", "CGROUP_SOCK_ADDR", 18, "CGROUP_INET4_CONNECT", F_ATTACHABLE),
            new SecDef("cgroup/connect6", "CGROUP_SOCK_ADDR", 18, "CGROUP_INET6_CONNECT", F_ATTACHABLE),
            new SecDef("cgroup/connect_unix", "CGROUP_SOCK_ADDR", 18, "CGROUP_UNIX_CONNECT", F_ATTACHABLE),
            new SecDef("cgroup/sendmsg4", "CGROUP_SOCK_ADDR", 18, "CGROUP_UDP4_SENDMSG", F_ATTACHABLE),
            new SecDef("cgroup/sendmsg6", "CGROUP_SOCK_ADDR", 18, "CGROUP_UDP6_SENDMSG", F_ATTACHABLE),
            new SecDef("cgroup/sendmsg_unix", "CGROUP_SOCK_ADDR", 18, "CGROUP_UNIX_SENDMSG", F_ATTACHABLE),
            new SecDef("cgroup/recvmsg4", "CGROUP_SOCK_ADDR", 18, "CGROUP_UDP4_RECVMSG", F_ATTACHABLE),
            new SecDef("cgroup/recvmsg6", "CGROUP_SOCK_ADDR", 18, "CGROUP_UDP6_RECVMSG", F_ATTACHABLE),
            new SecDef("cgroup/recvmsg_unix", "CGROUP_SOCK_ADDR", 18, "CGROUP_UNIX_RECVMSG", F_ATTACHABLE),
            new SecDef("cgroup/getpeername4", "CGROUP_SOCK_ADDR", 18, "CGROUP_INET4_GETPEERNAME", F_ATTACHABLE),
            new SecDef("cgroup/getpeername6", "CGROUP_SOCK_ADDR", 18, "CGROUP_INET6_GETPEERNAME", F_ATTACHABLE),
            new SecDef("cgroup/getpeername_unix", "CGROUP_SOCK_ADDR", 18, "CGROUP_UNIX_GETPEERNAME", F_ATTACHABLE),
            new SecDef("cgroup/getsockname4", "CGROUP_SOCK_ADDR", 18, "CGROUP_INET4_GETSOCKNAME", F_ATTACHABLE),
            new SecDef("cgroup/getsockname6", "CGROUP_SOCK_ADDR", 18, "CGROUP_INET6_GETSOCKNAME", F_ATTACHABLE),
            new SecDef("cgroup/getsockname_unix", "CGROUP_SOCK_ADDR", 18, "CGROUP_UNIX_GETSOCKNAME", F_ATTACHABLE),
            new SecDef("cgroup/sysctl", "CGROUP_SYSCTL", 23, "CGROUP_SYSCTL", F_ATTACHABLE),
            new SecDef("cgroup/getsockopt", "CGROUP_SOCKOPT", 25, "CGROUP_GETSOCKOPT", F_ATTACHABLE),
            new SecDef("cgroup/setsockopt", "CGROUP_SOCKOPT", 25, "CGROUP_SETSOCKOPT", F_ATTACHABLE),
            new SecDef("cgroup/dev", "CGROUP_DEVICE", 15, "CGROUP_DEVICE", F_ATTACHABLE_OPT),
            new SecDef("struct_ops+", "STRUCT_OPS", 27, null, 0),
            new SecDef("struct_ops.s+", "STRUCT_OPS", 27, null, F_SLEEPABLE),
            new SecDef("sk_lookup", "SK_LOOKUP", 30, "SK_LOOKUP", F_ATTACHABLE),
            new SecDef("netfilter", "NETFILTER", 32, "NETFILTER", 0)    );

    public boolean sleepable() {
        return (flags & F_SLEEPABLE) != 0;
    }

    /**
     * Models sec_def_matches(): a pattern ending in '/' is a prefix; one ending in '+' matches
     * the name without '+' exactly or followed by '/'; any other pattern matches exactly.
     */
    boolean matches(String secName) {
        if (sec.endsWith("/")) {
            return secName.startsWith(sec);
        }
        if (sec.endsWith("+")) {
            String p = sec.substring(0, sec.length() - 1);
            return secName.equals(p) || secName.startsWith(p + "/");
        }
        return secName.equals(sec);
    }

    /** Models find_sec_def(): the first row that matches (no user-registered handlers). */
    public static Optional<SecDef> find(String secName) {
        for (SecDef d : SECTION_DEFS) {
            if (d.matches(secName)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
