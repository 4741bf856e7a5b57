package org.bpfosgi.verifier;

import static org.bpfosgi.isa.Bpf.*;

import java.util.List;

import org.bpfosgi.btf.BtfObject;
import org.bpfosgi.btf.api.BtfKind;
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

    /**
     * Models get_helper_proto() (kernel/bpf/verifier.c v6.12): -ERANGE for an id outside
     * [0, __BPF_FUNC_MAX_ID), -EINVAL when the program type's get_func_proto has no proto for it;
     * 0 with the proto in {@code fn[0]}. Shared by check_helper_call() and
     * mark_fastcall_pattern_for_call(). A get_func_proto that throws (a subsystem's bug, not the
     * program's) counts as no proto; with {@code logThrow} the exception goes to the log.
     */
    static int getHelperProto(VerifierEnv env, int funcId, BpfFuncProto[] fn, boolean logThrow) {
        if (funcId < 0 || funcId >= HelperIds.__BPF_FUNC_MAX_ID) {
            return Errno.ERANGE.negative();
        }
        try {
            fn[0] = env.ops.getFuncProto(funcId, new ProgInfo(env));
        } catch (RuntimeException e) {
            if (logThrow) {
                env.verbose("bpf-osgi: get_func_proto of %s threw %s\n",
                        env.aux.stOps == null ? "syscall" : env.aux.stOps.name(), e.toString());
            }
            fn[0] = null;
        }
        return fn[0] != null ? 0 : Errno.EINVAL.negative();
    }

    /** Models check_helper_call(). */
    int checkHelperCall(int idx, Insn insn) {
        int funcId = insn.imm();
        BpfFuncProto[] fnOut = {null};
        int perr = getHelperProto(env, funcId, fnOut, true);
        if (perr == Errno.ERANGE.negative()) {
            return env.err(Errno.EINVAL, "invalid func %s#%d\n", BaseFuncProtos.name(funcId), funcId);
        }
        if (perr < 0) {
            env.verbose("program of this type cannot use helper %s#%d\n", BaseFuncProtos.name(funcId), funcId);
            return perr;
        }
        BpfFuncProto fn = fnOut[0];
        if (!env.aux.gplCompatible && fn.gplOnly()) {
            return env.err(Errno.EINVAL, "cannot call GPL-restricted function from non-GPL compatible program\n");
        }
        List<BpfFuncProto.ArgType> args = fn.argTypes();
        VerifierMaps.UsedMap mapPtr = null; // meta.map_ptr
        BtfField kptrField = null; // meta.kptr_field
        int releaseRegno = 0; // meta.release_regno
        int metaRefObjId = 0; // meta.ref_obj_id
        BtfObject retBtf = null; // meta.ret_btf
        int retBtfId = 0; // meta.ret_btf_id
        int[] rawMeta = {0, 0}; // meta.regno, meta.access_size of a raw-mode stack buffer
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
                case ARG_CONST_MAP_PTR -> {
                    if (reg.type() != RegType.CONST_PTR_TO_MAP) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), "map_ptr");
                    }
                    mapPtr = env.usedMap(reg.btfId());
                }
                case ARG_PTR_TO_MEM_RDONLY, ARG_PTR_TO_UNINIT_MEM -> {
                    // check_reg_type() against mem_types (v6.12): the model has the stack, PTR_TO_MEM
                    // and trusted BTF pointers of these. ARG_PTR_TO_UNINIT_MEM is raw mode (the helper
                    // writes the buffer): for the model's loads, always with allow_uninit_stack and
                    // allow_ptr_leaks, the stack range check below accepts the same buffers and marks
                    // them STACK_MISC as check_helper_call()'s raw-mode BPF_WRITE pass does
                    boolean ok = reg.type() == RegType.PTR_TO_STACK
                            || (reg.type() == RegType.PTR_TO_MEM && (reg.flags() & RegState.PTR_MAYBE_NULL) == 0)
                            || ((reg.type() == RegType.PTR_TO_MAP_VALUE || reg.type() == RegType.PTR_TO_MAP_KEY)
                                && !reg.maybeNull())
                            || (reg.type() == RegType.PTR_TO_BTF_ID && reg.flags() == RegState.PTR_TRUSTED);
                    if (!ok) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), MEM_TYPES);
                    }
                }
                case ARG_PTR_TO_BTF_ID, ARG_PTR_TO_BTF_ID_SOCK_COMMON -> {
                    r = checkBtfIdArg(regno, reg, fn, i);
                    if (r < 0) {
                        return r;
                    }
                }
                case ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_PTR_TO_UNINIT_MAP_VALUE -> {
                    r = MapFuncArgs.check(dc, regno, reg, args.get(i), mapPtr, rawMeta);
                    if (r < 0) {
                        return r;
                    }
                }
                case ARG_KPTR_XCHG_DEST -> {
                    // check_reg_type() against kptr_xchg_dest_types (v6.12): PTR_TO_MAP_VALUE, or a
                    // local kptr PTR_TO_BTF_ID | MEM_ALLOC (bpf_obj_new(), not modelled)
                    if (reg.type() != RegType.PTR_TO_MAP_VALUE || reg.flags() != 0) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), "map_value, ptr_");
                    }
                    int[] err = {0};
                    kptrField = dc.mapAccess.kptr.processKptrFunc(regno, reg, env.usedMap(reg.btfId()), err);
                    if (kptrField == null) {
                        return err[0];
                    }
                }
                case ARG_PTR_TO_BTF_ID_OR_NULL_RELEASE -> {
                    // check_func_arg(): a known NULL skips the type checks (type_may_be_null(arg_type))
                    if (!reg.isNull()) {
                        int flags = reg.flags() & ~RegState.PTR_MAYBE_NULL;
                        if (reg.type() != RegType.PTR_TO_BTF_ID || (flags != 0 && flags != RegState.PTR_TRUSTED)) {
                            return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(),
                                    "ptr_, trusted_ptr_, rcu_ptr_");
                        }
                        // check_reg_type() (v6.12), found: a maybe-null pointer may not be released,
                        // even into an argument that takes NULL (kernel selftest kptr_xchg_possibly_null)
                        if (reg.maybeNull()) {
                            return env.err(Errno.EACCES, "Possibly NULL pointer passed to helper arg%d\n", regno);
                        }
                        // check_reg_type(), PTR_TO_BTF_ID for BPF_FUNC_kptr_xchg: map_kptr_match_type()
                        if (kptrField == null || dc.mapAccess.kptr.mapKptrMatchType(kptrField, reg, regno) < 0) {
                            return Errno.EACCES.negative();
                        }
                        // check_func_arg_reg_off() for an OBJ_RELEASE argument
                        if (reg.off() != 0) {
                            return env.err(Errno.EINVAL,
                                    "R%d must have zero offset when passed to release func or trusted arg to kfunc\n", regno);
                        }
                        r = CheckReturnCodeKptr.checkPtrOffReg(env, reg, regno);
                        if (r < 0) {
                            return r;
                        }
                    }
                    // skip_type_check: a release argument must be referenced (or NULL)
                    if (reg.refObjId() == 0 && !reg.isNull()) {
                        return env.err(Errno.EINVAL, "R%d must be referenced when passed to release function\n", regno);
                    }
                    releaseRegno = regno;
                    if (reg.refObjId() != 0) {
                        metaRefObjId = reg.refObjId();
                    }
                }
                case ARG_PTR_TO_PERCPU_BTF_ID -> {
                    // check_reg_type() against percpu_btf_ptr_types (v6.12; MEM_RCU, a percpu kptr
                    // of bpf_percpu_obj_new(), is not modelled)
                    int f = reg.flags();
                    if (reg.type() != RegType.PTR_TO_BTF_ID
                            || (f != RegState.MEM_PERCPU && f != (RegState.MEM_PERCPU | RegState.PTR_TRUSTED))) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), PERCPU_BTF_PTR_TYPES);
                    }
                    // check_func_arg_reg_off(): PTR_TO_BTF_ID | MEM_PERCPU is in its default case,
                    // __check_ptr_off_reg(.., fixed_off_ok = false)
                    r = CheckReturnCodeKptr.checkPtrOffReg(env, reg, regno);
                    if (r < 0) {
                        return r;
                    }
                    // check_func_arg(), case ARG_PTR_TO_PERCPU_BTF_ID
                    if (reg.btfId() == 0) {
                        return env.err(Errno.EACCES, "Helper has invalid btf_id in R%d\n", regno);
                    }
                    retBtf = reg.btf();
                    retBtfId = reg.btfId();
                }
                case ARG_CONST_SIZE, ARG_CONST_SIZE_OR_ZERO -> {
                    if (reg.type() != RegType.SCALAR_VALUE) {
                        return env.err(Errno.EACCES, "R%d type=%s expected=%s\n", regno, reg.typeStr(), "scalar");
                    }
                    // raw mode (the helper writes the buffer) only with a constant size (check_mem_size_reg())
                    boolean rawMode = i > 0 && args.get(i - 1) == BpfFuncProto.ArgType.ARG_PTR_TO_UNINIT_MEM && reg.var().isConst();
                    r = checkMemSizeReg(reg, regno, args.get(i) == BpfFuncProto.ArgType.ARG_CONST_SIZE_OR_ZERO, rawMode);
                    if (r < 0) {
                        return r;
                    }
                }
                default -> {
                }
            }
        }
        int rm = MapFuncArgs.recordFuncMap(env, mapPtr, funcId, idx);
        if (rm < 0) {
            return rm;
        }
        rm = recordFuncKey(mapPtr, funcId);
        if (rm < 0) {
            return rm;
        }
        // "Mark slots with STACK_MISC in case of raw mode, stack offset is inferred from register
        // state": check_mem_access(.., meta.regno, i, BPF_B, BPF_WRITE, -1, ..) for each byte
        for (int b = 0; b < rawMeta[1]; b++) {
            int r = dc.mem.access(idx, rawMeta[0], b, 1, org.bpfosgi.subsystem.BpfAccessType.BPF_WRITE, -1, null, false);
            if (r < 0) {
                return r;
            }
        }
        if (releaseRegno != 0 && metaRefObjId != 0) {
            // bpf_kptr_xchg: release_reference_state() — the reference moves into the map — and
            // every register carrying it is invalidated (mark_reg_invalid())
            int ref = metaRefObjId;
            java.util.List<VerifierState.RefState> refs = new java.util.ArrayList<>(dc.cur.refs);
            if (!refs.removeIf(rs -> rs.id() == ref)) {
                return env.err(Errno.EINVAL, "func %s#%d reference has not been acquired before\n",
                        BaseFuncProtos.name(funcId), funcId);
            }
            dc.cur.refs = refs;
            RegState invalid = env.allowPtrLeaks ? RegState.UNKNOWN_SCALAR : RegState.NOT_INIT;
            dc.forEachReg(dc.cur, x -> x.refObjId() == ref ? invalid : x);
        }
        if (funcId == HelperIds.BPF_FUNC_tail_call && !dc.cur.refs.isEmpty()) {
            // check_reference_leak(env, false)
            return env.err(Errno.EINVAL, "tail_call would lead to reference leak\n");
        }
        dc.clobberCallerSaved();
        if (fn.retType() == BpfFuncProto.RetType.RET_INTEGER) {
            dc.setReg(BPF_REG_0, RegState.UNKNOWN_SCALAR);
        } else if (fn.retType() == BpfFuncProto.RetType.RET_PTR_TO_MAP_VALUE_OR_NULL) {
            // RET_PTR_TO_MAP_VALUE with PTR_MAYBE_NULL: no offset yet, the map remembered, a fresh id
            if (mapPtr == null) {
                return env.err(Errno.EINVAL, "kernel subsystem misconfigured verifier\n");
            }
            dc.setReg(BPF_REG_0, RegState.mapValue(mapPtr.id(), mapPtr.valueSize(), 0, RegState.PTR_MAYBE_NULL, dc.newId()));
        } else if (fn.retType() == BpfFuncProto.RetType.RET_PTR_TO_BTF_ID_OR_NULL) {
            // RET_PTR_TO_BTF_ID | PTR_MAYBE_NULL of the kptr field's type; the maybe-null id first,
            // then (is_acquire_function(): bpf_kptr_xchg) acquire_reference_state() overwrites it
            if (kptrField == null) {
                return env.err(Errno.EINVAL, "kernel subsystem misconfigured verifier\n");
            }
            dc.newId();
            int id = dc.newId();
            java.util.List<VerifierState.RefState> refs = new java.util.ArrayList<>(dc.cur.refs);
            refs.add(new VerifierState.RefState(id, idx));
            dc.cur.refs = refs;
            dc.setReg(BPF_REG_0, RegState.btfPtr(kptrField.kptrBtf(), kptrField.kptrBtfId(), RegState.PTR_MAYBE_NULL, id, id));
        } else if (fn.retType() == BpfFuncProto.RetType.RET_PTR_TO_MEM_OR_BTF_ID_RDONLY
                || fn.retType() == BpfFuncProto.RetType.RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL_RDONLY) {
            int retFlag = RegState.MEM_RDONLY
                    | (fn.retType() == BpfFuncProto.RetType.RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL_RDONLY ? RegState.PTR_MAYBE_NULL : 0);
            int r = retMemOrBtfId(retBtf, retBtfId, retFlag);
            if (r < 0) {
                return r;
            }
        }
        return checkMapFuncCompatibility(mapPtr, funcId);
    }

    /**
     * check_helper_call(), case RET_PTR_TO_MEM_OR_BTF_ID (v6.12): mark_reg_known_zero(), then by
     * the type {@code meta.ret_btf_id} (the per-cpu argument's), modifiers skipped: not a struct
     * (btf_type_is_struct(): STRUCT or UNION) → PTR_TO_MEM | ret_flag of its btf_resolve_size()
     * ("unable to resolve the size of type '%s': %ld", -EINVAL); a struct → PTR_TO_BTF_ID |
     * ret_flag without MEM_RDONLY ("it doesn't apply on PTR_TO_BTF_ID"), btf_id the unskipped
     * id. A maybe-null result then gets a fresh id. (returns_cpu_specific_alloc_ptr, a percpu
     * kptr's MEM_ALLOC | MEM_RCU result, is not modelled.)
     */
    private int retMemOrBtfId(BtfObject retBtf, int retBtfId, int retFlag) {
        if (retBtf == null) {
            return env.err(Errno.EINVAL, "kernel subsystem misconfigured verifier\n");
        }
        org.bpfosgi.btf.Btf btf = retBtf.btf();
        // btf_type_skip_modifiers(): the kernel's modifiers include TYPEDEF
        int t = btf.resolve(retBtfId);
        BtfKind k = btf.kind(t);
        RegState r0;
        if (k != BtfKind.STRUCT && k != BtfKind.UNION) {
            // resolve the type size of ksym
            BtfResolveSize ret = BtfResolveSize.of(btf, t);
            if (!ret.ok()) {
                return env.err(Errno.EINVAL, "unable to resolve the size of type '%s': %ld\n", btf.name(t), ret.ptrErr());
            }
            r0 = RegState.ptrToMem(retFlag, (int) ret.size());
        } else {
            r0 = RegState.btfPtr(retBtf, retBtfId, retFlag & ~RegState.MEM_RDONLY, 0, 0);
        }
        if (r0.maybeNull()) {
            r0 = r0.withId(dc.newId()); // type_may_be_null(regs[BPF_REG_0].type): ++env->id_gen
        }
        dc.setReg(BPF_REG_0, r0);
        return 0;
    }

    /**
     * Models record_func_key() (v6.12) for bpf_tail_call: the map must be a prog array ("kernel
     * subsystem misconfigured verifier", -EINVAL: before check_map_func_compatibility(), so a
     * tail call through another map type gets this message); when R3 is a constant scalar
     * (is_reg_const()) below max_entries the call depends on its exact value, so it is made
     * precise (mark_chain_precision(R3), whose -EFAULT is returned). The key the kernel then
     * records in insn_aux_data (map_key_state, for the JIT's direct tail call) is not modelled:
     * the model's fixup makes every tail call indirect (see {@link DoMiscFixups}).
     */
    private int recordFuncKey(VerifierMaps.UsedMap map, int funcId) {
        if (funcId != HelperIds.BPF_FUNC_tail_call) {
            return 0;
        }
        if (map == null || map.mapType() != VerifierMaps.BPF_MAP_TYPE_PROG_ARRAY) {
            return env.err(Errno.EINVAL, "kernel subsystem misconfigured verifier\n");
        }
        RegState reg = dc.reg(BPF_REG_3);
        if (!(reg.isScalar() && reg.var().isConst()
                && Long.compareUnsigned(reg.var().value(), Integer.toUnsignedLong(map.maxEntries())) < 0)) {
            return 0; // bpf_map_key_store(aux, BPF_MAP_KEY_POISON)
        }
        return dc.precision.markChainPrecision(BPF_REG_3);
    }

    /** reg_type_str() of each of percpu_btf_ptr_types[] (v6.12), as check_reg_type() lists them. */
    static final String PERCPU_BTF_PTR_TYPES = "percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_";

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
        BtfObject vmlinux = env.btfs().vmlinux();
        int want = sockCommon ? vmlinux.btf().findByNameKind("sock_common", BtfKind.STRUCT) : fn.argBtfIds().get(i);
        if (want <= 0 || reg.btf() != vmlinux
                || !BtfStructIdsMatch.match(vmlinux.btf(), reg.btfId(), reg.off(), id -> id == vmlinux.btf().resolve(want), false)) {
            return env.err(Errno.EACCES, "R%d is of type %s but %s is expected\n", regno,
                    reg.btf().btf().name(reg.btfId()), vmlinux.btf().name(want));
        }
        if (reg.off() < 0) {
            return env.err(Errno.EACCES, "negative offset %s ptr R%d off=%d disallowed\n", reg.typeStr(), regno, reg.off());
        }
        return 0;
    }


    /**
     * Models check_map_func_compatibility() (v6.12) for the maps the model has, both ways: from
     * the map's side a prog array goes only to bpf_tail_call, a queue or stack only to
     * bpf_map_push/pop/peek_elem; from the helper's side bpf_tail_call takes only a prog array,
     * bpf_map_pop_elem a queue or stack, bpf_map_push/peek_elem also a bloom filter,
     * bpf_map_lookup_percpu_elem a per-cpu array or (LRU) per-cpu hash, bpf_sk_storage_get/delete
     * an sk storage map ("cannot pass map_type %d into func %s#%d", -EINVAL). Array and hash maps
     * go to every other map helper. Tail calls from programs with bpf-to-bpf calls are allowed: the
     * x86-64 JIT allows them (allow_tail_call_in_subprogs()).
     */
    private int checkMapFuncCompatibility(VerifierMaps.UsedMap map, int funcId) {
        if (map == null) {
            return 0;
        }
        int type = map.mapType();
        boolean ok = switch (type) {
            case VerifierMaps.BPF_MAP_TYPE_PROG_ARRAY -> funcId == HelperIds.BPF_FUNC_tail_call;
            case VerifierMaps.BPF_MAP_TYPE_QUEUE, VerifierMaps.BPF_MAP_TYPE_STACK -> funcId == HelperIds.BPF_FUNC_map_peek_elem
                    || funcId == HelperIds.BPF_FUNC_map_pop_elem || funcId == HelperIds.BPF_FUNC_map_push_elem;
            default -> true;
        };
        if (ok) {
            ok = switch (funcId) {
                case HelperIds.BPF_FUNC_tail_call -> type == VerifierMaps.BPF_MAP_TYPE_PROG_ARRAY;
                case HelperIds.BPF_FUNC_map_pop_elem -> type == VerifierMaps.BPF_MAP_TYPE_QUEUE
                        || type == VerifierMaps.BPF_MAP_TYPE_STACK;
                case HelperIds.BPF_FUNC_map_peek_elem, HelperIds.BPF_FUNC_map_push_elem -> type == VerifierMaps.BPF_MAP_TYPE_QUEUE
                        || type == VerifierMaps.BPF_MAP_TYPE_STACK || type == VerifierMaps.BPF_MAP_TYPE_BLOOM_FILTER;
                case HelperIds.BPF_FUNC_map_lookup_percpu_elem -> type == VerifierMaps.BPF_MAP_TYPE_PERCPU_ARRAY
                        || type == VerifierMaps.BPF_MAP_TYPE_PERCPU_HASH || type == VerifierMaps.BPF_MAP_TYPE_LRU_PERCPU_HASH;
                // BPF_FUNC_sk_storage_get, BPF_FUNC_sk_storage_delete
                case 107, 108 -> type == VerifierMaps.BPF_MAP_TYPE_SK_STORAGE;
                default -> true;
            };
        }
        if (!ok) {
            return env.err(Errno.EINVAL, "cannot pass map_type %d into func %s#%d\n", type, BaseFuncProtos.name(funcId), funcId);
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
    private int checkMemSizeReg(RegState reg, int regno, boolean zeroSizeAllowed, boolean rawMode) {
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
            case PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY -> dc.mapAccess.helperMemAccess(regno - 1, memReg, size, rawMode, zeroSizeAllowed);
            // check_helper_mem_access(): check_ptr_to_btf_access(.., reg->off, access_size, BPF_READ, -1)
            case PTR_TO_BTF_ID -> size == 0 ? 0 : dc.mem.access(dc.curInsnIdx, regno - 1, 0, size, BpfAccessType.BPF_READ, -1, null, false);
            default -> 0;
        };
        if (r == 0) {
            r = dc.precision.markChainPrecision(regno);
        }
        return r;
    }
}
