package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.KfFlags;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.HelperIds;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;
import org.bpfosgi.subsystem.BpfProgType;

/**
 * The calls and the exit of do_check(): models kernel/bpf/verifier.c check_helper_call(),
 * check_kfunc_call() with fetch_kfunc_meta() and check_kfunc_args(), check_func_call() with
 * setup_func_entry(), prepare_func_exit(), check_reference_leak() and check_return_code().
 * Caller-saved registers R0-R5 are clobbered by every call.
 */
final class CheckCalls {
    /** CALLER_SAVED_REGS. */
    static final int CALLER_SAVED_REGS = 6;

    private final DoCheck dc;
    private final VerifierEnv env;

    CheckCalls(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    private void clobberCallerSaved() {
        for (int i = 0; i < CALLER_SAVED_REGS; i++) {
            dc.setReg(i, RegState.NOT_INIT);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Models check_helper_call(). */
    int checkHelperCall(int idx, Insn insn) {
        int funcId = insn.imm();
        if (funcId < 0 || funcId >= HelperIds.__BPF_FUNC_MAX_ID) {
            return env.err(Errno.EINVAL, "invalid func %s#%d\n", BaseFuncProtos.name(funcId), funcId);
        }
        BpfFuncProto fn;
        try {
            fn = env.ops.getFuncProto(funcId, new ProgInfo(env));
        } catch (RuntimeException e) {
            env.verbose("bpf-osgi: get_func_proto of %s threw %s\n", env.aux.stOps.name(), e.toString());
            fn = null;
        }
        if (fn == null) {
            return env.err(Errno.EINVAL, "program of this type cannot use helper %s#%d\n", BaseFuncProtos.name(funcId), funcId);
        }
        if (!env.aux.gplCompatible && fn.gplOnly()) {
            return env.err(Errno.EINVAL, "cannot call GPL-restricted function from non-GPL compatible program\n");
        }
        List<BpfFuncProto.ArgType> args = fn.argTypes();
        for (int i = 0; i < args.size(); i++) {
            int regno = i + 1;
            int r = dc.checkRegArg(regno, true);
            if (r < 0) {
                return r;
            }
            RegState reg = dc.reg(regno);
            switch (args.get(i)) {
                case ARG_ANYTHING -> {
                    if (dc.isPointerValue(reg)) {
                        return env.err(Errno.EACCES, "R%d leaks addr into helper function\n", regno);
                    }
                }
                case ARG_PTR_TO_CTX -> {
                    if (reg.type() != RegType.PTR_TO_CTX) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), "ctx");
                    }
                }
                case ARG_PTR_TO_MEM_RDONLY, ARG_PTR_TO_UNINIT_MEM -> {
                    if (reg.type() != RegType.PTR_TO_STACK && reg.type() != RegType.PTR_TO_MEM) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), "fp, mem");
                    }
                }
                case ARG_PTR_TO_BTF_ID, ARG_PTR_TO_BTF_ID_SOCK_COMMON -> {
                    r = checkBtfIdArg(regno, reg, fn, i);
                    if (r < 0) {
                        return r;
                    }
                }
                case ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE_OR_NULL -> {
                    // check_reg_type(): the model has no map registers (no BPF_PSEUDO_MAP_FD), so no
                    // register is a CONST_PTR_TO_MAP. Not modelled: maps (kernel/bpf/verifier.c
                    // check_ld_imm(), resolve_pseudo_ldimm64()).
                    return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(),
                            args.get(i) == BpfFuncProto.ArgType.ARG_CONST_MAP_PTR ? "map_ptr" : "map_value");
                }
                case ARG_CONST_SIZE, ARG_CONST_SIZE_OR_ZERO -> {
                    if (!reg.isConst()) {
                        return env.err(Errno.EACCES,
                                "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'\n", regno);
                    }
                    long size = reg.var().value();
                    if (size == 0 && args.get(i) == BpfFuncProto.ArgType.ARG_CONST_SIZE) {
                        return env.err(Errno.EACCES, "R%d invalid zero-sized read: u64=[%d,%d]\n", regno, size, size);
                    }
                    if (size < 0 || size > MAX_BPF_STACK) {
                        return env.err(Errno.EACCES, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'\n", regno);
                    }
                    RegState memReg = dc.reg(regno - 1);
                    if (memReg.type() == RegType.PTR_TO_STACK) {
                        // raw mode (ARG_PTR_TO_UNINIT_MEM): the helper writes the buffer
                        boolean raw = i > 0 && args.get(i - 1) == BpfFuncProto.ArgType.ARG_PTR_TO_UNINIT_MEM;
                        r = dc.mem.checkStackRangeInitialized(regno - 1, memReg, (int) size,
                                raw ? BpfAccessType.BPF_WRITE : BpfAccessType.BPF_READ);
                        if (r < 0) {
                            return r;
                        }
                    }
                }
                default -> {
                }
            }
        }
        clobberCallerSaved();
        if (fn.retType() == BpfFuncProto.RetType.RET_INTEGER) {
            dc.setReg(BPF_REG_0, RegState.UNKNOWN_SCALAR);
        }
        return 0;
    }

    /**
     * check_reg_type() for ARG_PTR_TO_BTF_ID ({@code btf_ptr_types}) and
     * ARG_PTR_TO_BTF_ID_SOCK_COMMON ({@code btf_id_sock_common_types}, v6.12): the register must be
     * a PTR_TO_BTF_ID that is plain or trusted (RCU pointers are not modelled), then
     * btf_struct_ids_match() against the wanted vmlinux struct, non-strict: the pointed-to struct
     * or, at offset 0, its first member, recursively.
     */
    private int checkBtfIdArg(int regno, RegState reg, BpfFuncProto fn, int i) {
        boolean sockCommon = fn.argTypes().get(i) == BpfFuncProto.ArgType.ARG_PTR_TO_BTF_ID_SOCK_COMMON;
        boolean typeOk = reg.type() == RegType.PTR_TO_BTF_ID && (reg.flags() & ~RegState.PTR_TRUSTED) == 0;
        if (!typeOk) {
            return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(),
                    sockCommon ? "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_" : "ptr_, trusted_ptr_, rcu_ptr_");
        }
        BtfHandle vmlinux = env.btfs().vmlinux();
        int want = sockCommon ? vmlinux.btf().findByNameKind("sock_common", BtfKind.STRUCT) : fn.argBtfIds().get(i);
        if (!btfStructIdsMatch(reg, vmlinux, want)) {
            return env.err(Errno.EACCES, "R%d is of type %s but %s is expected\n", regno,
                    reg.btf().btf().name(reg.btfId()), vmlinux.btf().name(want));
        }
        if (reg.off() < 0) {
            return env.err(Errno.EACCES, "negative offset %s ptr R%d off=%d disallowed\n", reg.typeStr(), regno, reg.off());
        }
        return 0;
    }

    /**
     * Models btf_struct_ids_match() for a kfunc argument, the wanted struct named (the kfunc's
     * BTF may be a module's, whose base is the register's): the register's struct, or — unless
     * {@code strict} — the struct member containing {@code off}, recursively (a tcp_sock passes
     * for a sock: its first member chain is inet_conn.icsk_inet.sk).
     */
    static boolean btfStructIdsMatchByName(Btf btf, int regId, int off, String wantName, boolean strict) {
        int id = btf.resolve(regId);
        for (int depth = 0; depth < 32; depth++) {
            if (off == 0 && btf.kind(id) == BtfKind.STRUCT && btf.name(id).equals(wantName)) {
                return true;
            }
            if (strict || btf.kind(id) != BtfKind.STRUCT) {
                return false;
            }
            BtfType.Composite c = (BtfType.Composite) btf.type(id);
            int next = 0;
            for (BtfType.Member m : c.members()) {
                int moff = m.bitOffset(c.kindFlag()) / 8;
                int mt = btf.resolve(m.type());
                if (btf.kind(mt) == BtfKind.STRUCT && off >= moff && off < moff + btf.resolveSize(mt)) {
                    next = mt;
                    off -= moff;
                    break;
                }
            }
            if (next == 0) {
                return false;
            }
            id = next;
        }
        return false;
    }

    /** Models btf_struct_ids_match() with strict == false. */
    private static boolean btfStructIdsMatch(RegState reg, BtfHandle needBtf, int needId) {
        if (needId <= 0 || !reg.btf().equals(needBtf)) {
            return false;
        }
        Btf btf = needBtf.btf();
        int id = btf.resolve(reg.btfId());
        int off = reg.off();
        for (int depth = 0; depth < 32; depth++) {
            if (id == btf.resolve(needId)) {
                return true;
            }
            if (btf.kind(id) != BtfKind.STRUCT) {
                return false;
            }
            // btf_struct_walk(): the struct member that contains off
            BtfType.Composite c = (BtfType.Composite) btf.type(id);
            int next = 0;
            for (BtfType.Member m : c.members()) {
                int moff = m.bitOffset(c.kindFlag()) / 8;
                int mt = btf.resolve(m.type());
                if (btf.kind(mt) == BtfKind.STRUCT && off >= moff && off < moff + btf.resolveSize(mt)) {
                    next = mt;
                    off -= moff;
                    break;
                }
            }
            if (next == 0) {
                return false;
            }
            id = next;
        }
        return false;
    }

    // ------------------------------------------------------------------ kfuncs

    static BtfHandle kfuncBtf(VerifierEnv env, int offset) {
        if (offset == 0) {
            return env.btfs().vmlinux();
        }
        if (env.aux.kfuncBtfTab != null) {
            for (KfuncBtf b : env.aux.kfuncBtfTab) {
                if (b.offset() == offset) {
                    return b.btf();
                }
            }
        }
        return null;
    }

    /** The name disasm_kfunc_name() prints for a kfunc call. */
    static String kfuncName(VerifierEnv env, int funcId, int offset) {
        BtfHandle b = kfuncBtf(env, offset);
        if (b == null || funcId <= 0 || funcId >= b.btf().nrTypes()) {
            return null;
        }
        return b.btf().name(funcId);
    }

    /** Models check_kfunc_call(). */
    int checkKfuncCall(int idx, Insn insn) {
        if (insn.imm() == 0) {
            // an unresolved weak kfunc: must be dead code (fixup_kfunc_call() rejects it otherwise)
            return 0;
        }
        BtfHandle descBtf = kfuncBtf(env, insn.off());
        if (descBtf == null) {
            return env.err(Errno.EFAULT, "verifier internal error: kernel function descriptor not found for func_id %u\n", insn.imm());
        }
        Btf btf = descBtf.btf();
        int funcId = insn.imm();
        String funcName = btf.name(funcId);
        BtfType.FuncProto proto = btf.funcProto(funcId);
        // fetch_kfunc_meta(): the kfunc must be in a set registered for this program type
        OptionalInt flagsOpt = env.kernel.registry().kfuncFlags(descBtf, funcId, BpfProgType.STRUCT_OPS, new ProgInfo(env));
        if (flagsOpt.isEmpty()) {
            return env.err(Errno.EACCES, "calling kernel function %s is not allowed\n", funcName);
        }
        int flags = flagsOpt.getAsInt();
        if ((flags & KfFlags.KF_DESTRUCTIVE) != 0 && (env.attr.capabilities() & BpfProgLoadAttr.CAP_SYS_ADMIN) == 0) {
            return env.err(Errno.EACCES, "destructive kfunc calls require CAP_SYS_BOOT capability\n");
        }
        if ((flags & KfFlags.KF_SLEEPABLE) != 0 && !env.aux.sleepable) {
            return env.err(Errno.EACCES, "program must be sleepable to call sleepable kfunc %s\n", funcName);
        }
        int[] refObjId = {0};
        int r = checkKfuncArgs(idx, funcName, btf, proto, flags, refObjId);
        if (r < 0) {
            return r;
        }
        boolean release = (flags & KfFlags.KF_RELEASE) != 0;
        if (release) {
            r = releaseReference(refObjId[0]);
            if (r < 0) {
                return r;
            }
        }
        clobberCallerSaved();
        int ret = btf.resolve(proto.returnType());
        boolean acquire = (flags & KfFlags.KF_ACQUIRE) != 0;
        if (ret == 0) {
            if (acquire) {
                return env.err(Errno.EINVAL, "acquire kernel function does not return PTR_TO_BTF_ID\n");
            }
            return 0;
        }
        BtfKind rk = btf.kind(ret);
        if (rk == BtfKind.INT || rk == BtfKind.ENUM || rk == BtfKind.ENUM64) {
            if (acquire) {
                return env.err(Errno.EINVAL, "acquire kernel function does not return PTR_TO_BTF_ID\n");
            }
            dc.setReg(BPF_REG_0, RegState.UNKNOWN_SCALAR);
            return 0;
        }
        if (rk != BtfKind.PTR) {
            return env.err(Errno.EINVAL, "kernel function %s returns pointer type %s %s is not supported\n", funcName,
                    rk.name(), btf.name(ret));
        }
        int pointee = btf.resolve(((BtfType.Ref) btf.type(ret)).type());
        if (btf.kind(pointee) != BtfKind.STRUCT) {
            return env.err(Errno.EINVAL, "kernel function %s returns pointer type %s %s is not supported\n", funcName,
                    btf.kind(pointee).name(), btf.name(pointee));
        }
        int rflags = (flags & KfFlags.KF_RET_NULL) != 0 ? RegState.PTR_MAYBE_NULL : 0;
        int id = 0;
        int ref = 0;
        if (acquire) {
            // acquire_reference_state()
            id = dc.newId();
            ref = id;
            List<VerifierState.RefState> refs = new ArrayList<>(dc.cur.refs);
            refs.add(new VerifierState.RefState(id, idx));
            dc.cur.refs = refs;
        } else if (rflags != 0) {
            id = dc.newId();
        }
        dc.setReg(BPF_REG_0, RegState.btfPtr(descBtf, pointee, rflags, id, ref));
        return 0;
    }

    /**
     * Models check_kfunc_args(): per argument, the scalar / pointer split, the trusted-NULL check,
     * get_kfunc_ptr_arg_type(), the first switch (KF_ARG_PTR_TO_BTF_ID: "must be referenced or
     * trusted"), check_func_arg_reg_off(), then the second switch (the PTR_TO_BTF_ID type match,
     * check_mem_reg() for KF_ARG_PTR_TO_MEM).
     */
    private int checkKfuncArgs(int idx, String funcName, Btf btf, BtfType.FuncProto proto, int flags, int[] refObjId) {
        int nargs = proto.vlen();
        if (nargs > 5) {
            return env.err(Errno.EINVAL, "Function %s has %d > %d args\n", funcName, nargs, 5);
        }
        boolean release = (flags & KfFlags.KF_RELEASE) != 0;
        // is_kfunc_trusted_args(): KF_TRUSTED_ARGS, or KF_RELEASE
        boolean trustedArgs = (flags & KfFlags.KF_TRUSTED_ARGS) != 0 || release;
        for (int i = 0; i < nargs; i++) {
            int regno = i + 1;
            RegState reg = dc.reg(regno);
            dc.printer.scratchReg(regno);
            // btf_type_skip_modifiers() (typedefs are modifiers in the kernel's btf_type_is_modifier())
            int t = btf.resolve(proto.params().get(i).type());
            BtfKind k = btf.kind(t);
            if (btfTypeIsScalar(k)) {
                if (reg.type() != RegType.SCALAR_VALUE) {
                    return env.err(Errno.EINVAL, "R%d is not a scalar\n", regno);
                }
                continue;
            }
            if (k != BtfKind.PTR) {
                return env.err(Errno.EINVAL, "Unrecognized arg#%d type %s\n", i, btfTypeStr(k));
            }
            if (reg.type() == RegType.NOT_INIT) {
                // model choice, kept from before: the kernel has no check_reg_arg() here (a NOT_INIT
                // register would fail later in check_func_arg_reg_off()/check_helper_mem_access())
                return env.err(Errno.EACCES, "R%d !read_ok\n", regno);
            }
            if (trustedArgs && (reg.isNull() || reg.maybeNull())) {
                return env.err(Errno.EACCES, "Possibly NULL pointer passed to trusted arg%d\n", i);
            }
            if (reg.refObjId() != 0) {
                if (release && refObjId[0] != 0) {
                    return env.err(Errno.EFAULT, "verifier internal error: more than one arg with ref_obj_id R%d %u %u\n",
                            regno, reg.refObjId(), refObjId[0]);
                }
                refObjId[0] = reg.refObjId();
            }
            int refT = btf.resolve(((BtfType.Ref) btf.type(t)).type());
            BtfKind refK = btf.kind(refT);
            String refName = refT == 0 ? "" : btf.name(refT);

            // get_kfunc_ptr_arg_type(). KF_ARG_PTR_TO_CTX needs btf_is_prog_ctx_type(), which is
            // false for BPF_PROG_TYPE_STRUCT_OPS: its ctx type in bpf_types.h is "void *", a type
            // without a name ("program types without named context types work only with arg:ctx
            // tag"); so a ctx pointer takes the catch-all below like any other memory.
            // (No socket types in the model: reg2btf_ids[] is empty here.)
            boolean btfIdArg;
            if (reg.type() == RegType.PTR_TO_BTF_ID) {
                if (refK != BtfKind.STRUCT && refK != BtfKind.UNION) {
                    return env.err(Errno.EINVAL, "kernel function %s args#%d pointer type %s %s is not supported\n",
                            funcName, i, btfTypeStr(refK), refName);
                }
                btfIdArg = true; // KF_ARG_PTR_TO_BTF_ID
            } else {
                // the catch-all (no "__sz" size arguments in the model, so never KF_ARG_PTR_TO_MEM_SIZE)
                if (!btfTypeIsScalar(refK) && !btfTypeIsScalarStruct(btf, refT, 0)) {
                    return env.err(Errno.EINVAL, "arg#%d pointer type %s %s must point to %sscalar, or struct with scalar\n",
                            i, btfTypeStr(refK), refName, "");
                }
                btfIdArg = false; // KF_ARG_PTR_TO_MEM
            }

            // the first switch: OBJ_RELEASE for trusted BTF-ID arguments
            boolean objRelease = false;
            if (btfIdArg && trustedArgs) {
                if (!isTrustedReg(reg)) {
                    return env.err(Errno.EINVAL, "R%d must be referenced or trusted\n", regno);
                }
                objRelease = true;
            }
            if (release && reg.refObjId() != 0) {
                objRelease = true;
            }
            int r = checkFuncArgRegOff(reg, regno, objRelease);
            if (r < 0) {
                return r;
            }

            // the second switch
            if (btfIdArg) {
                // bpf_type_has_unsafe_modifiers(): any flag but the trusted modifiers (no MEM_RCU in the model)
                if ((reg.flags() & ~RegState.PTR_TRUSTED) != 0) {
                    env.verbose("arg#%d is %s ", i, reg.typeStr());
                    RegState base = reg.withFlags(reg.flags() & RegState.PTR_TRUSTED);
                    return env.err(Errno.EINVAL, "expected %s or socket\n", base.typeStr());
                }
                // process_kf_arg_ptr_to_btf_id()
                Btf rb = reg.btf().btf();
                // strict type matching for acquiring kfuncs and for releasing a reference
                // (btf_type_ids_nocast_alias() is not modelled)
                boolean strict = (flags & KfFlags.KF_ACQUIRE) != 0 || (release && reg.refObjId() != 0);
                boolean match = btfStructIdsMatchByName(rb, reg.btfId(), reg.off(), refName, strict);
                if (!match) {
                    return env.err(Errno.EINVAL,
                            "kernel function %s args#%d expected pointer to %s %s but R%d has a pointer to %s %s\n",
                            funcName, i, btfTypeStr(refK), refName, regno, btfTypeStr(rb.kind(reg.btfId())), rb.name(reg.btfId()));
                }
                continue;
            }
            // KF_ARG_PTR_TO_MEM: btf_resolve_size() of a scalar or an all-scalar struct never fails
            long size = btf.resolveSize(refT);
            r = checkMemReg(idx, reg, regno, (int) size);
            if (r < 0) {
                return r;
            }
        }
        if (release && refObjId[0] == 0) {
            return env.err(Errno.EINVAL, "release kernel function %s expects refcounted PTR_TO_BTF_ID\n", funcName);
        }
        return 0;
    }

    /** btf_type_is_scalar() as the model has always applied it to kfunc arguments: INT, ENUM, ENUM64. */
    private static boolean btfTypeIsScalar(BtfKind k) {
        return k == BtfKind.INT || k == BtfKind.ENUM || k == BtfKind.ENUM64;
    }

    /** btf_type_str(): btf_kind_str[] of kernel/bpf/btf.c ("UNKNOWN" for void). */
    static String btfTypeStr(BtfKind k) {
        return k == BtfKind.UNKN ? "UNKNOWN" : k.name();
    }

    /** Models __btf_type_is_scalar_struct(): a struct/union whose members are (recursively) scalars or arrays of scalars. */
    private boolean btfTypeIsScalarStruct(Btf btf, int id, int rec) {
        BtfKind k = btf.kind(id);
        if (k != BtfKind.STRUCT && k != BtfKind.UNION) {
            return false;
        }
        for (BtfType.Member m : ((BtfType.Composite) btf.type(id)).members()) {
            int mt = btf.resolve(m.type());
            BtfKind mk = btf.kind(mt);
            if (mk == BtfKind.STRUCT || mk == BtfKind.UNION) {
                if (rec >= 3) {
                    env.verbose("max struct nesting depth exceeded\n");
                    return false;
                }
                if (!btfTypeIsScalarStruct(btf, mt, rec + 1)) {
                    return false;
                }
                continue;
            }
            if (mk == BtfKind.ARRAY) {
                BtfType.Array a = (BtfType.Array) btf.type(mt);
                if (a.nelems() == 0) {
                    return false;
                }
                if (!btfTypeIsScalar(btf.kind(btf.resolve(a.type())))) {
                    return false;
                }
                continue;
            }
            if (!btfTypeIsScalar(mk)) {
                return false;
            }
        }
        return true;
    }

    /** Models is_trusted_reg(): referenced, or PTR_TRUSTED without unsafe modifiers. */
    private static boolean isTrustedReg(RegState reg) {
        if (reg.refObjId() != 0) {
            return true;
        }
        return (reg.flags() & RegState.PTR_TRUSTED) != 0 && (reg.flags() & ~RegState.PTR_TRUSTED) == 0;
    }

    /** Models check_func_arg_reg_off() for a kfunc argument (arg_type ARG_DONTCARE, or OBJ_RELEASE). */
    private int checkFuncArgRegOff(RegState reg, int regno, boolean objRelease) {
        if (objRelease) {
            if (reg.off() != 0) {
                return env.err(Errno.EINVAL, "R%d must have zero offset when passed to release func or trusted arg to kfunc\n", regno);
            }
            return checkPtrOffReg(reg, regno, false);
        }
        return switch (reg.type()) {
            // fixed and variable offsets are allowed
            case PTR_TO_STACK, PTR_TO_MEM, SCALAR_VALUE -> 0;
            // PTR_TO_BTF_ID alone or with PTR_TRUSTED: a fixed offset is fine; other flags: default
            case PTR_TO_BTF_ID -> checkPtrOffReg(reg, regno, (reg.flags() & ~RegState.PTR_TRUSTED) == 0);
            default -> checkPtrOffReg(reg, regno, false);
        };
    }

    /** Models __check_ptr_off_reg(). */
    private int checkPtrOffReg(RegState reg, int regno, boolean fixedOffOk) {
        if (reg.off() < 0) {
            return env.err(Errno.EACCES, "negative offset %s ptr R%d off=%d disallowed\n", reg.typeStr(), regno, reg.off());
        }
        if (!fixedOffOk && reg.off() != 0) {
            return env.err(Errno.EACCES, "dereference of modified %s ptr R%d off=%d disallowed\n", reg.typeStr(), regno, reg.off());
        }
        if (!reg.var().isConst() || reg.var().value() != 0) {
            return env.err(Errno.EACCES, "variable %s access var_off=%s disallowed\n", reg.typeStr(), reg.var().toString());
        }
        return 0;
    }

    /**
     * Models check_mem_reg(): a known NULL passes (register_is_null() returns 0 first); otherwise
     * check_helper_mem_access() for a BPF_READ, then a BPF_WRITE, of {@code size} bytes, with a
     * maybe-NULL register taken as not NULL for the check.
     */
    private int checkMemReg(int idx, RegState reg, int regno, int size) {
        if (reg.isNull()) {
            return 0;
        }
        RegState saved = reg;
        if (reg.maybeNull()) {
            dc.setReg(regno, reg.withFlags(reg.flags() & ~RegState.PTR_MAYBE_NULL));
        }
        int r = checkHelperMemAccess(idx, regno, size, BpfAccessType.BPF_READ);
        if (r >= 0) {
            r = checkHelperMemAccess(idx, regno, size, BpfAccessType.BPF_WRITE);
        }
        if (saved.maybeNull()) {
            dc.setReg(regno, saved);
        }
        return r;
    }

    /** Models check_helper_mem_access() (zero_size_allowed, no meta) for the register types the model has. */
    private int checkHelperMemAccess(int idx, int regno, int size, BpfAccessType t) {
        RegState reg = dc.reg(regno);
        switch (reg.type()) {
            case PTR_TO_STACK -> {
                return dc.mem.checkStackRangeInitialized(regno, reg, size, t);
            }
            case PTR_TO_MEM -> {
                return dc.mem.memAccess(regno, reg, 0, size, t, -1, null);
            }
            case PTR_TO_CTX -> {
                // no convert_ctx_access in the struct_ops verifier ops: "dynamically check it now",
                // one byte at access_size - 1
                if (size == 0) {
                    return 0;
                }
                return dc.mem.access(idx, regno, size - 1, 1, t, -1, null, false);
            }
            default -> {
                // scalar_value or invalid ptr (PTR_TO_BTF_ID never gets here: KF_ARG_PTR_TO_BTF_ID)
                if (size == 0 && reg.isNull()) {
                    return 0;
                }
                env.verbose("R%d type=%s ", regno, reg.typeStr());
                return env.err(Errno.EACCES, "expected=%s\n", RegType.PTR_TO_STACK.str);
            }
        }
    }

    /** Models release_reference(): the reference goes, and every register carrying it is invalidated. */
    private int releaseReference(int refObjId) {
        List<VerifierState.RefState> refs = new ArrayList<>(dc.cur.refs);
        if (!refs.removeIf(rs -> rs.id() == refObjId)) {
            return env.err(Errno.EFAULT, "verifier internal error: release of unknown reference %d\n", refObjId);
        }
        dc.cur.refs = refs;
        // mark_reg_invalid(): unknown scalar for a privileged program (allow_ptr_leaks), else NOT_INIT
        RegState invalid = env.allowPtrLeaks ? RegState.UNKNOWN_SCALAR : RegState.NOT_INIT;
        dc.forEachReg(dc.cur, reg -> reg.refObjId() == refObjId ? invalid : reg);
        return 0;
    }

    // ------------------------------------------------------------------ bpf-to-bpf calls

    /** Models check_func_call() with setup_func_entry() for a static subprogram. */
    int checkFuncCall(int idx, Insn insn) {
        VerifierState st = dc.cur;
        if (st.curframe + 1 >= MAX_CALL_FRAMES) {
            return env.err(Errno.E2BIG, "the call stack of %d frames is too deep\n", st.curframe + 2);
        }
        int target = idx + insn.imm() + 1;
        int subprog = env.findSubprog(target);
        if (subprog < 0) {
            return env.err(Errno.EFAULT, "verifier bug. No program starts at insn %d\n", target);
        }
        FuncState caller = st.cur();
        FuncState callee = new FuncState(idx, st.curframe + 1, subprog);
        for (int i = BPF_REG_1; i <= BPF_REG_5; i++) {
            callee.regs[i] = caller.regs[i];
        }
        callee.regs[BPF_REG_FP] = RegState.stack(callee.frameno, 0);
        for (int i = 0; i < CALLER_SAVED_REGS; i++) {
            caller.regs[i] = RegState.NOT_INIT;
        }
        st.curframe++;
        st.frame[st.curframe] = callee;
        if (dc.printer.on()) {
            dc.printer.text("caller:\n");
            dc.printer.printVerifierState(caller, true);
            dc.printer.text("callee:\n");
            dc.printer.printVerifierState(callee, true);
        }
        dc.printer.scratchAll();
        st.insnIdx = target;
        return 0;
    }

    /** The BPF_EXIT of do_check(): prepare_func_exit() for a subprogram, the exit checks for main. */
    int checkExit(int idx) {
        VerifierState st = dc.cur;
        if (st.curframe > 0) {
            return prepareFuncExit();
        }
        int r = checkReferenceLeak();
        if (r < 0) {
            return r;
        }
        r = checkReturnCode();
        if (r < 0) {
            return r;
        }
        return DoCheck.PATH_DONE;
    }

    /** Models prepare_func_exit(). */
    private int prepareFuncExit() {
        VerifierState st = dc.cur;
        FuncState callee = st.cur();
        RegState r0 = callee.regs[BPF_REG_0];
        // a static subprogram may return nothing (void): the caller fails only if it reads R0
        if (r0.type() == RegType.PTR_TO_STACK && r0.frameno() == callee.frameno) {
            return env.err(Errno.EINVAL, "cannot return stack pointer to the caller\n");
        }
        FuncState caller = st.frame[st.curframe - 1];
        caller.regs[BPF_REG_0] = r0;
        if (dc.printer.on()) {
            dc.printer.text("returning from callee:\n");
            dc.printer.printVerifierState(callee, true);
            dc.printer.text("to caller at %d:\n", callee.callsite + 1);
            dc.printer.printVerifierState(caller, true);
        }
        st.frame[st.curframe] = null;
        st.curframe--;
        dc.printer.scratchAll();
        st.insnIdx = callee.callsite + 1;
        return 0;
    }

    /** Models check_reference_leak(). */
    private int checkReferenceLeak() {
        List<VerifierState.RefState> refs = dc.cur.refs;
        if (refs.isEmpty()) {
            return 0;
        }
        for (VerifierState.RefState rs : refs) {
            env.verbose("Unreleased reference id=%d alloc_insn=%d\n", rs.id(), rs.insnIdx());
        }
        return Errno.EINVAL.negative();
    }

    /** Models check_return_code() for BPF_PROG_TYPE_STRUCT_OPS. */
    private int checkReturnCode() {
        BtfType.FuncProto proto = env.aux.attachFuncProto;
        if (proto != null && proto.returnType() == 0) {
            // a void member: the program's return value is ignored
            return 0;
        }
        RegState r0 = dc.reg(BPF_REG_0);
        if (r0.type() == RegType.NOT_INIT) {
            return env.err(Errno.EACCES, "R0 !read_ok\n");
        }
        if (dc.isPointerValue(r0)) {
            return env.err(Errno.EACCES, "R0 leaks addr as return value\n");
        }
        return 0;
    }
}
