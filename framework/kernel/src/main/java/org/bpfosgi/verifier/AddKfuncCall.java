package org.bpfosgi.verifier;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;

/**
 * Models kernel/bpf/verifier.c add_kfunc_call() (6.12), every check in order. Does
 * not check kfunc-set membership: check_kfunc_call() does, during do_check.
 */
final class AddKfuncCall {
    /** MAX_KFUNC_DESCS. */
    static final int MAX_KFUNC_DESCS = 256;

    private AddKfuncCall() {
    }

    static int run(VerifierEnv env, int funcId, int offset) {
        BpfProgAux aux = env.aux;
        if (!aux.kfuncTabAllocated) {
            // first kfunc of the program: the kfunc_tab does not exist yet
            if (env.btfs().vmlinux() == null) {
                return env.err(Errno.ENOTSUPP, "calling kernel function is not supported without CONFIG_DEBUG_INFO_BTF\n");
            }
            if (!env.kernel.jitRequested()) {
                return env.err(Errno.ENOTSUPP, "JIT is required for calling kernel function\n");
            }
            if (!env.kernel.jitSupportsKfuncCall()) {
                return env.err(Errno.ENOTSUPP, "JIT does not support calling kernel function\n");
            }
            if (!aux.gplCompatible) {
                return env.err(Errno.EINVAL, "cannot call kernel function from non-GPL compatible program\n");
            }
            aux.kfuncTabAllocated = true;
        }
        if (funcId == 0 && offset == 0) {
            // an unresolved weak ksym: must be removed as dead code, else fixup_kfunc_call fails
            return 0;
        }
        if (offset != 0 && aux.kfuncBtfTab == null) {
            aux.kfuncBtfTab = new java.util.ArrayList<>();
        }
        BtfObject descBtf;
        try {
            descBtf = FindKfuncDescBtf.find(env, offset);
        } catch (KernelException e) {
            env.verbose("failed to find BTF for kernel function\n");
            return e.errno().negative();
        }
        for (KfuncDesc d : aux.kfuncTab) {
            if (d.funcId() == funcId && d.offset() == offset) {
                return 0;
            }
        }
        if (aux.kfuncTab.size() >= MAX_KFUNC_DESCS) {
            return env.err(Errno.E2BIG, "too many different kernel function calls\n");
        }
        Btf btf = descBtf.btf();
        if (funcId < 0 || funcId >= btf.nrTypes() || btf.kind(funcId) != BtfKind.FUNC) {
            return env.err(Errno.EINVAL, "kernel btf_id %u is not a function\n", funcId);
        }
        int protoId = ((BtfType.Func) btf.type(funcId)).type();
        if (protoId <= 0 || protoId >= btf.nrTypes() || btf.kind(protoId) != BtfKind.FUNC_PROTO) {
            return env.err(Errno.EINVAL, "kernel function btf_id %u does not have a valid func_proto\n", funcId);
        }
        String funcName = btf.name(funcId);
        long addr = env.kernel.kallsyms().lookupName(funcName);
        if (addr == 0) {
            return env.err(Errno.EINVAL, "cannot find address for kernel function %s\n", funcName);
        }
        // specialize_kfunc(): no dev-bound or dynptr kfuncs in the model
        int callImm;
        if (env.kernel.jitSupportsFarKfuncCall()) {
            callImm = funcId;
        } else {
            long imm = Kallsyms.callImm(addr);
            if (imm != (int) imm) {
                return env.err(Errno.EINVAL, "address of kernel function %s is out of range\n", funcName);
            }
            callImm = (int) imm;
        }
        aux.kfuncTab.add(new KfuncDesc(funcId, callImm, offset, addr, funcName));
        // btf_distill_func_proto(): the model's JIT needs no func model; it cannot fail here
        aux.sortKfuncDescsByIdOff();
        return 0;
    }

}
