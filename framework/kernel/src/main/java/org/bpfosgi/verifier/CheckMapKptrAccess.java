package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.Set;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.errno.Errno;
import org.bpfosgi.isa.Insn;

/**
 * Models the kptr parts of kernel/bpf/verifier.c (v6.12): the special-field loop of
 * check_map_access(), check_map_kptr_access() with btf_ld_kptr_type() and mark_btf_ld_reg() for
 * loads, map_kptr_match_type() for stores and bpf_kptr_xchg's second argument, and
 * process_kptr_func() for bpf_kptr_xchg's first. Messages and errnos are v6.12's, in its order.
 *
 * <p>Not modelled (refused with -ENOTSUPP and a "bpf-osgi:" line, never accepted wrongly): a
 * load of an RCU-protected kptr (the types of {@code rcu_protected_types}: the model has no
 * MEM_RCU pointers) and program-local kptrs (bpf_obj_new()).
 */
final class CheckMapKptrAccess {
    /** rcu_protected_types (v6.12): a referenced kptr of these loads as MEM_RCU in an RCU section. */
    private static final Set<String> RCU_PROTECTED_TYPES = Set.of("prog_test_ref_kfunc", "cgroup", "bpf_cpumask",
            "task_struct", "bpf_crypto_ctx");

    private final DoCheck dc;
    private final VerifierEnv env;

    CheckMapKptrAccess(DoCheck dc) {
        this.dc = dc;
        this.env = dc.env;
    }

    /**
     * The special-field loop of check_map_access(): any access overlapping a kptr must be a
     * direct (not helper) access at a constant offset, exactly at the field, 8 bytes wide.
     */
    int checkFields(int regno, RegState reg, int off, int size, BtfRecord rec, boolean direct) {
        if (rec == null || rec.err() != 0) {
            return 0;
        }
        for (BtfField f : rec.fields()) {
            long p = f.offset();
            // [smin + off, umax + off + size) overlaps [p, p + field size)
            if (reg.smin() + off < p + f.size() && Long.compareUnsigned(p, reg.umax() + off + size) < 0) {
                if (!direct) {
                    return env.err(Errno.EACCES, "kptr cannot be accessed indirectly by helper\n");
                }
                if (!reg.var().isConst()) {
                    return env.err(Errno.EACCES, "kptr access cannot have variable offset\n");
                }
                if (p != off + reg.var().value()) {
                    return env.err(Errno.EACCES, "kptr access misaligned expected=%d off=%d\n", p, off + reg.var().value());
                }
                if (size != 8) {
                    return env.err(Errno.EACCES, "kptr access size must be BPF_DW\n");
                }
            }
        }
        return 0;
    }

    /** Models check_map_kptr_access(env, regno, value_regno, insn_idx, kptr_field). */
    int checkMapKptrAccess(int regno, int valueRegno, int insnIdx, BtfField f) {
        Insn insn = env.insns.get(insnIdx);
        int cls = BPF_CLASS(insn.code());
        if (BPF_MODE(insn.code()) != BPF_MEM) {
            return env.err(Errno.EACCES, "kptr in map can only be accessed using BPF_MEM instruction mode\n");
        }
        // only loads of a referenced kptr: it is marked untrusted, like an unreferenced one
        if (cls != BPF_LDX && (f.type() == BtfField.Type.KPTR_REF || f.type() == BtfField.Type.KPTR_PERCPU)) {
            return env.err(Errno.EACCES, "store to referenced kptr disallowed\n");
        }
        if (cls == BPF_LDX) {
            int flags = btfLdKptrType(f);
            if (flags < 0) {
                return flags;
            }
            // mark_btf_ld_reg(..., PTR_TO_BTF_ID, kptr.btf, kptr.btf_id, flags); val_reg->id = ++env->id_gen
            dc.setReg(valueRegno, RegState.btfPtr(f.kptrBtf(), f.kptrBtfId(), flags, dc.newId(), 0));
            return 0;
        }
        if (cls == BPF_STX) {
            RegState val = dc.reg(valueRegno);
            if (!val.isNull() && mapKptrMatchType(f, val, valueRegno) < 0) {
                return Errno.EACCES.negative();
            }
            return 0;
        }
        if (cls == BPF_ST) {
            if (insn.imm() != 0) {
                return env.err(Errno.EACCES, "BPF_ST imm must be 0 when storing to kptr at off=%d\n", f.offset());
            }
            return 0;
        }
        return env.err(Errno.EACCES, "kptr in map can only be accessed using BPF_LDX/BPF_STX/BPF_ST\n");
    }

    /**
     * Models btf_ld_kptr_type(): PTR_MAYBE_NULL, plus MEM_RCU for an RCU-safe kptr inside an RCU
     * section (every non-sleepable program is: in_rcu_cs()), else PTR_UNTRUSTED.
     */
    private int btfLdKptrType(BtfField f) {
        if (!f.kernelType()) {
            return env.err(Errno.ENOTSUPP, "bpf-osgi: program-local kptrs (bpf_obj_new()) are not modelled\n");
        }
        boolean rcuSafe = f.type() == BtfField.Type.KPTR_PERCPU
                || (f.type() == BtfField.Type.KPTR_REF && RCU_PROTECTED_TYPES.contains(f.kptrBtf().btf().name(f.kptrBtfId())));
        boolean inRcuCs = !env.aux.sleepable;
        if (rcuSafe && inRcuCs) {
            return env.err(Errno.ENOTSUPP, "bpf-osgi: loading an RCU-protected kptr (struct %s) is not modelled\n",
                    f.kptrBtf().btf().name(f.kptrBtfId()));
        }
        return RegState.PTR_MAYBE_NULL | RegState.PTR_UNTRUSTED;
    }

