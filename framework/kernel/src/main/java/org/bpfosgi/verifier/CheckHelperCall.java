package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.List;

import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.HelperIds;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.subsystem.BpfAccessType;
import org.bpfosgi.subsystem.BpfFuncProto;

/**
 * Models kernel/bpf/verifier.c check_helper_call(): the helper's bpf_func_proto from the program
 * type's get_func_proto, then each argument against its declared type, then the caller-saved
 * registers R0-R5 are clobbered and R0 set from the return type.
 */
final class CheckHelperCall {
    private final DoCheck dc;
    private final VerifierEnv env;

    CheckHelperCall(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

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
                case ARG_PTR_TO_MEM_RDONLY -> {
                    // check_reg_type() against mem_types (v6.12): the model has the stack, PTR_TO_MEM
                    // and trusted BTF pointers of these
                    boolean ok = reg.type() == RegType.PTR_TO_STACK
                            || (reg.type() == RegType.PTR_TO_MEM && (reg.flags() & RegState.PTR_MAYBE_NULL) == 0)
                            || (reg.type() == RegType.PTR_TO_BTF_ID && reg.flags() == RegState.PTR_TRUSTED);
                    if (!ok) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), MEM_TYPES);
                    }
                }
                case ARG_CONST_SIZE, ARG_CONST_SIZE_OR_ZERO -> {
                    if (reg.type() != RegType.SCALAR_VALUE) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), "scalar");
                    }
                    r = checkMemSizeReg(reg, regno, args.get(i) == BpfFuncProto.ArgType.ARG_CONST_SIZE_OR_ZERO);
                    if (r < 0) {
                        return r;
                    }
                }
                default -> {
                }
            }
        }
        dc.clobberCallerSaved();
        if (fn.retType() == BpfFuncProto.RetType.RET_INTEGER) {
            dc.setReg(BPF_REG_0, RegState.UNKNOWN_SCALAR);
        }
        return 0;
    }


    /** reg_type_str() of each of mem_types[] (v6.12), as check_reg_type() lists them. */
    static final String MEM_TYPES = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";

    /**
     * Models check_mem_size_reg(): the size register's bounds (in this order: negative minimum,
     * zero minimum, unbounded maximum), then check_helper_mem_access() of the preceding register
     * for umax bytes; then mark_chain_precision() of the size register.
     */
    private int checkMemSizeReg(RegState reg, int regno, boolean zeroSizeAllowed) {
        if (reg.smin() < 0) {
            return env.err(Errno.EACCES, "R%d min value is negative, either use unsigned or 'var &= const'\n", regno);
        }
        if (reg.umin() == 0 && !zeroSizeAllowed) {
            return env.err(Errno.EACCES, "R%d invalid zero-sized read: u64=[%d,%d]\n", regno, reg.umin(), reg.umax());
        }
        if (Long.compareUnsigned(reg.umax(), CheckAluOp.BPF_MAX_VAR_OFF) >= 0) {
            return env.err(Errno.EACCES, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'\n", regno);
        }
        int size = (int) reg.umax();
        RegState memReg = dc.reg(regno - 1);
        int r = switch (memReg.type()) {
            case PTR_TO_STACK -> dc.mem.checkStackRangeInitialized(regno - 1, memReg, memReg.off(), size, true, zeroSizeAllowed);
            case PTR_TO_MEM -> dc.mem.checkMemRegionAccess(regno - 1, memReg, memReg.off(), size, memReg.memSize(), zeroSizeAllowed);
            // check_helper_mem_access(): check_ptr_to_btf_access(.., reg->off, access_size, BPF_READ, -1)
            case PTR_TO_BTF_ID -> size == 0 ? 0 : dc.mem.access(dc.curInsnIdx, regno - 1, 0, size, BpfAccessType.BPF_READ, -1, null, false);
            default -> 0;
        };
        if (r >= 0) {
            dc.precision.markChainPrecision(regno);
        }
        return r;
    }
}
