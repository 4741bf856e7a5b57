package org.bpfosgi.verifier;

import java.util.Optional;

import org.bpfosgi.btf.Btf;
import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.BtfType;
import org.bpfosgi.btf.api.BtfKind;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;
import org.bpfosgi.module.Module;

/**
 * Models check_pseudo_btf_id() (kernel/bpf/verifier.c, v6.12), which resolve_pseudo_ldimm64()
 * calls for an ld_imm64 with src_reg BPF_PSEUDO_BTF_ID (a ksym: {@code extern T sym __ksym;}),
 * in its order:
 * <ol>
 * <li>the BTF object: insn[1].imm is a BTF fd (btf_get_by_fd(), "invalid module BTF object FD
 *     specified.", -EINVAL), 0 = vmlinux (btf_get()). The model's BTF fds are BTF object ids,
 *     as its map fds are map ids; vmlinux BTF always exists here, so "kernel is missing BTF" is
 *     never said;</li>
 * <li>the type insn[0].imm: none ("ldimm64 insn specifies invalid btf_id %d.", -ENOENT); not a
 *     VAR or FUNC ("pseudo btf_id %d in ldimm64 isn't KIND_VAR or KIND_FUNC", -EINVAL);</li>
 * <li>kallsyms_lookup_name() of its name ("ldimm64 failed to find the address for kernel symbol
 *     '%s'.", -ENOENT); the address goes into the instruction pair (imm = low 32 bits, next
 *     imm = high 32 bits);</li>
 * <li>the register type ({@code aux->btf_var}): a FUNC → PTR_TO_MEM | MEM_RDONLY, mem_size 0; a
 *     VAR in the object's ".data..percpu" DATASEC → PTR_TO_BTF_ID | MEM_PERCPU of the VAR's type;
 *     a VAR of a struct (modifiers skipped) → PTR_TO_BTF_ID; any other VAR → PTR_TO_MEM |
 *     MEM_RDONLY of the type's size (btf_resolve_size(); "ldimm64 unable to resolve the size of
 *     type '%s': %ld", -EINVAL);</li>
 * <li>the BTF recorded once in {@code env->used_btfs} (a BTF already there: its new reference is
 *     put), at most MAX_USED_BTFS (-E2BIG, no message); a module's BTF also takes a module
 *     reference (btf_try_get_module(); a module no longer LIVE: -ENXIO, no message).</li>
 * </ol>
 * On every error the BTF reference taken in step 1 is put (err_put). The model keeps used_btfs in
 * {@link BpfProgAux#usedBtfs} from the start (the kernel copies env->used_btfs into prog->aux on
 * success and releases env's on failure: the references end the same way, see ProgTable).
 */
final class CheckPseudoBtfId {
    /** MAX_USED_BTFS (include/linux/bpf.h). */
    static final int MAX_USED_BTFS = 64;

    private CheckPseudoBtfId() {
    }

    static int run(VerifierEnv env, int i) {
        Insn insn = env.insns.get(i);
        Insn next = env.insns.get(i + 1);
        int id = insn.imm();
        int btfFd = next.imm();
        BtfObject btfObj;
        if (btfFd != 0) {
            // btf_get_by_fd(): the model's BTF fds are BTF ids
            Optional<BtfObject> o = btfFd > 0 ? env.btfs().getById(btfFd) : Optional.empty();
            if (o.isEmpty()) {
                return env.err(Errno.EINVAL, "invalid module BTF object FD specified.\n");
            }
            btfObj = o.get();
        } else {
            btfObj = env.btfs().vmlinux();
            env.btfs().btfGet(btfObj);
        }
        int err = resolve(env, i, insn, next, id, btfObj);
        if (err < 0) {
            env.btfs().btfPut(btfObj); // err_put
        }
        return err;
    }

