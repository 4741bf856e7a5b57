package org.bpfosgi.verifier;

import java.util.OptionalInt;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.errno.Errno;

/**
 * The part of kernel/bpf/verifier.c check_return_code() that v6.15 added for struct_ops members
 * returning a pointer ("bpf: Allow struct_ops prog to return referenced kptr", Amery Hung, part
 * of the bpf qdisc series; its first user is Qdisc_ops.dequeue): the program returns a referenced
 * kptr of the member's return type in its unmodified form (__check_ptr_off_reg()), or a scalar 0
 * ({@code retval_range(0, 0)}: NULL). check_reference_leak() lets R0's reference go
 * ({@link PrepareFuncExit}).
 */
final class CheckReturnCodeKptr {
    private CheckReturnCodeKptr() {
    }

    /**
     * Models btf_type_resolve_ptr(btf, id, NULL) as check_return_code() uses it: the type the
     * return type points to (modifiers and typedefs skipped); -1 when it is not a pointer to a
     * struct or union (the only pointers bpf_struct_ops_desc_init() lets a member return).
     */
    static int btfTypeResolvePtr(BtfObject btf, int id) {
        if (btf == null || id <= 0) {
            return -1;
        }
        OptionalInt s = btf.btf().pointedStruct(id);
        return s.isPresent() ? s.getAsInt() : -1;
    }

    /**
     * {@code btf_type_by_id(reg->btf, reg->btf_id) == ret_type}: the same type object. A split
     * (module) BTF resolves ids below its start id to its base, vmlinux, so a register typed in
     * vmlinux BTF matches a vmlinux type named through a module's attach BTF.
     */
    static boolean sameType(RegState reg, BtfObject attachBtf, int retType) {
        if (reg.btf() == null || reg.btfId() != retType) {
            return false;
        }
        return reg.btf() == attachBtf
                || (retType < attachBtf.btf().startId() && retType < reg.btf().btf().startId());
    }

    /** Models __check_ptr_off_reg(env, reg, regno, false). */
    static int checkPtrOffReg(VerifierEnv env, RegState reg, int regno) {
        if (reg.off() < 0) {
            return env.err(Errno.EACCES, "negative offset %s ptr R%d off=%d disallowed\n", reg.typeStr(), regno, reg.off());
        }
        if (reg.off() != 0) {
            return env.err(Errno.EACCES, "dereference of modified %s ptr R%d off=%d disallowed\n", reg.typeStr(), regno,
                    reg.off());
        }
        if (!reg.var().isConst() || reg.var().value() != 0) {
            return env.err(Errno.EACCES, "variable %s access var_off=%s disallowed\n", reg.typeStr(), reg.var().toString());
        }
        return 0;
    }

    /**
     * The end of check_return_code() with {@code range = retval_range(0, 0)}: R0 must be a scalar
     * ("At program exit the register R0 is not a known value (%s)"), is marked precise, and must
     * lie in [0, 0] (verbose_invalid_scalar()); -EINVAL otherwise.
     */
    static int checkRetvalZero(DoCheck dc, VerifierEnv env, RegState r0) {
        if (!r0.isScalar()) {
            return env.err(Errno.EINVAL, "At program exit the register R0 is not a known value (%s)\n", r0.typeStr());
        }
        int err = dc.precision.markChainPrecision(0);
        if (err != 0) {
            return err;
        }
        if (r0.smin() >= 0 && r0.smax() <= 0) {
            return 0;
        }
        StringBuilder sb = new StringBuilder("At program exit the register R0 has");
        boolean unknown = true;
        if (r0.smin() > Long.MIN_VALUE) {
            sb.append(" smin=").append(r0.smin());
            unknown = false;
        }
        if (r0.smax() < Long.MAX_VALUE) {
            sb.append(" smax=").append(r0.smax());
            unknown = false;
        }
        if (unknown) {
            sb.append(" unknown scalar value");
        }
        sb.append(" should have been in [0, 0]\n");
        return env.err(Errno.EINVAL, "%s", sb.toString());
    }
}
