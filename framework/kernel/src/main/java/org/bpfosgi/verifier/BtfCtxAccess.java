package org.bpfosgi.verifier;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.InsnAccessAux;

/**
 * Models kernel/trace/bpf_trace.c bpf_tracing_btf_ctx_access() with bpf_tracing_ctx_access()
 * and kernel/bpf/btf.c btf_ctx_access(): the context of a struct_ops program is an array of u64,
 * one slot per argument of the member's prototype; slot i is typed from argument i.
 *
 * <p>Struct_ops arguments are trusted (prog_args_trusted()). Arguments named with the
 * {@code __nullable} suffix are not modelled (bpf_testmod's members have none).
 */
final class BtfCtxAccess {
    /** MAX_BPF_FUNC_ARGS. */
    static final int MAX_BPF_FUNC_ARGS = 12;

    private BtfCtxAccess() {
    }

    static boolean bpfTracingBtfCtxAccess(VerifierEnv env, int off, int size, BpfAccessType type, InsnAccessAux info) {
        // bpf_tracing_ctx_access()
        if (off < 0 || off >= 8 * MAX_BPF_FUNC_ARGS) {
            return false;
        }
        if (type != BpfAccessType.BPF_READ) {
            return false;
        }
        if (size <= 0 || off % size != 0) {
            return false;
        }
        return btfCtxAccess(env, off, size, info);
    }

    /** Models btf_ctx_access(). */
    static boolean btfCtxAccess(VerifierEnv env, int off, int size, InsnAccessAux info) {
        BtfType.FuncProto t = env.aux.attachFuncProto;
        String tname = env.aux.attachFuncName;
        Btf btf = env.aux.attachBtf.btf();
        if (off % 8 != 0) {
            info.log.log("func '%s' offset %d is not multiple of 8\n", tname, off);
            return false;
        }
        int arg = off / 8;
        int nrArgs = t == null ? 5 : t.vlen();
        if (arg >= nrArgs) {
            // arg == nr_args is the return value only for fexit/LSM-like attach types
            info.log.log("func '%s' doesn't have %d-th argument\n", tname, arg + 1);
            return false;
        }
        int argType = t.params().get(arg).type();
        int tid = btf.resolve(argType); // the kernel's btf_type_skip_modifiers() skips typedefs too
        BtfKind k = btf.kind(tid);
        if (k == BtfKind.INT || k == BtfKind.ENUM || k == BtfKind.ENUM64 || k == BtfKind.STRUCT
                || k == BtfKind.UNION || k == BtfKind.TYPEDEF && isScalarTypedef(btf, tid)) {
            // accessing a scalar
            info.regType = InsnAccessAux.RegType.SCALAR_VALUE;
            return true;
        }
        if (k != BtfKind.PTR) {
            info.log.log("func '%s' arg%d type %s is not a struct\n", tname, arg, kindStr(k));
            return false;
        }
        int pointee = btf.resolve(((BtfType.Ref) btf.type(tid)).type());
        BtfKind pk = btf.kind(pointee);
        if (pointee == 0 || pk == BtfKind.INT || pk == BtfKind.ENUM) {
            // is_void_or_int_ptr(): a scalar
            info.regType = InsnAccessAux.RegType.SCALAR_VALUE;
            return true;
        }
        if (pk != BtfKind.STRUCT) {
            info.log.log("func '%s' arg%d type %s is not a struct\n", tname, arg, kindStr(pk));
            return false;
        }
        if (size != 8) {
            // unsure of the exact kernel text for a narrow load of a pointer argument
            info.log.log("func '%s' size %d must be 8\n", tname, size);
            return false;
        }
        info.regType = InsnAccessAux.RegType.PTR_TO_BTF_ID;
        info.trusted = true; // prog_args_trusted(): struct_ops arguments are trusted
        info.btfId = pointee;
        info.log.log("func '%s' arg%d has btf_id %d type %s '%s'\n", tname, arg, pointee, "STRUCT", btf.name(pointee));
        return true;
    }

    private static boolean isScalarTypedef(Btf btf, int tid) {
        BtfKind k = btf.kind(btf.resolve(tid));
        return k == BtfKind.INT || k == BtfKind.ENUM || k == BtfKind.ENUM64;
    }

    /** Models btf_type_str(). */
    static String kindStr(BtfKind k) {
        return k.name();
    }
}