    /**
     * Models map_kptr_match_type(): a PTR_TO_BTF_ID of a kernel type with at most PTR_MAYBE_NULL,
     * PTR_TRUSTED (and PTR_UNTRUSTED for an unreferenced kptr), no variable offset
     * (__check_ptr_off_reg() with a fixed offset allowed), and btf_struct_ids_match() — strict
     * for a referenced kptr — else "invalid kptr access, R%d type=%s%s expected=%s%s[ or %s%s]".
     */
    int mapKptrMatchType(BtfField f, RegState reg, int regno) {
        if (!f.kernelType()) {
            return env.err(Errno.ENOTSUPP, "bpf-osgi: program-local kptrs (bpf_obj_new()) are not modelled\n");
        }
        String targName = f.kptrBtf().btf().name(f.kptrBtfId());
        int perm = RegState.PTR_MAYBE_NULL | RegState.PTR_TRUSTED;
        if (f.type() == BtfField.Type.KPTR_UNREF) {
            perm |= RegState.PTR_UNTRUSTED;
        }
        String regName = "";
        boolean bad = reg.type() != RegType.PTR_TO_BTF_ID || (reg.flags() & ~perm) != 0
                || (reg.btf() != null && !reg.btf().isKernel());
        if (!bad) {
            regName = reg.btf().btf().name(reg.btfId());
            // __check_ptr_off_reg(env, reg, regno, true)
            if (reg.off() < 0) {
                return env.err(Errno.EACCES, "negative offset %s ptr R%d off=%d disallowed\n", reg.typeStr(), regno, reg.off());
            }
            if (!reg.var().isConst() || reg.var().value() != 0) {
                return env.err(Errno.EACCES, "variable %s access var_off=%s disallowed\n", reg.typeStr(), reg.var().toString());
            }
            bad = !sameBtf(reg.btf(), f.kptrBtf(), f.kptrBtfId())
                    || !BtfStructIdsMatch.match(reg.btf().btf(), reg.btfId(), reg.off(), id -> id == f.kptrBtfId(),
                            f.type() != BtfField.Type.KPTR_UNREF);
        }
        if (bad) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("invalid kptr access, R%d type=%s%s ", regno, reg.typeStr(), regName));
            sb.append(String.format("expected=%s%s", "ptr_", targName));
            if (f.type() == BtfField.Type.KPTR_UNREF) {
                sb.append(String.format(" or %s%s\n", "untrusted_ptr_", targName));
            } else {
                sb.append("\n");
            }
            return env.err(Errno.EINVAL, "%s", sb.toString());
        }
        return 0;
    }

    /**
     * btf_types_are_same(): the same BTF object, or a vmlinux type seen through a module's split
     * BTF (ids below its start id are vmlinux's).
     */
    private static boolean sameBtf(BtfObject regBtf, BtfObject kptrBtf, int kptrId) {
        return regBtf == kptrBtf || (!kptrBtf.isModule() && kptrId < regBtf.btf().startId());
    }

    /**
     * Models process_kptr_func() for a PTR_TO_MAP_VALUE (a local kptr destination, PTR_TO_BTF_ID |
     * MEM_ALLOC, is not modelled): the map has BTF, a constant offset, a kptr in the value, one at
     * this offset, a referenced one. Returns the field, or null with the error logged in
     * {@code err[0]}.
     */
    BtfField processKptrFunc(int regno, RegState reg, VerifierMaps.UsedMap map, int[] err) {
        if (!map.hasBtf()) {
            err[0] = env.err(Errno.EINVAL, "map '%s' has to have BTF in order to use bpf_kptr_xchg\n", map.name());
            return null;
        }
        BtfRecord rec = map.record();
        if (!reg.var().isConst()) {
            err[0] = env.err(Errno.EINVAL, "R%d doesn't have constant offset. kptr has to be at the constant offset\n", regno);
            return null;
        }
        if (!BtfRecord.hasField(rec, BtfField.BPF_KPTR)) {
            err[0] = env.err(Errno.EINVAL, "R%d has no valid kptr\n", regno);
            return null;
        }
        long kptrOff = reg.off() + reg.var().value();
        BtfField f = BtfRecord.find(rec, kptrOff, BtfField.BPF_KPTR);
        if (f == null) {
            err[0] = env.err(Errno.EACCES, "off=%d doesn't point to kptr\n", kptrOff);
            return null;
        }
        if (f.type() != BtfField.Type.KPTR_REF && f.type() != BtfField.Type.KPTR_PERCPU) {
            err[0] = env.err(Errno.EACCES, "off=%d kptr isn't referenced kptr\n", kptrOff);
            return null;
        }
        return f;
    }
}
