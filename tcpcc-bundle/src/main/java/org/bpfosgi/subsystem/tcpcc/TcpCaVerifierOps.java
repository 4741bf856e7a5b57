package org.bpfosgi.subsystem.tcpcc;

import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_ANYTHING;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_CONST_MAP_PTR;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_CONST_SIZE;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_BTF_ID;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_BTF_ID_SOCK_COMMON;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_MAP_VALUE_OR_NULL;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_MEM_RDONLY;
import static org.bpfosgi.subsystem.BpfFuncProto.ArgType.ARG_PTR_TO_UNINIT_MEM;
import static org.bpfosgi.subsystem.BpfFuncProto.RetType.RET_INTEGER;
import static org.bpfosgi.subsystem.BpfFuncProto.RetType.RET_PTR_TO_MAP_VALUE_OR_NULL;

import java.util.List;
import java.util.function.Supplier;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgInfo;
import org.bpfosgi.subsystem.BtfRegInfo;
import org.bpfosgi.subsystem.InsnAccessAux;
import org.bpfosgi.subsystem.VerifierLog;
import org.bpfosgi.subsystem.VerifierOps;

/**
 * net/ipv4/bpf_tcp_ca.c {@code bpf_tcp_ca_verifier_ops} (v6.12): no gen_prologue or
 * gen_epilogue.
 */
final class TcpCaVerifierOps implements VerifierOps {
    /** BPF_FUNC_setsockopt. */
    static final int BPF_FUNC_SETSOCKOPT = 49;
    /** BPF_FUNC_getsockopt. */
    static final int BPF_FUNC_GETSOCKOPT = 57;
    /** BPF_FUNC_sk_storage_get. */
    static final int BPF_FUNC_SK_STORAGE_GET = 107;
    /** BPF_FUNC_sk_storage_delete. */
    static final int BPF_FUNC_SK_STORAGE_DELETE = 108;
    /** BPF_FUNC_tcp_send_ack. */
    static final int BPF_FUNC_TCP_SEND_ACK = 116;
    /** BPF_FUNC_ktime_get_coarse_ns. */
    static final int BPF_FUNC_KTIME_GET_COARSE_NS = 160;

    /** net/core/bpf_sk_storage.c bpf_sk_storage_get_proto. */
    static final BpfFuncProto SK_STORAGE_GET = new BpfFuncProto("bpf_sk_storage_get", false, RET_PTR_TO_MAP_VALUE_OR_NULL,
            List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING));
    /** net/core/bpf_sk_storage.c bpf_sk_storage_delete_proto. */
    static final BpfFuncProto SK_STORAGE_DELETE = new BpfFuncProto("bpf_sk_storage_delete", false, RET_INTEGER,
            List.of(ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON));
    /** net/core/filter.c bpf_sk_setsockopt_proto: optval is ARG_PTR_TO_MEM | MEM_RDONLY. */
    static final BpfFuncProto SK_SETSOCKOPT = new BpfFuncProto("bpf_setsockopt", false, RET_INTEGER,
            List.of(ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_MEM_RDONLY, ARG_CONST_SIZE));
    /** net/core/filter.c bpf_sk_getsockopt_proto: optval is ARG_PTR_TO_UNINIT_MEM. */
    static final BpfFuncProto SK_GETSOCKOPT = new BpfFuncProto("bpf_getsockopt", false, RET_INTEGER,
            List.of(ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE));
    /** kernel/bpf/helpers.c bpf_ktime_get_coarse_ns_proto. */
    static final BpfFuncProto KTIME_GET_COARSE_NS = new BpfFuncProto("bpf_ktime_get_coarse_ns", false, RET_INTEGER, List.of());

    private final Supplier<TcpCaTypes> types;

    TcpCaVerifierOps(Supplier<TcpCaTypes> types) {
        this.types = types;
    }

    /**
     * Models bpf_tcp_ca_is_valid_access(): bpf_tracing_btf_ctx_access(), then a
     * {@code struct sock *} argument (a PTR_TO_BTF_ID without unsafe modifiers) is promoted to
     * {@code struct tcp_sock *}.
     */
    @Override
    public boolean isValidAccess(int off, int size, BpfAccessType type, BpfProgInfo prog, InsnAccessAux info) {
        if (!prog.tracingBtfCtxAccess(off, size, type, info)) {
            return false;
        }
        TcpCaTypes t = types.get();
        if (info.regType == InsnAccessAux.RegType.PTR_TO_BTF_ID && info.btfId == t.sockId) {
            // promote it to tcp_sock
            info.btfId = t.tcpSockId;
        }
        return true;
    }

    /**
     * Models bpf_tcp_ca_btf_struct_access() (asked for writes only): only {@code struct
     * tcp_sock}; the write must start at one of the writable fields (the kernel's
     * {@code switch (off)}: exact starts, a range only for {@code icsk_ca_priv}) and end inside it.
     */
    @Override
    public void btfStructAccess(VerifierLog log, BtfRegInfo reg, int off, int size) {
        TcpCaTypes t = types.get();
        if (reg.btfId() != t.tcpSockId) {
            log.log("only read is supported\n");
            throw new KernelException(Errno.EACCES);
        }
        long end = -1;
        for (TcpCaTypes.WritableField f : t.writable) {
            if (off >= f.first() && off <= f.last()) {
                end = f.end();
                break;
            }
        }
        if (end < 0) {
            log.log("no write support to tcp_sock at off %d\n", off);
            throw new KernelException(Errno.EACCES);
        }
        if (off + size > end) {
            log.log("write access at off %d with size %d beyond the member of tcp_sock ended at %zu\n", off, size, end);
            throw new KernelException(Errno.EACCES);
        }
    }

    /**
     * Models bpf_tcp_ca_get_func_proto(): bpf_tcp_send_ack, sk_storage get/delete,
     * setsockopt/getsockopt except in {@code release} (prog_ops_moff()), ktime_get_coarse_ns,
     * else bpf_base_func_proto().
     */
    @Override
    public BpfFuncProto getFuncProto(int funcId, BpfProgInfo prog) {
        TcpCaTypes t = types.get();
        return switch (funcId) {
            case BPF_FUNC_TCP_SEND_ACK -> new BpfFuncProto("bpf_tcp_send_ack", false, RET_INTEGER,
                    List.of(ARG_PTR_TO_BTF_ID, ARG_ANYTHING), List.of(t.tcpSockId, 0));
            case BPF_FUNC_SK_STORAGE_GET -> SK_STORAGE_GET;
            case BPF_FUNC_SK_STORAGE_DELETE -> SK_STORAGE_DELETE;
            // release() is called when the bpf-tcp-cc is retiring: no setsockopt/getsockopt there
            case BPF_FUNC_SETSOCKOPT -> prog.attachStOpsMemberOff() != t.opsOffset("release") ? SK_SETSOCKOPT : null;
            case BPF_FUNC_GETSOCKOPT -> prog.attachStOpsMemberOff() != t.opsOffset("release") ? SK_GETSOCKOPT : null;
            case BPF_FUNC_KTIME_GET_COARSE_NS -> KTIME_GET_COARSE_NS;
            default -> prog.baseFuncProto(funcId);
        };
    }
}