    private static int resolve(VerifierEnv env, int i, Insn insn, Insn next, int id, BtfObject btfObj) {
        Btf btf = btfObj.btf();
        // btf_type_by_id(): id 0 is void (a type, not NULL); past the last id is NULL
        if (Integer.toUnsignedLong(id) >= btf.nrTypes()) {
            return env.err(Errno.ENOENT, "ldimm64 insn specifies invalid btf_id %d.\n", id);
        }
        BtfKind kind = btf.kind(id);
        if (kind != BtfKind.VAR && kind != BtfKind.FUNC) {
            return env.err(Errno.EINVAL, "pseudo btf_id %d in ldimm64 isn't KIND_VAR or KIND_FUNC\n", id);
        }
        String symName = btf.name(id);
        long addr = env.kernel.kallsyms().lookupName(symName, kind == BtfKind.FUNC && !btfObj.isModule());
        if (addr == 0) {
            return env.err(Errno.ENOENT, "ldimm64 failed to find the address for kernel symbol '%s'.\n", symName);
        }
        env.insns.set(i, insn.withImm((int) addr));
        env.insns.set(i + 1, next.withImm((int) (addr >>> 32)));
        BtfVarAux var;
        if (kind == BtfKind.FUNC) {
            var = new BtfVarAux(RegType.PTR_TO_MEM, RegState.MEM_RDONLY, 0, null, 0);
        } else {
            boolean percpu = false;
            int datasec = Kallsyms.findPercpuDatasec(btf);
            if (datasec > 0) {
                for (BtfType.VarSecInfo vsi : ((BtfType.DataSec) btf.type(datasec)).vars()) {
                    if (vsi.type() == id) {
                        percpu = true;
                        break;
                    }
                }
            }
            int type = ((BtfType.Var) btf.type(id)).type();
            // btf_type_skip_modifiers(): the kernel's modifiers include TYPEDEF
            int t = btf.resolve(type);
            BtfKind tk = btf.kind(t);
            if (percpu) {
                var = new BtfVarAux(RegType.PTR_TO_BTF_ID, RegState.MEM_PERCPU, 0, btfObj, type);
            } else if (tk != BtfKind.STRUCT && tk != BtfKind.UNION) {
                // resolve the type size of ksym
                BtfResolveSize ret = BtfResolveSize.of(btf, t);
                if (!ret.ok()) {
                    return env.err(Errno.EINVAL, "ldimm64 unable to resolve the size of type '%s': %ld\n",
                            btf.name(t), ret.ptrErr());
                }
                var = new BtfVarAux(RegType.PTR_TO_MEM, RegState.MEM_RDONLY, (int) ret.size(), null, 0);
            } else {
                var = new BtfVarAux(RegType.PTR_TO_BTF_ID, 0, 0, btfObj, type);
            }
        }
        env.btfVars.put(i, var);
        return addUsedBtf(env, btfObj);
    }

    /**
     * The check_btf: part of check_pseudo_btf_id() (v6.12; 6.13 moved it to __add_used_btf()):
     * records {@code btf} once in used_btfs with a module reference for a module's BTF. The
     * caller's BTF reference becomes the entry's, or is put when the BTF is there already.
     */
    private static int addUsedBtf(VerifierEnv env, BtfObject btf) {
        BpfProgAux aux = env.aux;
        for (BtfModPair p : aux.usedBtfs) {
            if (p.btf() == btf) {
                env.btfs().btfPut(btf);
                return 0;
            }
        }
        if (aux.usedBtfs.size() >= MAX_USED_BTFS) {
            return Errno.E2BIG.negative(); // the caller's err_put puts the reference
        }
        Module module = null;
        String holder = aux.usedBtfHolder(btf);
        if (btf.isModule()) {
            Optional<Module> m = env.btfs().btfTryGetModule(btf, holder);
            if (m.isEmpty()) {
                return Errno.ENXIO.negative();
            }
            module = m.get();
        }
        aux.usedBtfs.add(new BtfModPair(btf, module, module == null ? null : holder));
        return 0;
    }
}
