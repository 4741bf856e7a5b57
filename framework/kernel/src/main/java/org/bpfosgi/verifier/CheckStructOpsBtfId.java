package org.bpfosgi.verifier;

import java.util.Optional;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.errno.KernelException;
import org.bpfosgi.module.Module;
import org.bpfosgi.subsystem.StructOps;
import org.bpfosgi.subsystem.StructOpsMember;

/**
 * Models kernel/bpf/verifier.c check_struct_ops_btf_id(), every check in the kernel's
 * order. Takes {@code env->attach_btf_mod} with btf_try_get_module(); {@link BpfCheck} puts it at
 * the end of bpf_check() on every path.
 *
 * <p>Not modelled: check 9 (private stack; the model's JIT has none and nothing requests it) and
 * check 10 ({@code __ref} arguments with tail calls; the model has no tail calls yet).
 */
final class CheckStructOpsBtfId {
    private CheckStructOpsBtfId() {
    }

    static int run(VerifierEnv env) {
        BpfProgAux aux = env.aux;
        if (!aux.gplCompatible) {
            return env.err(Errno.EINVAL, "struct ops programs must have a GPL compatible license\n");
        }
        int btfId = env.attr.attachBtfId();
        if (btfId == 0) {
            return Errno.ENOTSUPP.negative();
        }
        BtfObject btf = aux.attachBtf;
        if (btf.isModule()) {
            Optional<Module> mod = env.btfs().btfTryGetModule(btf, env.attachBtfModHolder);
            if (mod.isEmpty()) {
                return env.err(Errno.ENOTSUPP, "struct_ops module %s is not found\n", btf.name());
            }
            env.attachBtfMod = mod.get();
        }
        Optional<StructOpsDesc> found = env.kernel.registry().find(btf, btfId);
        if (found.isEmpty()) {
            return env.err(Errno.ENOTSUPP, "attach_btf_id %u is not a supported struct\n", btfId);
        }
        StructOpsDesc desc = found.get();
        Btf types = btf.btf();
        BtfType.Composite t = (BtfType.Composite) types.type(desc.typeId());
        String stName = desc.name();
        int memberIdx = env.attr.expectedAttachType();
        if (memberIdx < 0 || memberIdx >= t.vlen()) {
            return env.err(Errno.EINVAL, "attach to invalid member idx %u of struct %s\n", memberIdx, stName);
        }
        BtfType.Member member = t.members().get(memberIdx);
        String mname = types.str(member.nameOff());
        BtfType.FuncProto funcProto = resolveFuncPtr(types, member.type());
        if (funcProto == null) {
            return env.err(Errno.EINVAL, "attach to invalid member %s(@idx %u) of struct %s\n", mname, memberIdx, stName);
        }
        if (!desc.stOps().cfiStubs().contains(mname)) {
            // bpf_struct_ops_supported(): a NULL cfi_stubs slot
            return env.err(Errno.ENOTSUPP, "attach to unsupported member %s of struct %s\n", mname, stName);
        }
        int moff = member.bitOffset(t.kindFlag()) / 8;
        Optional<StructOps.CheckMember> checkMember = desc.stOps().checkMember();
        if (checkMember.isPresent()) {
            // the kernel passes the prog before aux->st_ops is set; the model's ProgInfo reads
            // the member from aux, so set it for the call and clear it again on refusal
            aux.stOps = desc;
            aux.attachStOpsMemberOff = moff;
            aux.attachFuncName = mname;
            aux.attachFuncProto = funcProto;
            try {
                checkMember.get().check(new StructOpsMember(mname, memberIdx, moff, true), new ProgInfo(env));
            } catch (KernelException e) {
                aux.stOps = null;
                return env.err(e.errno(), "attach to unsupported member %s of struct %s\n", mname, stName);
            }
        }
        aux.stOps = desc;
        aux.attachStOpsMemberOff = moff;
        aux.attachFuncName = mname;
        aux.attachFuncProto = funcProto;
        // env->ops = st_ops->verifier_ops: the subsystem's callbacks from here on
        env.ops = desc.ops();
        return 0;
    }

    /** Models btf_type_resolve_func_ptr(): a pointer to a FUNC_PROTO, or null. */
    static BtfType.FuncProto resolveFuncPtr(Btf btf, int typeId) {
        int id = btf.resolve(typeId);
        if (btf.kind(id) != BtfKind.PTR) {
            return null;
        }
        int target = btf.resolve(((BtfType.Ref) btf.type(id)).type());
        return btf.kind(target) == BtfKind.FUNC_PROTO ? (BtfType.FuncProto) btf.type(target) : null;
    }
}
