package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.KfFlags;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.subsystem.BpfAccessType;

/**
 * Models kernel/bpf/verifier.c check_kfunc_args() with what it calls for the argument kinds the
 * model has: get_kfunc_ptr_arg_type(), check_func_arg_reg_off(), __check_ptr_off_reg(),
 * process_kf_arg_ptr_to_btf_id(), check_mem_reg() and check_helper_mem_access().
 */
final class CheckKfuncArgs {
    private final DoCheck dc;
    private final VerifierEnv env;

    CheckKfuncArgs(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    /**
     * Models check_kfunc_args(): per argument, the scalar / pointer split, the trusted-NULL check,
     * get_kfunc_ptr_arg_type(), the first switch (KF_ARG_PTR_TO_BTF_ID: "must be referenced or
     * trusted"), check_func_arg_reg_off(), then the second switch (the PTR_TO_BTF_ID type match,
     * check_mem_reg() for KF_ARG_PTR_TO_MEM).
     */
    int checkKfuncArgs(int idx, String funcName, Btf btf, BtfType.FuncProto proto, int flags, int[] refObjId) {
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
            // the argument's value decides the checks: a read for liveness
            dc.markRegRead(regno);
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
                boolean match = BtfStructIdsMatch.match(rb, reg.btfId(), reg.off(), id -> rb.name(id).equals(refName), strict);
                if (!match) {
                    return env.err(Errno.EINVAL,
                            "kernel function %s args#%d expected pointer to %s %s but R%d has a pointer to %s %s\n",
                            funcName, i, btfTypeStr(refK), refName, regno, btfTypeStr(rb.kind(reg.btfId())), rb.name(reg.btfId()));
                }
                continue;
            }
            // KF_ARG_PTR_TO_MEM: btf_resolve_size() (of a scalar or an all-scalar struct here, so
            // the error is not expected)
            BtfResolveSize size = BtfResolveSize.of(btf, refT);
            if (!size.ok()) {
                return env.err(Errno.EINVAL, "arg#%d reference type('%s %s') size cannot be determined: %ld\n",
                        i, btfTypeStr(refK), refName, size.ptrErr());
            }
            r = checkMemReg(idx, reg, regno, (int) size.size());
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
        if (reg.isScalar()) {
            // model choice, on the safe side: the verdict depends on the scalar being exactly 0
            // (an -EFAULT of the walk is returned like the kernel's own call sites do)
            int err = dc.precision.markChainPrecision(regno);
            if (err != 0) {
                return err;
            }
        }
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
}
